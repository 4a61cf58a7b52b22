"""Few malloc arenas in a `laurel serve` worker, so that its memory stays flat.

glibc gives each new thread an arena of its own, up to eight per core. A worker runs
dozens of threads (verifier/server.py), and each arena keeps the memory it freed for
its own thread: as load spreads over more threads, the worker's RSS climbs. In
10-minute soaks it grew 7-11 % (bench/REPORT.md) with no leak in the app (in process,
40,000 requests left RSS flat). The threads take the GIL to run Python anyway, so
they seldom allocate at the same moment: two arenas are enough. With them, two
10-minute soaks grew 0.5-5.9 %, at the same throughput. ``MALLOC_ARENA_MAX`` does the
same, but only when set before a process starts; a worker is forked from an
interpreter that has already allocated.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

__all__ = ["WORKER_ARENAS", "cap_arenas"]

#: Arenas per worker process (measured with bench.soak: see the module's docstring).
WORKER_ARENAS = 2
#: mallopt's parameter for the arena limit (glibc's malloc.h).
_M_ARENA_MAX = -8


def cap_arenas(arenas: int = WORKER_ARENAS) -> bool:
    """Limit this process to `arenas` malloc arenas from now on; False where not glibc.

    Threads that already have an arena keep it; new ones share the first `arenas`.
    """
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, arenas))
