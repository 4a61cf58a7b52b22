"""Verifying many inputs on every core, the answers in the order of the inputs.

`laurel verify --jobs N` hands each input to one of N worker processes (forked, so
that the verifier's caches and compiled contexts are theirs at once) and prints each
answer as soon as every earlier one is printed.

    >>> list(map_in_order(str.upper, ["a", "b"], jobs=1))
    ['A', 'B']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["default_jobs", "map_in_order"]

T = TypeVar("T")
R = TypeVar("R")

#: Inputs handed to a worker at a time (fewer round trips; small enough to stream).
CHUNK = 8

_WORK: list[Callable[..., object]] = []


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _run(item: object) -> object:
    return _WORK[0](item)


def map_in_order(func: Callable[[T], R], items: Iterable[T], *, jobs: int) -> Iterator[R]:
    """`func` over `items` in `jobs` forked processes, yielded in input order.

    With one job, or where fork is not available, it runs here, one item at a time.
    `func` and what it returns must be picklable only as results (the work is forked).
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    if jobs == 1:
        yield from map(func, items)
        return
    import multiprocessing  # not on the path of one input
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(func, items)
        return
    _WORK[:] = [func]
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            yield from pool.map(_run, items, chunksize=CHUNK)  # type: ignore[misc]
    finally:
        _WORK.clear()
