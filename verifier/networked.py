"""The verifier's network-backed defaults: a DID resolver and a status checker behind the fetch guard.

Nothing is fetched, and the fetch guard is not even imported, until a badge names
a did:web issuer or a status list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vc.did import DidResolver
from verifier.status import StatusChecker

if TYPE_CHECKING:
    from verifier.fetched import FetchedDocument

__all__ = ["networked_resolver", "networked_status_checker"]


class _GuardedFetch:
    """The fetch guard, made on first use: a badge that names nothing never loads it."""

    def __init__(self, allow_private_network: bool) -> None:
        self._allow = allow_private_network
        self._fetcher: Any = None

    def _guard(self) -> Any:
        if self._fetcher is None:
            from verifier.fetch import Fetcher, FetchPolicy

            overrides = {"allow_private_network": True} if self._allow else {}
            self._fetcher = Fetcher(FetchPolicy.from_env(**overrides))
        return self._fetcher

    def __call__(self, url: str) -> bytes:
        """The body at `url` (``vc.did.DidWebFetcher``)."""
        body: bytes = self._guard()(url)
        return body

    def fetch(
        self, url: str, *, max_bytes: int | None = None, if_none_match: str | None = None
    ) -> FetchedDocument:
        """A document through the guard (:class:`verifier.status_lists.StatusFetch`)."""
        document: FetchedDocument = self._guard().fetch(
            url, max_bytes=max_bytes, if_none_match=if_none_match
        )
        return document


def networked_resolver(*, allow_private_network: bool = False) -> DidResolver:
    """A DID resolver that fetches did:web documents through the fetch guard (cached 5 min).

    `allow_private_network` (or ``LAUREL_ALLOW_PRIVATE_NETWORK=1``) lets it reach
    private and loopback hosts, and plain http on them; off by default.
    """
    return DidResolver(web_fetcher=_GuardedFetch(allow_private_network))


def networked_status_checker(*, allow_private_network: bool = False) -> StatusChecker:
    """A status checker fetching lists through the fetch guard, with its own list cache.

    `allow_private_network` as for :func:`networked_resolver`; list issuers' did:web
    documents are resolved through the guard too.
    """
    return StatusChecker(
        _GuardedFetch(allow_private_network).fetch,
        networked_resolver(allow_private_network=allow_private_network),
    )
