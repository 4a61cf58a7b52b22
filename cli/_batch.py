"""Verifying many inputs on every core, the answers in the order of the inputs.

`laurel verify --jobs N` splits the inputs in chunks that N processes take one at a
time (the last inputs one by one, so that all end together): this one and N - 1
forked from it. The fork comes first, before the verifier is imported or set up:
each process then imports and sets up its own (on its own core, at the same time),
rather than one doing it while the other cores wait and the others then copying,
page by page, the heap they share with it. Each answer is
yielded as soon as every earlier one is.

    >>> list(map_in_order(lambda: str.upper, ["a", "b"], jobs=1))
    ['A', 'B']

This process works too, rather than only hand out work and collect it: on N cores
there are N processes, none of them waiting on a pool's queues. The parts are the
kernel's own, not `multiprocessing`'s (whose import and set-up, 16-18 ms, came before
the fork, while the other cores waited): the chunks' numbers wait in a pipe that
every process reads four bytes at a time (a read of a pipe is atomic, so no chunk is
taken twice), and each worker sends its answers, pickled, on a pipe of its own. This
module imports nothing of laurel's until it must name a lost worker (a fork made
after those imports would have nothing left to share out).
"""

from __future__ import annotations

import os
import signal
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

__all__ = ["CHUNK", "default_jobs", "map_in_order", "runs_in_order"]

T = TypeVar("T")
R = TypeVar("R")

#: Inputs a process takes at a time (fewer round trips; small enough to stream).
CHUNK = 8
#: At most this many chunks (larger ones past it): their numbers fit a pipe's buffer
#: (4 bytes each, 8 KiB; 16 KiB is the smallest buffer of the systems with fork).
_MOST_CHUNKS = 2048
_INDEX = struct.Struct("<I")
_LENGTH = struct.Struct("<Q")
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
    for run in runs_in_order(make, items, jobs=jobs):
        yield from run


def runs_in_order(
    make: Callable[[], Callable[[T], R]], items: Iterable[T], *, jobs: int
) -> Iterator[list[R]]:
    """As `map_in_order`, the answers in runs: those that are ready together, in order.

    One answer at a time with one job; a chunk's with more. A caller writing answers
    out flushes once a run, not once an answer, and shows none of them later than it
    would one by one.
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    work = list(items)
    if jobs == 1 or len(work) <= CHUNK or not hasattr(os, "fork"):
        func = make()
        for item in work:
            yield [func(item)]
        return
    yield from _Batch(make, work, jobs).answers()


class _Batch(Generic[T, R]):
    """One run: the chunks, the pipe every process takes the next chunk's number from, the workers."""

    def __init__(self, make: Callable[[], Callable[[T], R]], work: Sequence[T], jobs: int) -> None:
        self._make = make
        self._chunks = _chunked(work, max(CHUNK, -(-len(work) // _MOST_CHUNKS)), jobs)
        self._forks = min(jobs, len(self._chunks)) - 1
        self._queue, numbers = os.pipe()
        try:
            _write_all(numbers, struct.pack(f"<{len(self._chunks)}I", *range(len(self._chunks))))
        finally:
            os.close(numbers)  # once read out, every process reads the end of the work

    def _claim(self) -> int | None:
        taken = os.read(self._queue, _INDEX.size)
        if not taken:
            return None
        index: int = _INDEX.unpack(taken)[0]
        return index

    def _fork(self, readers: dict[int, bytearray]) -> tuple[int, int]:
        reader, writer = os.pipe()
        pid = os.fork()
        if pid:
            os.close(writer)
            return pid, reader
        code = 1
        try:  # the worker: never back into the caller's code, never its exit handlers
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.close(reader)
            for earlier in readers:
                os.close(earlier)
            import pickle  # after the fork: each process imports it at the same time

            func = self._make()  # raises: no chunk taken, the others do this one's share
            while (index := self._claim()) is not None:
                try:
                    sent = pickle.dumps(
                        (index, [func(item) for item in self._chunks[index]]),
                        pickle.HIGHEST_PROTOCOL,
                    )
                except Exception:
                    # The function raised, or its answer cannot be pickled: the chunk is
                    # made again by the parent at its turn, where the caller sees the
                    # exception (which need not survive pickling) or gets the answer.
                    _send(writer, pickle.dumps((index, _AGAIN)))
                    break
                _send(writer, sent)
            code = 0
        finally:
            os._exit(code)

    def answers(self) -> Iterator[list[R]]:
        """Every chunk's answers, in input order, this process working on chunks as the others do."""
        readers: dict[int, bytearray] = {}
        pids: list[int] = []
        made: dict[int, list[R] | Exception | str] = {}
        shown = 0
        try:
            for _ in range(self._forks):
                pid, reader = self._fork(readers)
                pids.append(pid)
                readers[reader] = bytearray()
            func = self._make()
            while (index := self._claim()) is not None:
                try:
                    made[index] = [func(item) for item in self._chunks[index]]
                except Exception as exc:
                    made[index] = exc  # raised at its turn, after the answers before it
                _collect(readers, made, block=False)
                while shown in made:
                    yield self._turn(shown, made.pop(shown), func)
                    shown += 1
            while shown < len(self._chunks):
                if shown not in made:
                    if not readers:
                        from verifier.errors import BatchError  # imported by `make` by now

                        raise BatchError(self._lost(shown))
                    _collect(readers, made, block=True)
                    continue
                yield self._turn(shown, made.pop(shown), func)
                shown += 1
        finally:
            _stop(pids, readers)
            os.close(self._queue)

    def _turn(self, index: int, made: list[R] | Exception | str, func: Callable[[T], R]) -> list[R]:
        if isinstance(made, Exception):
            raise made
        if isinstance(made, str):  # _AGAIN: its function raised in a worker
            return [func(item) for item in self._chunks[index]]
        return made

    def _lost(self, index: int) -> str:
        chunk = self._chunks[index]
        return (
            "a worker process stopped (killed, or out of memory?) before it answered for "
            f"{chunk[0]!s}"
            + (f" and the {len(chunk) - 1} inputs after it" if len(chunk) > 1 else "")
        )


def _chunked(work: Sequence[T], size: int, jobs: int) -> list[Sequence[T]]:
    """`work` in chunks of `size`, the last `jobs x size` inputs one at a time.

    At the end no process is left with a whole chunk while the others have nothing
    left to take (the inputs of a run need not take the same time: a corpus sorted by
    name ends with its slower eddsa-rdfc-2022 badges).

        >>> [len(c) for c in _chunked(range(30), 8, 2)]
        [8, 6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    """
    head = max(0, len(work) - jobs * size)
    return [work[i : min(i + size, head)] for i in range(0, head, size)] + [
        work[i : i + 1] for i in range(head, len(work))
    ]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _send(fd: int, message: bytes) -> None:
    _write_all(fd, _LENGTH.pack(len(message)) + message)


def _collect(readers: dict[int, bytearray], made: dict[int, Any], *, block: bool) -> None:
    """Every answer waiting on the workers' pipes; with `block`, wait for something first."""
    import pickle
    import select

    poller = select.poll()
    for reader in readers:
        poller.register(reader, select.POLLIN)
    # Every answer waiting, not one per worker: a worker whose pipe is full waits
    # to send, idle, until this process reads (after each chunk of its own).
    while ready := poller.poll(None if block else 0):
        for reader, _ in ready:
            data = os.read(reader, 1 << 20)
            if not data:  # the worker ended; a message it had begun is lost with it
                poller.unregister(reader)
                del readers[reader]
                os.close(reader)
                continue
            buffer = readers[reader]
            buffer += data
            while len(buffer) >= _LENGTH.size:
                end = _LENGTH.size + _LENGTH.unpack_from(buffer)[0]
                if len(buffer) < end:
                    break
                # From a process this one forked, over a pipe no other holds: trusted.
                index, answers = pickle.loads(buffer[_LENGTH.size : end])  # noqa: S301
                made[index] = answers
                del buffer[:end]
        block = False


def _stop(pids: list[int], readers: dict[int, bytearray]) -> None:
    for reader in readers:
        os.close(reader)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)  # done already, or its work is no longer wanted
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
