"""Crash-safe, private file writes and the permission checks of the wallet's files.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from wallet.atomic import check_private, ensure_private_dir, write_atomic
    >>> home = Path(tempfile.mkdtemp()) / "wallet"
    >>> ensure_private_dir(home)
    >>> write_atomic(home / "keystore", b"sealed bytes")
    >>> check_private(home / "keystore")
    >>> (home / "keystore").read_bytes()
    b'sealed bytes'

A write either leaves the old file whole or puts the new one whole in its place
(SECURITY.md W05/W08): the bytes go to a temporary file in the same folder, which is
flushed to disk, renamed over the target with :func:`os.replace` (atomic on POSIX),
and then the folder itself is flushed so the rename survives a power cut.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import secrets
import stat
from pathlib import Path

from wallet.errors import UnsafePermissionsError, WalletError, WalletExistsError

__all__ = ["check_private", "ensure_private_dir", "sweep_temporaries", "write_atomic"]

# Permission bits that let anyone but the owner in.
_GROUP_OTHER = stat.S_IRWXG | stat.S_IRWXO


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600, exclusive: bool = False) -> None:
    """Replace `path` with `data` all at once, the file ending with exactly `mode`.

    Args:
        path: the file to write; its folder must exist.
        data: the complete new contents.
        mode: the file's permission bits, applied whatever the umask.
        exclusive: refuse to replace an existing file (checked atomically).

    Raises:
        WalletExistsError: `exclusive` and `path` already exists.
        WalletError: the file could not be written (disk full, read-only folder, ...);
            the original file, if any, is unchanged and no temporary file is left.
    """
    if not isinstance(data, bytes):
        raise TypeError("write_atomic writes bytes")
    folder = path.parent
    # A dot name in the same folder: os.replace is only atomic within one filesystem,
    # and the random part keeps two writers from sharing a temporary file.
    tmp = folder / f".{path.name}.{secrets.token_hex(8)}.tmp"
    try:
        # O_EXCL never reuses an existing file (or a planted symlink); the mode is given
        # at creation so the file is never readable by others, even for an instant.
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, mode)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        try:
            # The umask may have narrowed the mode; the caller asked for exactly `mode`.
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if exclusive:
            _link_exclusive(tmp, path)
        else:
            os.replace(tmp, path)
    except WalletExistsError:
        _remove_quietly(tmp)
        raise
    except OSError as exc:
        _remove_quietly(tmp)
        raise _write_error(path, exc) from exc
    _fsync_dir(folder, path)


def sweep_temporaries(path: Path) -> int:
    """Remove the temporary files killed writes of `path` left beside it; how many.

    Only :func:`write_atomic`'s own names for `path` (``.NAME.<16 hex>.tmp``) are
    touched. A write to `path` under way in another process at that moment then fails
    with a :class:`WalletError` instead of completing (the file stays whole either way).
    """
    swept = 0
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        if _TEMPORARY.fullmatch(stale.name[len(path.name) + 2 :]):
            # Best effort: what was asked for is written (or refused) already.
            with contextlib.suppress(OSError):
                stale.unlink()
                swept += 1
    return swept


_TEMPORARY = re.compile(r"[0-9a-f]{16}\.tmp")


def ensure_private_dir(path: Path) -> None:
    """Create the folder `path` (mode 0700 whatever the umask) unless it exists.

    Missing parents are created with the default mode, like ``mkdir -p``; an existing
    folder is left as it is (:func:`check_private` says whether it is safe).

    Raises:
        WalletError: `path` exists and is not a folder, or cannot be created.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(path, 0o700)
    except FileExistsError as exc:
        if not path.is_dir():
            raise WalletError(f"{path} exists and is not a folder") from exc
        return
    except OSError as exc:
        raise WalletError(f"could not create {path}: {_reason(exc)}") from exc
    try:
        # mkdir's mode is filtered by the umask; set the exact bits on the folder we made.
        os.chmod(path, 0o700)
    except OSError as exc:
        raise WalletError(f"could not make {path} private: {_reason(exc)}") from exc


def check_private(path: Path) -> None:
    """Check that only the owner can use the file or folder `path`, as ssh does.

    Raises:
        UnsafePermissionsError: group or other users have any permission on `path`.
        WalletError: `path` cannot be examined.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        raise WalletError(f"could not examine {path}: {_reason(exc)}") from exc
    loose = stat.S_IMODE(st.st_mode) & _GROUP_OTHER
    if loose:
        kind = "folder" if stat.S_ISDIR(st.st_mode) else "file"
        raise UnsafePermissionsError(
            f"{path} is a {kind} open to other users (mode {stat.S_IMODE(st.st_mode):04o})"
        )


def _link_exclusive(tmp: Path, path: Path) -> None:
    # link(2) fails with EEXIST instead of replacing: no window between a check and the
    # write in which another process could create `path`.
    try:
        os.link(tmp, path)
    except FileExistsError as exc:
        raise WalletExistsError(f"{path} already exists; laurel does not replace it") from exc
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        # Filesystems without hard links (FAT, some network mounts): check, then rename.
        if path.exists():
            raise WalletExistsError(f"{path} already exists; laurel does not replace it") from exc
        os.replace(tmp, path)
        return
    # `path` now holds the data; a leftover temporary name is harmless, so a failure
    # here must not report the write as failed.
    _remove_quietly(tmp)


def _fsync_dir(folder: Path, path: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        # Some filesystems cannot fsync a folder (EINVAL); the rename itself is done.
        if exc.errno == errno.EINVAL:
            return
        raise _write_error(path, exc) from exc


def _remove_quietly(tmp: Path) -> None:
    # Best effort: the write already failed and that error is the one to report.
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _write_error(path: Path, exc: OSError) -> WalletError:
    return WalletError(
        f"could not write {path}: {_reason(exc)}",
        hint="Free some disk space or make the folder writable, then run the command again; "
        "the previous file was left as it was.",
    )


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
