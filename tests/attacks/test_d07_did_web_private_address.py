"""D07: a did:web host whose DNS answers a private address, or rebinds between answers."""

from __future__ import annotations

import ssl

import pytest

from tests.attacks.conftest import Dns, failed, verify_document, web_badge
from vc.did import DidResolver
from verifier.fetch import Fetcher, FetchPolicy


@pytest.mark.parametrize(
    "answers",
    [["10.0.0.5"], ["127.0.0.1"], ["100.100.100.200"], ["93.184.216.34", "10.0.0.5"]],
    ids=lambda a: ",".join(a),
)
def test_d07_private_answer_is_did_fetch_blocked(
    answers: list[str], client_tls: ssl.SSLContext, connects: list[tuple[str, int]]
) -> None:
    dns = Dns({"issuer.test": answers})
    resolver = DidResolver(web_fetcher=Fetcher(FetchPolicy(), resolve=dns, ssl_context=client_tls))
    result = verify_document(web_badge(), resolver)
    assert failed(result) == ["issuer.did_fetch_blocked"]
    assert connects == []


class _Rebinding(Dns):
    """Answers loopback (allowed in this test) first, then a metadata address."""

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return ["127.0.0.1"] if len(self.asked) == 1 else ["169.254.169.254"]


def test_d07_connects_to_the_address_it_checked(
    server, client_tls: ssl.SSLContext, connects: list[tuple[str, int]]
) -> None:
    # Resolve once, check, connect to that very address: a second, rebound answer is
    # never asked for (the fetch guard pins the checked IP).
    from tests.attacks.conftest import body, did_document

    did = f"did:web:issuer.test%3A{server.port}"
    import json

    server.routes["/.well-known/did.json"] = body(json.dumps(did_document(did)).encode())
    dns = _Rebinding({})
    fetcher = Fetcher(FetchPolicy(allow_private_network=True), resolve=dns, ssl_context=client_tls)
    result = verify_document(web_badge(did), DidResolver(web_fetcher=fetcher))
    assert result.verified, failed(result)
    assert dns.asked == [("issuer.test", server.port)]
    assert connects == [("127.0.0.1", server.port)]
