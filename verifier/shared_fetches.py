"""One exchange for many askers: concurrent GETs of the same URL share one fetch.

    >>> from verifier.shared_fetches import shared
    >>> shared(("https://a.example/list",), "https://a.example/list", 5.0, lambda: b"[]")
    b'[]'

When a popular status list's cache runs out, every request that names it asks for it
at once. Fetched one by one, that is a burst at the list's host, and past
:data:`~verifier.host_slots.MAX_FETCHES_PER_HOST` the rest would fail as if the host
were down. Instead a request asking for what is already being fetched waits for that
exchange's answer, or its failure, each request no longer than its own deadline.

In ``laurel serve`` an asker waits only with its work slot lent
(:mod:`verifier.work_slots`); one that would wait holding it fails at once, as a
fetch past the host's limit does, so a hanging host cannot fill a worker this way.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from verifier import work_slots
from verifier.errors import FetchFailedError
from verifier.ssrf import short_url

__all__ = ["shared"]

T = TypeVar("T")


class _Flights:
    """The exchanges in flight, by what they send; each a future its askers wait on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[Hashable, concurrent.futures.Future[object]] = {}

    def run(self, key: Hashable, url: str, seconds: float, exchange: Callable[[], T]) -> T:
        with self._lock:
            flight = self._flights.get(key)
            leads = flight is None
            if flight is None:
                flight = self._flights[key] = concurrent.futures.Future()
        if not leads:
            if work_slots.holding():
                # Waiting here would hold a worker's slot on a host that may hang: like a
                # fetch past the host's limit, fail at once (SECURITY.md D15).
                raise FetchFailedError(
                    f"not fetched: {short_url(url)} is already being fetched for other "
                    "requests, and this one may not wait for it",
                    hint="The host is slow or not answering; try again later.",
                )
            return self._wait(flight, url, seconds)  # type: ignore[return-value]
        try:
            answer = exchange()
        except BaseException as exc:
            self._land(key)
            flight.set_exception(exc)
            raise
        self._land(key)
        flight.set_result(answer)
        return answer

    def _land(self, key: Hashable) -> None:
        # Gone before the answer is out: an asker arriving later starts a fresh exchange
        # rather than take one whose answer it did not wait for.
        with self._lock:
            del self._flights[key]

    @staticmethod
    def _wait(flight: concurrent.futures.Future[object], url: str, seconds: float) -> object:
        try:
            return flight.result(timeout=max(seconds, 0.0))
        except concurrent.futures.TimeoutError:
            raise FetchFailedError(
                f"fetching {short_url(url)} took longer than this verification may wait "
                f"({seconds:.3g} s)",
                hint="The host is slow or not answering; try again later.",
            ) from None


_FLIGHTS = _Flights()


def shared(key: Hashable, url: str, seconds: float, exchange: Callable[[], T]) -> T:
    """`exchange()`, or the answer of the same exchange already in flight under `key`.

    The first asker runs `exchange`; askers with an equal `key` meanwhile wait for its
    answer (or get its exception), each at most `seconds` (then FetchFailedError naming
    `url`). `key` must name everything the exchange sends and where it connects.
    """
    return _FLIGHTS.run(key, url, seconds, exchange)
