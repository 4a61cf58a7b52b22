"""cli._batch: answers in input order from this process and forked ones, errors at their turn."""

from __future__ import annotations

import os
import signal
import time

import pytest

from cli._batch import CHUNK, map_in_order, runs_in_order
from verifier.errors import BatchError

#: This process: the workers are forked from it, so they see its pid here too.
_PARENT = os.getpid()


def _square(n: int) -> tuple[int, int]:
    time.sleep(0.005)  # long enough for every worker to take a chunk
    return n * n, os.getpid()


def test_answers_come_in_input_order_from_every_process() -> None:
    answers = list(map_in_order(lambda: _square, range(101), jobs=3))
    assert [a for a, _ in answers] == [n * n for n in range(101)]
    pids = {pid for _, pid in answers}
    assert _PARENT in pids  # this process works too
    assert len(pids) >= 2


def _tagged(n: int) -> tuple[int, int]:
    return n, os.getpid()


def test_every_chunk_is_taken_once_past_the_most_chunks() -> None:
    # 40,000 inputs: more chunks of CHUNK than the pipe of chunk numbers holds, so the
    # chunks grow; three processes reading it at once each get whole numbers, none twice.
    answers = list(map_in_order(lambda: _tagged, range(40_000), jobs=3))
    assert [n for n, _ in answers] == list(range(40_000))


def test_runs_come_a_chunk_at_a_time_with_jobs_and_one_at_a_time_without() -> None:
    runs = list(runs_in_order(lambda: _square, range(40), jobs=2))
    # The last 2 x CHUNK inputs one at a time: no process finishes long after the other.
    assert [len(run) for run in runs] == [CHUNK] * (40 // CHUNK - 2) + [1] * (2 * CHUNK)
    assert [a for run in runs for a, _ in run] == [n * n for n in range(40)]
    assert [len(run) for run in runs_in_order(lambda: _square, range(3), jobs=1)] == [1, 1, 1]


def test_one_job_runs_here() -> None:
    assert [pid for _, pid in map_in_order(lambda: _square, range(3), jobs=1)] == [os.getpid()] * 3
    assert list(map_in_order(lambda: _square, [], jobs=4)) == []
    with pytest.raises(ValueError, match="at least 1"):
        list(map_in_order(lambda: _square, [1], jobs=0))


def _fails_at_twenty(n: int) -> int:
    if n == 20:
        raise KeyError(f"item {n}")
    return n


def test_an_error_in_a_worker_is_raised_at_its_turn() -> None:
    # Work goes out in chunks: the answers of the chunks before the failing one arrive.
    answers = map_in_order(lambda: _fails_at_twenty, range(60), jobs=2)
    before = 20 // CHUNK * CHUNK
    assert [next(answers) for _ in range(before)] == list(range(before))
    with pytest.raises(KeyError, match="item 20"):
        next(answers)


def _dies_in_a_worker(n: int) -> int:
    if os.getpid() != _PARENT:
        os.kill(os.getpid(), signal.SIGKILL)  # the OOM killer, say
    time.sleep(0.005)
    return n


def test_a_worker_killed_mid_work_is_a_named_error_not_a_hang() -> None:
    # Its chunk is not made again here: an input that kills a process would kill this one.
    answers = map_in_order(lambda: _dies_in_a_worker, range(40), jobs=2)
    with pytest.raises(BatchError, match=r"worker process stopped .* before it answered for"):
        list(answers)


def _slow(n: int) -> int:
    time.sleep(0.01)
    return n


def test_stopping_early_drops_the_work_not_started() -> None:
    answers = map_in_order(lambda: _slow, range(3_000), jobs=2)  # 15 s of work on 2 workers
    assert next(answers) == 0
    started = time.monotonic()
    answers.close()
    assert time.monotonic() - started < 5


def test_each_process_sets_up_after_the_fork_in_its_own_process() -> None:
    # The point of forking first: no process waits while another imports and sets up.
    def make() -> object:
        made_in = os.getpid()

        def one(n: int) -> tuple[int, int, int]:
            time.sleep(0.005)  # long enough for every worker to take a chunk
            return n, made_in, os.getpid()

        return one

    answers = list(map_in_order(make, range(64), jobs=2))
    assert [n for n, _, _ in answers] == list(range(64))
    assert all(made_in == pid for _, made_in, pid in answers)
    assert len({pid for _, _, pid in answers}) == 2


def test_a_worker_that_cannot_set_up_leaves_its_share_to_the_others() -> None:
    def make() -> object:
        if os.getpid() != _PARENT:
            raise OSError("no memory for the verifier")
        return _square

    answers = list(map_in_order(make, range(40), jobs=3))
    assert answers == [(n * n, _PARENT) for n in range(40)]


def test_a_set_up_that_fails_here_is_raised_at_once() -> None:
    def make() -> object:
        raise ValueError("the trust file is unreadable")

    with pytest.raises(ValueError, match="unreadable"):
        list(map_in_order(make, range(40), jobs=2))
