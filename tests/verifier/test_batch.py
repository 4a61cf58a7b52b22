"""verifier.batch: answers in input order from forked lanes, errors at their turn."""

from __future__ import annotations

import os
import signal
import time

import pytest

from verifier.batch import WorkerLostError, map_in_order


def _square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_answers_come_in_input_order_from_every_lane() -> None:
    answers = list(map_in_order(_square, range(101), jobs=3))
    assert [a for a, _ in answers] == [n * n for n in range(101)]
    assert len({pid for _, pid in answers}) == 3  # this process and two forked lanes
    assert answers[0][1] == os.getpid()


def test_more_jobs_than_items_and_one_item_run_here() -> None:
    assert [a for a, _ in map_in_order(_square, [7], jobs=8)] == [49]
    assert list(map_in_order(_square, [], jobs=4)) == []
    with pytest.raises(ValueError, match="at least 1"):
        list(map_in_order(_square, [1], jobs=0))


def _fails_on_five(n: int) -> int:
    if n == 5:
        raise KeyError(f"item {n}")
    return n


@pytest.mark.parametrize("jobs", [2, 3])
def test_an_error_in_a_lane_is_raised_at_its_turn(jobs: int) -> None:
    answers = map_in_order(_fails_on_five, range(20), jobs=jobs)
    assert [next(answers) for _ in range(5)] == [0, 1, 2, 3, 4]
    with pytest.raises(KeyError, match="item 5"):
        next(answers)


def _unpicklable(n: int) -> object:
    return (lambda: n) if n == 3 else n


def test_an_answer_that_does_not_pickle_is_a_named_error_not_a_hang() -> None:
    with pytest.raises(RuntimeError, match="pickle"):
        list(map_in_order(_unpicklable, range(6), jobs=2))


def _dies_on_three(n: int) -> int:
    if n == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def test_a_worker_killed_mid_work_is_named() -> None:
    with pytest.raises(WorkerLostError):
        list(map_in_order(_dies_on_three, range(8), jobs=2))


def _slow(n: int) -> int:
    time.sleep(0.01)
    return n


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(p) for p in listing.read().split()]


def test_stopping_early_stops_the_workers() -> None:
    before = set(_children(os.getpid()))
    answers = map_in_order(_slow, range(10_000), jobs=3)
    assert next(answers) == 0
    assert len(set(_children(os.getpid())) - before) == 2
    answers.close()
    assert set(_children(os.getpid())) - before == set()  # none running, no zombie
