"""A child process that ends with its parent: ``prctl(PR_SET_PDEATHSIG)`` on Linux.

A `laurel serve` killed outright (``kill -9``, the OOM killer) runs no cleanup: its
granian workers and its nginx front would go on, orphaned, holding the port. Each asks
the kernel for a signal when its parent dies: nginx SIGTERM (it stops its workers), a
granian worker SIGKILL (its graceful stop without its master once hung). The signal is
tied to the parent's thread that forked the child: granian forks its workers, and
laurel starts nginx, from the main thread, which lives as long as the process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

__all__ = ["end_with_parent"]

_PR_SET_PDEATHSIG = 1


def end_with_parent(parent: int | None = None, sig: int = signal.SIGTERM) -> bool:
    """Ask for `sig` when this process's parent dies; False where Linux's prctl is missing.

    With `parent` (the pid expected), a parent already gone by now (the signal would
    never come) ends this process at once; a process that is `parent` itself (a worker's
    set-up run in process, as the tests do) is left alone.
    """
    if not sys.platform.startswith("linux") or parent == os.getpid():
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    if ctypes.CDLL(name, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig) != 0:
        return False
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), sig)
    return True
