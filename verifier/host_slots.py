"""How many fetches to one host may be in flight at once in one process (SECURITY.md D15).

    >>> from verifier.host_slots import host_slot
    >>> with host_slot("a.example", "https://a.example/list"):
    ...     pass

Past :data:`MAX_FETCHES_PER_HOST` a fetch fails at once rather than queue, so a host
that never answers holds few workers.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from verifier.errors import FetchFailedError
from verifier.ssrf import short_url

__all__ = ["MAX_FETCHES_PER_HOST", "host_slot"]

#: Fetches to one host in flight at once in one process (SECURITY.md D15).
MAX_FETCHES_PER_HOST = 3


class _HostSlots:
    """Counts the fetches in flight per host; refuses one past the limit instead of queueing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: dict[str, int] = {}

    def take(self, host: str, url: str) -> None:
        with self._lock:
            count = self._busy.get(host, 0)
            if count >= MAX_FETCHES_PER_HOST:
                raise FetchFailedError(
                    f"not fetched: {count} requests to the host of {short_url(url)} are "
                    "already waiting for it to answer",
                    hint="The host is slow or not answering; try again later.",
                )
            self._busy[host] = count + 1

    def give(self, host: str) -> None:
        with self._lock:
            count = self._busy.get(host, 1) - 1
            if count > 0:
                self._busy[host] = count
            else:
                self._busy.pop(host, None)


_HOSTS = _HostSlots()


@contextlib.contextmanager
def host_slot(host: str, url: str) -> Iterator[None]:
    """Hold one of `host`'s slots for the block (`url` names it in the error).

    Raises:
        FetchFailedError: :data:`MAX_FETCHES_PER_HOST` fetches to `host` are in flight.
    """
    _HOSTS.take(host, url)
    try:
        yield
    finally:
        _HOSTS.give(host)
