"""verifier.parent_death: a worker ends with `laurel serve`, and a set-up run in process is left alone."""

from __future__ import annotations

import os
import signal

from verifier.parent_death import end_with_parent


def test_a_process_that_is_the_parent_itself_is_left_alone() -> None:
    # A worker's set-up run in the test process (tests/verifier/test_access_log.py does):
    # asking for a signal at the death of this process's own parent would be wrong, and
    # "the parent is gone" would end the test run itself (it did, once, in a clean clone).
    assert end_with_parent(os.getpid()) is False


def test_a_child_whose_parent_is_not_the_one_expected_ends_at_once() -> None:
    pid = os.fork()
    if pid == 0:  # the child: its parent is this test's process, not the one named
        try:
            end_with_parent(os.getppid() + 1_000_000)
            os._exit(0)  # not reached: SIGTERM is delivered first
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signal.SIGTERM


def test_a_child_of_the_expected_parent_goes_on() -> None:
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(0 if end_with_parent(parent) else 2)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status)
    assert os.WEXITSTATUS(status) == 0
