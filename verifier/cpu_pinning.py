"""One CPU core per `laurel serve` worker: its threads hand the GIL over on one core's caches.

A worker runs its requests in many Python threads, one holding the GIL at a time.
Left to the scheduler, the thread that takes the GIL next is often on the other
core, and starts with that core's caches cold: on this project's 2-core machine a
worker spent 30-40 % more CPU per verification that way (bench/REPORT.md, "One core
per worker"). Pinned, every thread of a worker runs on one core.

A worker claims its core with a lock file per core (``flock``) in a directory of the
user's own, so the workers of every `laurel serve` on the machine spread over the cores
in turn, and the kernel releases a claim when its worker ends, however it ends: a
respawned worker takes the core its predecessor held.

One server's workers take different cores first, whatever the other servers' workers
claim meanwhile: each also holds a mark of its server on its core. Without it, two
servers started together could put both workers of one on the same core, and that
server served at one core's rate (bench.serve measured 2,500 requests/s for two workers
where they do 5,400 apart).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["CoreClaims"]

#: Claims per core before a worker stays unpinned (workers per core, machine-wide).
MAX_WORKERS_PER_CORE = 64


class CoreClaims:
    """The cores workers may claim; made in the server process, claimed in each worker."""

    def __init__(
        self,
        cores: tuple[int, ...] | None = None,
        *,
        directory: Path | None = None,
        server: str | None = None,
    ) -> None:
        self._cores = cores if cores is not None else _usable_cores()
        self._directory = directory
        #: Whose workers these are: the server process that made this object.
        self._server = server if server is not None else str(os.getpid())
        self._held: int | None = None  # the claim's file descriptor, for the process's life
        self._mark: int | None = None  # the server's mark on that core, held as long

    @property
    def cores(self) -> tuple[int, ...]:
        """The cores the workers are spread over (those this process may run on)."""
        return self._cores

    def claim(self) -> int | None:
        """Claim the least-claimed core on the machine for this process and return it.

        Cores are taken in turn: every core's first claim before any core's second,
        and a core no other worker of this server holds before one it does. The claim
        lasts until :meth:`release` or the end of the process. None when there is
        nothing to choose (one usable core) or no claim can be made.
        """
        if self._held is not None or len(self._cores) < 2:
            return None
        directory = self._directory or _claims_directory()
        if directory is None:
            return None
        try:
            # More workers than cores: past the first pass, cores are shared in turn.
            for apart in (True, False):
                for tier in range(MAX_WORKERS_PER_CORE):
                    for core in self._cores:
                        mark = None
                        if apart:
                            mark = _lock(directory / f"server-{self._server}-core-{core}")
                            if mark is None:
                                continue  # another worker of this server is on it
                        handle = _lock(directory / f"core-{core}-{tier}")
                        if handle is None:
                            if mark is not None:
                                os.close(mark)
                            continue
                        self._held, self._mark = handle, mark
                        return core
        except OSError:  # the directory cannot be used
            return None
        return None

    def release(self) -> None:
        """Give the claim back (a worker's ends with it)."""
        for handle in (self._held, self._mark):
            if handle is not None:
                os.close(handle)
        self._held = self._mark = None

    def forget(self) -> None:
        """Remove this server's marks (called by the server once its workers are gone)."""
        directory = self._directory or _claims_directory()
        if directory is None:
            return
        for core in self._cores:
            with contextlib.suppress(OSError):
                (directory / f"server-{self._server}-core-{core}").unlink()

    def pin(self) -> int | None:
        """Claim a core and move every thread of this process onto it.

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
            self.release()  # not on it after all: the core goes to another worker
            return None
        return core


def _lock(path: Path) -> int | None:
    """`path` opened and locked (its descriptor), or None when another process holds it.

    Raises:
        OSError: the file cannot be opened or made.
    """
    handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        return None
    return handle


def _claims_directory() -> Path | None:
    # The user's own directory (0700), never one another user made or can write in.
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    path = Path(base) / f"laurel-cores-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return path


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
