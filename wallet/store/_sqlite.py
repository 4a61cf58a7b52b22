"""SQLite underneath the store: connecting, its errors as wallet errors, files beside it."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from wallet.errors import WalletBusyError, WalletCorruptError, WalletError

#: Seconds a command waits for another `laurel` process to finish writing (W06).
DEFAULT_BUSY_TIMEOUT: Final = 10.0


# SQLite primary result codes (the low byte of the extended code).
_SQLITE_PERM: Final = 3
_SQLITE_BUSY: Final = 5
_SQLITE_LOCKED: Final = 6
_SQLITE_READONLY: Final = 8
_SQLITE_IOERR: Final = 10
_SQLITE_CORRUPT: Final = 11
_SQLITE_FULL: Final = 13
_SQLITE_CANTOPEN: Final = 14
_SQLITE_NOTADB: Final = 26

_WRITE_HINT: Final = (
    "Free some disk space or make the wallet folder writable, then run the command "
    "again; the transaction was rolled back and the wallet was not changed."
)


def _connect(path: Path, busy_timeout: float, *, read_only: bool) -> sqlite3.Connection:
    # mode=rw / mode=ro: SQLite must never create the file (open never re-initialises).
    mode = "ro" if read_only else "rw"
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    connection = sqlite3.connect(uri, uri=True, timeout=busy_timeout, isolation_level=None)
    try:
        # DELETE: see the module docstring. FULL: fsync the journal and the database
        # on every commit, so a power cut never loses a committed badge.
        connection.execute("PRAGMA journal_mode = DELETE").fetchall()
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        # Deleted credentials (with recipients' identifiers) are zeroed, not left in
        # free pages where a snapshot or a stolen file would still carry them.
        connection.execute("PRAGMA secure_delete = ON")
    except BaseException:
        connection.close()
        raise
    return connection


@contextlib.contextmanager
def _translated(path: str, busy_timeout: float) -> Iterator[None]:
    """Turn SQLite's I/O and corruption errors into wallet errors naming `path`.

    Other sqlite3 errors (bad SQL, misuse) are bugs and pass through unchanged.
    """
    try:
        yield
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if not isinstance(code, int):
            raise
        primary = code & 0xFF
        error: WalletError
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            error = WalletBusyError(
                f"{path} is in use by another laurel process (waited {busy_timeout:g} s)"
            )
        elif primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            error = WalletCorruptError(f"{path} is damaged: {exc}")
        elif primary == _SQLITE_FULL:
            error = WalletError(f"the disk is full; cannot write {path}", hint=_WRITE_HINT)
        elif primary in (_SQLITE_READONLY, _SQLITE_PERM, _SQLITE_IOERR, _SQLITE_CANTOPEN):
            error = WalletError(f"cannot write {path}: {exc}", hint=_WRITE_HINT)
        else:
            raise
        raise error from exc


@contextlib.contextmanager
def _locked_for_replacement(path: Path, busy_timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on the database being replaced, if it is one.

    This waits for a laurel process still writing it and rolls back any journal
    a crashed process left, so no stale journal is replayed onto the new file.
    """
    if not path.exists():
        yield
        return
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw",
            uri=True,
            timeout=busy_timeout,
            isolation_level=None,
        )
    except sqlite3.Error:
        connection = None
    locked = False
    if connection is not None:
        try:
            with _translated(str(path), busy_timeout):
                connection.execute("BEGIN EXCLUSIVE")
                connection.execute("SELECT count(*) FROM sqlite_schema").fetchall()
            locked = True
        except WalletCorruptError:
            pass  # The old file is damaged: that is why it is being replaced.
        except BaseException:
            connection.close()
            raise
    try:
        if not locked:
            # Its journal could not be rolled back; replayed onto the new file it
            # would corrupt it, and it belongs to the file being thrown away.
            with contextlib.suppress(FileNotFoundError):
                _journal_path(path).unlink()
        yield
    finally:
        if connection is not None:
            with contextlib.suppress(sqlite3.Error):
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
            connection.close()


def _make_temp(path: Path, suffix: str) -> tuple[int, str]:
    try:
        # mkstemp creates the file 0600, in the database's folder so os.replace is atomic.
        return tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise WalletError(
            f"cannot write a temporary file beside {path}: {exc.strerror}", hint=_WRITE_HINT
        ) from exc


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _journal_path(path: Path) -> Path:
    return path.with_name(path.name + "-journal")
