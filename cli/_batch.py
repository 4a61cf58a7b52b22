"""Verifying many inputs on every core, the answers in the order of the inputs.

`laurel verify --jobs N` splits the inputs in chunks that N processes take one at a
time: this one and N - 1 forked from it. The fork comes first, before the verifier is
imported or set up: each process then imports and sets up its own (on its own core,
at the same time), rather than one doing it while the other cores wait and the
others then copying, page by page, the heap they share with it. Each answer is
yielded as soon as every earlier one is.

    >>> list(map_in_order(lambda: str.upper, ["a", "b"], jobs=1))
    ['A', 'B']

This process works too, rather than only hand out work and collect it: on N cores
there are N processes, none of them waiting on a pool's queues. This module imports
nothing of laurel's until it must name a lost worker (a fork made after those
imports would have nothing left to share out).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

__all__ = ["CHUNK", "default_jobs", "map_in_order"]

T = TypeVar("T")
R = TypeVar("R")

#: Inputs a process takes at a time (fewer round trips; small enough to stream).
CHUNK = 8
#: What a worker sends for a chunk whose function raised: make it again here.
_AGAIN = "again"


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def map_in_order(
    make: Callable[[], Callable[[T], R]], items: Iterable[T], *, jobs: int
) -> Iterator[R]:
    """`make()` over `items` in `jobs` processes (this one and forked ones), in input order.

    `make` is called once in each process, after the fork, and gives the function
    each item goes through. With one job, few items, or where fork is not available,
    it all runs here, one item at a time. What the function returns in a forked
    process must be picklable. An exception raised by it is raised here at its
    item's turn; one raised by `make` here is raised at once (a worker whose `make`
    raised takes no work, and this process does it).

    Raises:
        ValueError: `jobs` is below 1.
        BatchError: a forked process ended (killed, out of memory) before it answered.
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    work = list(items)
    if jobs == 1 or len(work) <= CHUNK or not hasattr(os, "fork"):
        yield from map(make(), work)
        return
    yield from _Batch(make, work, jobs).answers()


class _Batch(Generic[T, R]):
    """One run: the chunks, the counter every process takes the next chunk from, the workers."""

    def __init__(self, make: Callable[[], Callable[[T], R]], work: Sequence[T], jobs: int) -> None:
        import multiprocessing  # not on the path of one input

        self._make = make
        self._chunks = [work[i : i + CHUNK] for i in range(0, len(work), CHUNK)]
        self._context = multiprocessing.get_context("fork")
        self._next = self._context.RawValue("q", 0)
        self._lock = self._context.Lock()
        self._forks = min(jobs, len(self._chunks)) - 1

    def _claim(self) -> int | None:
        with self._lock:
            index: int = self._next.value
            if index >= len(self._chunks):
                return None
            self._next.value = index + 1
        return index

    def _fork(self, readers: list[Any]) -> tuple[int, Any]:
        reader, writer = self._context.Pipe(duplex=False)
        pid = os.fork()
        if pid:
            writer.close()
            return pid, reader
        code = 1
        try:  # the worker: never back into the caller's code, never its exit handlers
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            reader.close()
            for earlier in readers:
                earlier.close()
            func = self._make()  # raises: no chunk taken, the others do this one's share
            while (index := self._claim()) is not None:
                try:
                    writer.send((index, [func(item) for item in self._chunks[index]]))
                except Exception:
                    # The function raised, or its answer cannot be pickled: the chunk is
                    # made again by the parent at its turn, where the caller sees the
                    # exception (which need not survive pickling) or gets the answer.
                    writer.send((index, _AGAIN))
                    break
            code = 0
        finally:
            os._exit(code)

    def answers(self) -> Iterator[R]:
        """Every answer, in input order, this process working on chunks as the others do."""
        readers: list[Any] = []
        pids: list[int] = []
        made: dict[int, list[R] | Exception | str] = {}
        shown = 0
        try:
            for _ in range(self._forks):
                pid, reader = self._fork(readers)
                pids.append(pid)
                readers.append(reader)
            func = self._make()
            while (index := self._claim()) is not None:
                try:
                    made[index] = [func(item) for item in self._chunks[index]]
                except Exception as exc:
                    made[index] = exc  # raised at its turn, after the answers before it
                self._collect(readers, made, block=False)
                while shown in made:
                    yield from self._turn(shown, made.pop(shown), func)
                    shown += 1
            while shown < len(self._chunks):
                if shown not in made:
                    if not readers:
                        from verifier.errors import BatchError  # imported by `make` by now

                        raise BatchError(self._lost(shown))
                    self._collect(readers, made, block=True)
                    continue
                yield from self._turn(shown, made.pop(shown), func)
                shown += 1
        finally:
            self._stop(pids, readers)

    def _turn(
        self, index: int, made: list[R] | Exception | str, func: Callable[[T], R]
    ) -> Iterator[R]:
        if isinstance(made, Exception):
            raise made
        if isinstance(made, str):  # _AGAIN: its function raised in a worker
            yield from [func(item) for item in self._chunks[index]]
            return
        yield from made

    def _lost(self, index: int) -> str:
        chunk = self._chunks[index]
        return (
            "a worker process stopped (killed, or out of memory?) before it answered for "
            f"{chunk[0]!s}"
            + (f" and the {len(chunk) - 1} inputs after it" if len(chunk) > 1 else "")
        )

    @staticmethod
    def _collect(readers: list[Any], made: dict[int, Any], *, block: bool) -> None:
        from multiprocessing.connection import wait

        reader: Any
        # Every answer waiting, not one per worker: a worker whose pipe is full waits
        # to send, idle, until this process reads (after each chunk of its own).
        while ready := wait(readers, timeout=None if block else 0):
            for reader in ready:
                try:
                    index, answers = reader.recv()
                except (EOFError, OSError):
                    readers.remove(reader)
                    reader.close()
                    continue
                made[index] = answers
            block = False

    @staticmethod
    def _stop(pids: list[int], readers: list[Any]) -> None:
        for reader in readers:
            reader.close()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)  # done already, or its work is no longer wanted
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
