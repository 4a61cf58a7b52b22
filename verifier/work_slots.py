"""Work slots: an admitted request holds one, and lends it back while it waits on the network.

`laurel serve` admits `in_flight` requests per worker at once (:mod:`verifier.limits`),
a bound on *work*: threads past it only wait for the GIL, and make every answer (a
quick 503 included) slower. A verification waiting on a status host, a DID host or a
chain node does no work, so inside :func:`lent` it gives its slot to the next request
and takes one again, waiting its turn, when the answer is in: a slow host cannot fill
a worker. At most `lendable` requests of a worker wait off their slot at once (each
holds a thread); past that a request keeps its slot while it waits.

The slots are :class:`WorkSlots`: first come, first served. A semaphore lets a request
that just arrived take a slot before one that has waited (the woken waiter still has to
run), and under load the unlucky ones waited many times the median.

Outside the service (the CLI, tests) nothing is held and :func:`lent` does nothing.

    >>> import threading
    >>> slots, lendable = WorkSlots(1), threading.BoundedSemaphore(1)
    >>> slots.try_acquire()
    True
    >>> hold(slots, lendable)
    >>> with lent():
    ...     slots.try_acquire()  # another request may work meanwhile
    ...     slots.release()
    True
    >>> drop()
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import threading
from collections.abc import Iterator

__all__ = ["WorkSlots", "drop", "hold", "lent"]


class WorkSlots:
    """`size` slots handed out in the order they were asked for (a fair semaphore).

    A release hands the slot straight to the longest waiter, so nobody who arrives
    later can take it first.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("there must be at least one slot")
        self._size = size
        self._free = size
        self._lock = threading.Lock()
        self._waiters: collections.deque[threading.Event] = collections.deque()

    def try_acquire(self) -> bool:
        """Take a slot if one is free and nobody waits for one; never blocks."""
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return True
            return False

    def acquire(self, timeout: float | None = None) -> bool:
        """Take a slot, waiting behind everyone who asked before; False after `timeout` s."""
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return True
            turn = threading.Event()
            self._waiters.append(turn)
        if turn.wait(timeout):
            return True
        with self._lock:
            if turn.is_set():
                return True  # handed over just as the wait ran out
            self._waiters.remove(turn)
            return False

    def release(self) -> None:
        """Give a slot back: to the longest waiter, if any.

        Raises:
            ValueError: more slots given back than were taken.
        """
        with self._lock:
            if self._waiters:
                self._waiters.popleft().set()
            elif self._free < self._size:
                self._free += 1
            else:
                raise ValueError("a work slot was released more times than taken")


_HELD: contextvars.ContextVar[tuple[WorkSlots, threading.Semaphore] | None] = (
    contextvars.ContextVar("laurel_work_slot", default=None)
)


def hold(slots: WorkSlots, lendable: threading.Semaphore) -> None:
    """Record that this thread's request holds one of `slots` (already acquired)."""
    _HELD.set((slots, lendable))


def drop() -> None:
    """Forget the slot recorded by :func:`hold` (the caller releases the slot itself).

    Set, not reset: a server thread serves request after request, and one that was
    never admitted (``/health``) must find nothing held.
    """
    _HELD.set(None)


@contextlib.contextmanager
def lent() -> Iterator[None]:
    """Run the block (a wait on the network) with this request's slot lent to the next one.

    On the way out the slot is taken back, waiting for one to be free, even when
    the block raised: the request finishes its work within the bound.
    """
    held = _HELD.get()
    if held is None:
        yield
        return
    slots, lendable = held
    if not lendable.acquire(blocking=False):
        yield  # enough requests of this worker wait off their slots already
        return
    slots.release()
    try:
        yield
    finally:
        slots.acquire()
        lendable.release()
