"""Work slots: an admitted request holds one, and lends it back while it waits on the network.

`laurel serve` admits `in_flight` requests per worker at once (:mod:`verifier.limits`),
a bound on *work*: threads past it only wait for the GIL, and make every answer (a
quick 503 included) slower. A verification waiting on a status host, a DID host or a
chain node does no work, so inside :func:`lent` it gives its slot to the next request
and takes one again, waiting its turn, when the answer is in: a slow host cannot fill
a worker. At most `lendable` requests of a worker wait off their slot at once (each
holds a thread); past that a request keeps its slot while it waits.

Outside the service (the CLI, tests) nothing is held and :func:`lent` does nothing.

    >>> import threading
    >>> slots, lendable = threading.BoundedSemaphore(1), threading.BoundedSemaphore(1)
    >>> slots.acquire()
    True
    >>> hold(slots, lendable)
    >>> with lent():
    ...     slots.acquire(blocking=False)  # another request may work meanwhile
    ...     slots.release()
    True
    >>> drop()
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator

__all__ = ["drop", "hold", "holding", "lent"]

_HELD: contextvars.ContextVar[tuple[threading.Semaphore, threading.Semaphore] | None] = (
    contextvars.ContextVar("laurel_work_slot", default=None)
)


#: Whether this request's slot is lent right now (inside :func:`lent`, which lent it).
_LENT: contextvars.ContextVar[bool] = contextvars.ContextVar("laurel_slot_lent", default=False)


def hold(slots: threading.Semaphore, lendable: threading.Semaphore) -> None:
    """Record that this thread's request holds one of `slots` (already acquired)."""
    _HELD.set((slots, lendable))


def holding() -> bool:
    """Whether this request holds a work slot right now (admitted and not lending it)."""
    return _HELD.get() is not None and not _LENT.get()


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
    token = _LENT.set(True)
    try:
        yield
    finally:
        _LENT.reset(token)
        slots.acquire()
        lendable.release()
