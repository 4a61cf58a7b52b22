"""The documents one verification reads from the web, each fetched once, through the guard.

A badge may name documents beside its status lists and DIDs: an issuer profile, an
``https://`` key document (Open Badges 3.0, "Dereferencing the Public Key"), an Open
Badges 2.0 hosted assertion with its BadgeClass, Issuer and revocation list, a
1EdTech revocation list. :class:`WebReader` fetches them with the fetch guard the
verifier was given (the did:web fetcher: public addresses only, size and time
limits, the shared network budget) and remembers each answer, or each failure, for
the rest of the verification, so a document named twice is asked for once.

    >>> reader = WebReader(None)
    >>> reader("https://school.example/issuer")
    Traceback (most recent call last):
    ...
    verifier.errors.FetchFailedError: not fetched: https://school.example/issuer (network fetching is off)
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from vc.errors import LaurelError
from verifier.errors import FetchFailedError

__all__ = ["MAX_DOCUMENTS", "WebReader"]

#: The most distinct documents one verification fetches this way (SECURITY.md D14).
MAX_DOCUMENTS = 16


class WebReader:
    """Fetches a URL's body with `fetch` (None: never fetch), once per URL.

    Raises the fetch guard's :class:`verifier.errors.FetchError` (a LaurelError) on
    failure, the same one again for the same URL.
    """

    def __init__(self, fetch: Callable[[str], bytes] | None) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._seen: dict[str, bytes | LaurelError] = {}

    @property
    def online(self) -> bool:
        """Whether this reader fetches at all."""
        return self._fetch is not None

    @property
    def urls(self) -> list[str]:
        """The URLs asked for so far, in order."""
        with self._lock:
            return list(self._seen)

    def __call__(self, url: str) -> bytes:
        """The body at `url`: fetched the first time, remembered after."""
        with self._lock:
            known = self._seen.get(url)
        if known is None:
            known = self._get(url)
            with self._lock:
                self._seen.setdefault(url, known)
        if isinstance(known, LaurelError):
            raise known
        return known

    def _get(self, url: str) -> bytes | LaurelError:
        if self._fetch is None:
            return FetchFailedError(
                f"not fetched: {url[:120]} (network fetching is off)",
                hint="Verify with the network on (laurel verify, the verifier service).",
            )
        with self._lock:
            if len(self._seen) >= MAX_DOCUMENTS:
                return FetchFailedError(
                    f"not fetched: {url[:120]} (the badge names more than {MAX_DOCUMENTS} documents)"
                )
        try:
            return self._fetch(url)
        except LaurelError as exc:
            return exc
