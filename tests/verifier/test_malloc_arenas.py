"""A `laurel serve` worker shares two malloc arenas among its threads (verifier/malloc_arenas.py)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from verifier import server
from verifier.malloc_arenas import WORKER_ARENAS

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="malloc arenas are glibc's",
)

# Twelve threads alive at once, each allocating blocks that Python takes from malloc
# (over 512 bytes), then glibc's own count of its arenas on stderr.
_THREADS = """
import ctypes, sys, threading
from verifier.malloc_arenas import cap_arenas
if sys.argv[1] == "cap":
    assert cap_arenas()
barrier = threading.Barrier(12)
kept = []
def work():
    barrier.wait()
    kept.append([bytearray(2000) for _ in range(50)])
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(12)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
ctypes.CDLL(None).malloc_stats()
"""


def _arenas(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _THREADS, mode], capture_output=True, text=True, check=True
    )
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines())


@glibc
def test_threads_share_the_capped_arenas() -> None:
    assert _arenas("cap") <= WORKER_ARENAS


@glibc
def test_without_the_cap_each_thread_takes_an_arena() -> None:
    # The control: what the cap prevents does happen on this machine.
    assert _arenas("none") > WORKER_ARENAS


def test_each_worker_caps_its_arenas_before_it_builds_the_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(server, "cap_arenas", lambda: calls.append("cap") or True)
    monkeypatch.setattr("verifier.warm.warm_up", lambda: True)

    class App:
        wsgi_app = "flask"

    def make() -> App:
        calls.append("app")
        return App()

    load = server._worker_app(make, 0.005, None, access_log=False)
    assert load().wsgi_app == "flask"
    assert calls == ["cap", "app"]
