"""verifier.cpu_pinning: each worker its own core, and a respawned worker its predecessor's."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from verifier.cpu_pinning import CoreClaims


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_workers_share_the_cores_in_turn() -> None:
    claims = CoreClaims(5, cores=(2, 3))
    mine = os.getpid()
    parent = os.getppid()
    assert claims.claim(mine) == 2
    assert claims.claim(parent) == 3
    # The same process asking again keeps its core.
    assert claims.claim(mine) == 2


def test_a_dead_workers_core_goes_to_its_replacement() -> None:
    claims = CoreClaims(2, cores=(0, 1))
    assert claims.claim(os.getppid()) == 0
    assert claims.claim(_dead_pid()) == 1
    assert claims.claim(os.getpid()) == 1


def test_live_workers_keep_their_cores() -> None:
    claims = CoreClaims(1, cores=(0, 1))
    assert claims.claim(os.getppid()) == 0
    assert claims.claim(os.getpid()) is None


def test_one_core_leaves_the_workers_where_they_are() -> None:
    assert CoreClaims(2, cores=(0,)).claim(os.getpid()) is None


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_pin_moves_every_thread_of_the_process() -> None:
    script = (
        "import os, threading, time\n"
        "from verifier.cpu_pinning import CoreClaims\n"
        "stop = threading.Event()\n"
        "t = threading.Thread(target=stop.wait); t.start()\n"
        "claims = CoreClaims(2)\n"
        "claims.claim(os.getppid())\n"  # the first core is taken
        "core = claims.pin()\n"
        "tasks = [int(x) for x in os.listdir('/proc/self/task')]\n"
        "print(core, sorted({tuple(sorted(os.sched_getaffinity(x))) for x in tasks}))\n"
        "stop.set(); t.join()\n"
    )
    cores = sorted(os.sched_getaffinity(0))
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=os.getcwd()
    ).stdout.split(maxsplit=1)
    assert out == [str(cores[1]), f"[({cores[1]},)]\n"]


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_an_instance_given_one_core_with_taskset_stays_on_it() -> None:
    # `taskset -c N laurel serve`: the workers use only the cores the server was given.
    last = max(os.sched_getaffinity(0))
    script = (
        "import os\n"
        "from verifier.cpu_pinning import CoreClaims\n"
        "claims = CoreClaims(2)\n"
        "print(claims.cores, claims.pin(), sorted(os.sched_getaffinity(0)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=lambda: os.sched_setaffinity(0, {last}),
    ).stdout
    assert out == f"({last},) None [{last}]\n"
