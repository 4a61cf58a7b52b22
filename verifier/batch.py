"""Verifying many inputs on every core, the answers in the order of the inputs.

`laurel verify --jobs N` forks N - 1 worker processes (so that the verifier's caches
and compiled contexts are theirs at once) and works as the Nth itself: input i goes
to lane ``i % N``, lane 0 being this process, and each answer is yielded as soon as
every earlier one is. A worker sends its answers down a pipe, which also paces it:
it is never more than a pipe's worth ahead of the reader. No pool, no feeder
threads and nothing pickled on the way out (measured: the pool's overhead kept two
processes under 1.8x one on two cores).

    >>> list(map_in_order(str.upper, ["a", "b"], jobs=1))
    ['A', 'B']
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, TypeVar, cast

__all__ = ["WorkerLostError", "default_jobs", "map_in_order"]

T = TypeVar("T")
R = TypeVar("R")


class WorkerLostError(RuntimeError):
    """A worker process ended before it answered (killed, or out of memory)."""


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def map_in_order(func: Callable[[T], R], items: Iterable[T], *, jobs: int) -> Iterator[R]:
    """`func` over `items` in `jobs` processes (this one and forked ones), in input order.

    With one job, one item, or where fork is not available, it runs here, one item
    at a time. What `func` returns, and what it raises, must pickle (they come back
    from the workers); an exception in any lane is raised here, at its item's turn.
    Closing the iterator early stops the workers.

    Raises:
        ValueError: `jobs` is below 1.
        WorkerLostError: a worker process died without answering.
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    work = list(items)
    lanes = min(jobs, len(work))
    if lanes <= 1 or not hasattr(os, "fork"):
        yield from map(func, work)
        return
    yield from _in_lanes(func, work, lanes)


def _in_lanes(func: Callable[[T], R], work: list[T], lanes: int) -> Iterator[R]:
    workers: list[tuple[int, BinaryIO]] = []
    try:
        for lane in range(1, lanes):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover (a forked child; its answers are what is tested)
                os.close(read_end)
                for _, pipe in workers:
                    pipe.close()
                _work_lane(func, work[lane::lanes], write_end)
            os.close(write_end)
            workers.append((pid, os.fdopen(read_end, "rb")))
        for index, item in enumerate(work):
            lane = index % lanes
            yield func(item) if lane == 0 else cast(R, _answer(workers[lane - 1][1]))
    finally:
        for pid, pipe in workers:
            pipe.close()
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _answer(pipe: BinaryIO) -> object:
    try:
        ok, value = pickle.load(pipe)  # noqa: S301 (our own forked child, over our own pipe)
    except (EOFError, pickle.UnpicklingError) as exc:
        raise WorkerLostError("a worker process ended before it answered") from exc
    if not ok:
        raise value
    return value


def _work_lane(func: Callable[[T], R], items: list[T], write_end: int) -> None:
    # The child's whole life: answer its items in order, then leave without running
    # the parent's exit handlers or flushing buffers it inherited (os._exit).
    code = 0
    try:
        with os.fdopen(write_end, "wb") as out:
            for item in items:
                try:
                    message: tuple[bool, object] = (True, func(item))
                except Exception as exc:  # raised again in the parent, at its turn
                    message = (False, exc)
                try:
                    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as exc:  # an answer or an error that does not pickle
                    message = (False, RuntimeError(f"{type(exc).__name__}: {exc}"))
                    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
                out.write(data)
                out.flush()  # the parent may be waiting for exactly this answer
                if not message[0]:
                    break
    except BrokenPipeError:
        pass  # the parent stopped reading: nothing more is wanted
    except BaseException:
        code = 1
    finally:
        os._exit(code)
