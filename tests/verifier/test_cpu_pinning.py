"""verifier.cpu_pinning: workers spread over the cores machine-wide, a dead one's core freed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from verifier.cpu_pinning import CoreClaims

_TWO_CORES = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")


def _in_a_process(code: str, claims: Path, **options: Any) -> str:
    # `code` run by a new Python process (a worker), with `claims` as DIRECTORY; its output.
    script = (
        "import os, sys, threading\n"
        "from pathlib import Path\n"
        "from verifier.cpu_pinning import CoreClaims\n"
        "DIRECTORY = Path(sys.argv[1])\n" + code
    )
    return subprocess.run(
        [sys.executable, "-c", script, str(claims)],
        capture_output=True,
        text=True,
        check=True,
        **options,
    ).stdout


def test_workers_take_the_cores_in_turn(tmp_path: Path) -> None:
    # Each CoreClaims stands for one worker (of this instance or another on the machine).
    claims = [CoreClaims((2, 3), directory=tmp_path) for _ in range(5)]
    assert [c.claim() for c in claims] == [2, 3, 2, 3, 2]
    # A worker claims once.
    assert claims[0].claim() is None


def test_a_released_core_goes_to_the_next_worker(tmp_path: Path) -> None:
    first, second, third = (CoreClaims((0, 1), directory=tmp_path) for _ in range(3))
    assert (first.claim(), second.claim()) == (0, 1)
    first.release()
    assert third.claim() == 0


def test_a_dead_workers_claim_is_freed_by_the_kernel(tmp_path: Path) -> None:
    held = _in_a_process("print(CoreClaims((0, 1), directory=DIRECTORY).claim())\n", tmp_path)
    assert held == "0\n"
    # That process ended (as a killed worker does) without releasing anything.
    assert CoreClaims((0, 1), directory=tmp_path).claim() == 0


def test_one_core_leaves_the_workers_where_they_are(tmp_path: Path) -> None:
    assert CoreClaims((0,), directory=tmp_path).claim() is None


def test_a_claims_directory_others_can_write_in_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / f"laurel-cores-{os.getuid()}"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert CoreClaims((0, 1)).claim() is None
    shared.chmod(0o700)
    assert CoreClaims((0, 1)).claim() == 0


@_TWO_CORES
def test_pin_moves_every_thread_of_the_process(tmp_path: Path) -> None:
    cores = sorted(os.sched_getaffinity(0))
    CoreClaims(tuple(cores), directory=tmp_path).claim()  # the first core is taken
    out = _in_a_process(
        "stop = threading.Event()\n"
        "t = threading.Thread(target=stop.wait); t.start()\n"
        "core = CoreClaims(directory=DIRECTORY).pin()\n"
        "tasks = [int(x) for x in os.listdir('/proc/self/task')]\n"
        "print(core, sorted({tuple(sorted(os.sched_getaffinity(x))) for x in tasks}))\n"
        "stop.set(); t.join()\n",
        tmp_path,
    ).split(maxsplit=1)
    assert out == [str(cores[1]), f"[({cores[1]},)]\n"]


@_TWO_CORES
def test_an_instance_given_one_core_with_taskset_stays_on_it(tmp_path: Path) -> None:
    # `taskset -c N laurel serve`: the workers use only the cores the server was given.
    last = max(os.sched_getaffinity(0))
    out = _in_a_process(
        "claims = CoreClaims(directory=DIRECTORY)\n"
        "print(claims.cores, claims.pin(), sorted(os.sched_getaffinity(0)))\n",
        tmp_path,
        preexec_fn=lambda: os.sched_setaffinity(0, {last}),
    )
    assert out == f"({last},) None [{last}]\n"


def test_a_worker_the_system_will_not_pin_gives_its_core_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_pid: int, _cores: set[int]) -> None:
        raise PermissionError("not allowed here")

    monkeypatch.setattr(os, "sched_setaffinity", refuse)
    assert CoreClaims((0, 1), directory=tmp_path).pin() is None
    assert CoreClaims((0, 1), directory=tmp_path).claim() == 0


def test_a_servers_workers_take_different_cores_whoever_claims_between(tmp_path: Path) -> None:
    # Two servers started together: a worker of "b" claims between the two of "a". Taken
    # in turn alone, a's second worker would join its first on core 0.
    a1, a2 = (CoreClaims((0, 1), directory=tmp_path, server="a") for _ in range(2))
    b1, b2 = (CoreClaims((0, 1), directory=tmp_path, server="b") for _ in range(2))
    assert (a1.claim(), b1.claim(), a2.claim(), b2.claim()) == (0, 1, 1, 0)


def test_more_workers_than_cores_share_them_in_turn(tmp_path: Path) -> None:
    claims = [CoreClaims((0, 1), directory=tmp_path, server="a") for _ in range(3)]
    other = CoreClaims((0, 1), directory=tmp_path, server="b")
    assert [c.claim() for c in claims] == [0, 1, 0]
    assert other.claim() == 1


def test_a_released_claim_frees_its_servers_mark(tmp_path: Path) -> None:
    first, second = (CoreClaims((0, 1), directory=tmp_path, server="a") for _ in range(2))
    assert first.claim() == 0
    first.release()
    assert second.claim() == 0


def test_the_server_forgets_its_marks(tmp_path: Path) -> None:
    worker = CoreClaims((0, 1), directory=tmp_path, server="a")
    assert worker.claim() == 0
    worker.release()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["core-0-0", "server-a-core-0"]
    CoreClaims((0, 1), directory=tmp_path, server="a").forget()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["core-0-0"]
