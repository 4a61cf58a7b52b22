"""X09: status cache poisoning: list A is served for URL B through a redirect.

The list is judged by the URL the entry names: A's list answering for B is named
(S14: `status.list_id_mismatch`, a warning since issue #13, docs/STATUS-LISTS.md: only
B's host can answer for B, and the list must still be the badge issuer's, S03), its
bit read and reported, and it is never cached under B, so the next check of B asks
again instead of reading A's bits from the cache.
"""

from __future__ import annotations

import json

from tests.verifier.test_status import (
    INDEX,
    POLICY,
    FakeHost,
    badge_with_status,
    run,
    signed_list,
)
from vc.did import DidResolver
from vc.results import Status
from vc.status import status_entry
from verifier.fetched import FetchedDocument
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


def test_x09_list_a_for_url_b_is_named_read_and_never_cached() -> None:
    host = RedirectingHost()
    host.lists[LIST_A] = signed_list(url=LIST_A, set_bits={INDEX: 1})
    checker = StatusChecker(host, DidResolver())
    on_b = badge_with_status(status_entry(list_url=LIST_B, index=INDEX, purpose="revocation"))
    for _ in range(2):
        results = run(checker, on_b)
        assert [(r.id, r.status) for r in results] == [
            ("status.list_id_mismatch", Status.WARNING),
            ("status.revoked", Status.FAILED),
        ]
    assert host.calls == [LIST_B, LIST_B]  # asked again: nothing was cached for B
    assert LIST_B not in checker.cached_urls()
    result = verify(on_b, POLICY, status_checker=checker)
    assert not result.verified
    assert result.check("status.list_id_mismatch").status is Status.WARNING
