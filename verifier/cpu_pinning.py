"""One CPU core per `laurel serve` worker: its threads hand the GIL over on one core's caches.

A worker runs its requests in many Python threads, one holding the GIL at a time.
Left to the scheduler, the thread that takes the GIL next is often on the other
core, and starts with that core's caches cold: on this project's 2-core machine a
worker spent 30-40 % more CPU per verification that way (bench/REPORT.md, "One core
per worker"). Pinned, every thread of a worker runs on its own core, and the
workers share the machine's cores round-robin.

The claims live in shared memory made before the server forks its workers, so a
worker that is respawned takes the core of the one that died.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

__all__ = ["CoreClaims"]


class CoreClaims:
    """Which worker holds which core: made in the server process, used in each worker."""

    def __init__(self, workers: int, cores: tuple[int, ...] | None = None) -> None:
        self._cores = cores if cores is not None else _usable_cores()
        # One slot per worker: the pid of the worker process holding it (0: free).
        self._owners = multiprocessing.Array("q", max(workers, 1))

    @property
    def cores(self) -> tuple[int, ...]:
        """The cores the workers are spread over (those this process may run on)."""
        return self._cores

    def claim(self, pid: int | None = None) -> int | None:
        """Take a free slot (or a dead worker's) for `pid` and return its core.

        None when there is nothing to choose (one usable core) or every slot is held
        by a live process.
        """
        if len(self._cores) < 2:
            return None
        pid = os.getpid() if pid is None else pid
        with self._owners.get_lock():
            for slot in range(len(self._owners)):
                owner = int(self._owners[slot])
                if owner == 0 or owner == pid or not _alive(owner):
                    self._owners[slot] = pid
                    return self._cores[slot % len(self._cores)]
        return None

    def pin(self) -> int | None:
        """Claim a core for this process and move every one of its threads onto it.

        Threads made later inherit it. Returns the core, or None when the process
        stays where the scheduler puts it (nothing to choose, or the system refuses).
        """
        core = self.claim()
        if core is None:
            return None
        try:
            for task in _threads():
                os.sched_setaffinity(task, {core})
        except OSError:
            return None
        return core


def _usable_cores() -> tuple[int, ...]:
    try:
        return tuple(sorted(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux: no pinning
        return ()


def _threads() -> list[int]:
    try:
        return [int(task.name) for task in Path("/proc/self/task").iterdir()]
    except OSError:
        return [0]  # the calling thread


def _alive(pid: int) -> bool:
    # A worker that died but was not yet reaped is a zombie: its core is free.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] != ["Z"]
