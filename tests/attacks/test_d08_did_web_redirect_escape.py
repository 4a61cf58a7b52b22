"""D08: the did:web host answers 302 to the metadata service or to plain http."""

from __future__ import annotations

import ssl

import pytest

from tests.attacks.conftest import Dns, Server, failed, redirect, verify_document, web_badge
from vc.did import DidResolver
from verifier.fetch import Fetcher, FetchPolicy


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data",
        "https://169.254.169.254/latest/meta-data",
        "http://public.test/.well-known/did.json",  # plain http to a public host
        "file:///etc/passwd",
    ],
)
def test_d08_redirect_out_of_bounds_is_did_fetch_blocked(
    location: str, server: Server, client_tls: ssl.SSLContext, connects: list[tuple[str, int]]
) -> None:
    did = f"did:web:issuer.test%3A{server.port}"
    server.routes["/.well-known/did.json"] = redirect(location)
    fetcher = Fetcher(
        FetchPolicy(allow_private_network=True),
        resolve=Dns({"issuer.test": ["127.0.0.1"], "public.test": ["93.184.216.34"]}),
        ssl_context=client_tls,
    )
    result = verify_document(web_badge(did), DidResolver(web_fetcher=fetcher))
    assert failed(result) == ["issuer.did_fetch_blocked"]
    # Only the first hop was ever connected to.
    assert connects == [("127.0.0.1", server.port)]
