"""The user's cache folder: what laurel can always make again, kept to start faster.

``$LAUREL_CACHE_DIR`` (empty: no cache at all), else ``$XDG_CACHE_HOME/laurel``, else
``~/.cache/laurel``. Files are written atomically and readable by their owner only,
and a file is read back only when it is still that: owned by this user, a regular
file, writable by nobody else. Losing the folder costs time, nothing else.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

__all__ = ["folder", "read_private", "write_private"]


def folder() -> Path | None:
    """The cache folder (None: caching is off)."""
    chosen = os.environ.get("LAUREL_CACHE_DIR")
    if chosen == "":
        return None
    if chosen is None:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        chosen = str(Path(base) / "laurel")
    return Path(chosen)


def read_private(path: Path) -> bytes | None:
    """The bytes of `path` if it is this user's own regular file, writable by nobody else."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        ):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError:
        return None
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, readable by its owner only; failures are ignored."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.name}-", suffix=".tmp", delete=False
        ) as handle:
            handle.write(data)
            temporary = handle.name
        os.replace(temporary, path)
    except OSError:
        return
