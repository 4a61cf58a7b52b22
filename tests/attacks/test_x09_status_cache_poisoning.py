"""X09: status cache poisoning: list A is served for URL B through a redirect.

The list is judged by the URL the entry names: A's list answering for B is a
mix-and-match (S14), refused, and never cached under B, so the next check of B asks
again instead of reading A's bits.
"""

from __future__ import annotations

import json

from tests.verifier.test_status import (
    INDEX,
    POLICY,
    FakeHost,
    badge_with_status,
    only,
    run,
    signed_list,
)
from vc.did import DidResolver
from vc.results import Status
from vc.status import status_entry
from verifier.fetch import FetchedDocument
from verifier.status import StatusChecker
from verifier.verify import verify

LIST_A = "https://issuer.example/status/a"
LIST_B = "https://issuer.example/status/b"


class RedirectingHost(FakeHost):
    """Serves LIST_A's list for LIST_B, as if B answered 302 to A."""

    def __call__(self, url: str, *, max_bytes: int | None = None) -> FetchedDocument:
        if url == LIST_B:
            self.calls.append(url)
            body = json.dumps(self.lists[LIST_A]).encode()
            return FetchedDocument(
                final_url=LIST_A, status=200, content_type="application/json", body=body
            )
        return super().__call__(url, max_bytes=max_bytes)


def test_x09_list_a_for_url_b_is_refused_and_not_cached() -> None:
    host = RedirectingHost()
    host.lists[LIST_A] = signed_list(url=LIST_A)  # nothing revoked on A
    checker = StatusChecker(host, DidResolver())
    on_b = badge_with_status(status_entry(list_url=LIST_B, index=INDEX, purpose="revocation"))
    for _ in range(2):
        check = only(run(checker, on_b))
        assert (check.id, check.status) == ("status.list_id_mismatch", Status.FAILED)
    assert host.calls == [LIST_B, LIST_B]  # asked again: nothing was cached for B
    assert LIST_B not in checker.cached_urls()
    assert not verify(on_b, POLICY, status_checker=checker).verified
