"""One deadline for all the network work of one verification (SECURITY.md D14, D15).

A credential may name status lists, DID documents and a chain; each fetch has its
own limit, but one after another they could hold a worker for minutes. Inside
:func:`network_budget`, every fetch of the fetch guard and every JSON-RPC request is
cut to what is left of one shared budget, and nothing is sent once it is spent.

    >>> from verifier.budget import network_budget, remaining
    >>> remaining() is None
    True
    >>> with network_budget(5.0):
    ...     0 < remaining() <= 5.0
    True
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

__all__ = ["NETWORK_BUDGET_SECONDS", "network_budget", "remaining"]

#: The network time one verification may spend, whatever it names.
NETWORK_BUDGET_SECONDS = 8.0

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "laurel_network_deadline", default=None
)


@contextlib.contextmanager
def network_budget(seconds: float = NETWORK_BUDGET_SECONDS) -> Iterator[None]:
    """Run the block with at most `seconds` of network time; nested budgets keep the earlier end."""
    if seconds <= 0:
        raise ValueError("a network budget must be positive")
    deadline = time.monotonic() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left of the current budget (0 when spent), or None outside any budget."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return None
    return max(deadline - time.monotonic(), 0.0)
