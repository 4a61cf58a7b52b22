"""The wallet's SQLite database: settings, credentials and status allocations.

Every write a `laurel` process makes goes through :class:`Store`, inside a
``BEGIN IMMEDIATE`` transaction, so each operation is all or nothing (SECURITY.md
W05) and two processes on the same wallet take turns (W06).

    >>> import tempfile
    >>> from pathlib import Path
    >>> from wallet.store import Store
    >>> path = Path(tempfile.mkdtemp()) / "wallet.db"
    >>> with Store.create(path) as store:
    ...     stored = store.add_credential({"id": "urn:uuid:1", "name": "Badge"}, origin="issued")
    ...     [c.name for c in store.list_credentials()]
    ['Badge']

The journal mode is ``DELETE`` (a rollback journal), not WAL: the whole wallet
is then always one self-contained file once a command ends, so a backup or a
copy of ``wallet.db`` alone is complete; WAL would keep committed rows in a
``-wal`` file beside it until a checkpoint and needs a ``-shm`` file even to
read (so a wallet on read-only media could not be opened). laurel is a
command-line tool with one writer at a time, so WAL's concurrent readers buy
nothing here. SQLite creates the ``-journal`` file with the database file's own
permissions, so it is 0600 too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from wallet.errors import WalletError, WalletExistsError, WalletNotFoundError
from wallet.store._anchoring import AnchorBatchRow
from wallet.store._core import _utc_now
from wallet.store._credentials import StoredCredential
from wallet.store._originals import ORIGINAL_FORMATS, Original, Originals
from wallet.store._people import AmbiguousIdError, People, short_id
from wallet.store._schema import (
    _APPLICATION_ID,
    _PAGE_SIZE,
    _SCHEMA,
    _STATUS_SCHEMA,
    SCHEMA_VERSION,
    _add_status_tables,
    _check_contents,
    _check_header,
)
from wallet.store._sqlite import (
    _WRITE_HINT,
    DEFAULT_BUSY_TIMEOUT,
    _connect,
    _fsync_directory,
    _journal_path,
    _locked_for_replacement,
    _make_temp,
    _translated,
)
from wallet.store._status import StatusListRow, StatusLists

__all__ = [
    "ORIGINAL_FORMATS",
    "SCHEMA_VERSION",
    "AmbiguousIdError",
    "AnchorBatchRow",
    "Original",
    "StatusListRow",
    "StoredCredential",
    "Store",
    "short_id",
]


class Store(StatusLists, Originals, People):
    """An open wallet database; make one with :meth:`create` or :meth:`open`.

    Reads and writes are atomic: a write outside :meth:`transaction` runs in a
    short transaction of its own. Use it as a context manager, or :meth:`close` it.
    """

    # --- opening and closing -----------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> Store:
        """Create a new, empty wallet database at `path`, mode 0600 whatever the umask.

        Args:
            path: the database file to create; it must not exist.
            clock: gives the UTC time stamped as a credential's `added_at`.
            busy_timeout: seconds to wait for another process's write to finish.

        Raises:
            WalletExistsError: `path` already exists (it is left as it is).
            WalletError: the file cannot be created or written.
        """
        path = Path(path)
        try:
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
            )
        except FileExistsError as exc:
            raise WalletExistsError(f"{path} already exists; laurel will not overwrite it") from exc
        except OSError as exc:
            raise WalletError(f"cannot create {path}: {exc.strerror}", hint=_WRITE_HINT) from exc
        try:
            # The umask can only remove bits, but fchmod makes the intent explicit.
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
        connection: sqlite3.Connection | None = None
        try:
            with _translated(str(path), busy_timeout):
                connection = _connect(path, busy_timeout, read_only=False)
                # Credentials are JSON of 1-5 KB: 16 KiB pages hold several each, where
                # the default 4 KiB holds one, so the file (and every backup) is ~40 %
                # smaller and a 10,000-badge insert faster.
                connection.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
                for statement in (*_SCHEMA, *_STATUS_SCHEMA):
                    connection.execute(statement)
                connection.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
                connection.execute("COMMIT")
            _fsync_directory(path.parent)
        except BaseException:
            # The file is ours and holds nothing yet: remove it rather than leave a
            # half-made wallet that `open` would then (rightly) call corrupt.
            if connection is not None:
                connection.close()
            for leftover in (path, _journal_path(path)):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
            raise
        return cls(path, connection, clock=clock, busy_timeout=busy_timeout)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> Store:
        """Open an existing wallet database; never creates or re-initialises one.

        A rollback journal left by a crashed process is rolled back by SQLite here,
        which restores the database to its last committed state.

        Args:
            path: the database file.
            clock: gives the UTC time stamped as a credential's `added_at`.
            busy_timeout: seconds to wait for another process's write to finish.

        Raises:
            WalletNotFoundError: `path` does not exist.
            WalletCorruptError: `path` is not a laurel database, is truncated or
                damaged, or has a schema version this laurel does not know.
            WalletBusyError: another process held the database past `busy_timeout`.
            WalletError: the file cannot be read.
        """
        path = Path(path)
        if not path.exists():
            raise WalletNotFoundError(f"{path} does not exist")
        _check_header(path, str(path))
        with _translated(str(path), busy_timeout):
            connection = _connect(path, busy_timeout, read_only=False)
            try:
                _check_contents(connection, str(path))
                _add_status_tables(connection)
            except BaseException:
                connection.close()
                raise
        return cls(path, connection, clock=clock, busy_timeout=busy_timeout)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    def close(self) -> None:
        """Close the database (an open transaction is rolled back by SQLite)."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- whole-file snapshots ----------------------------------------------------

    def snapshot(self) -> bytes:
        """A consistent copy of the whole database file, for a backup.

        Uses SQLite's online backup API into an in-memory database, serialized: the
        copy is one committed state even while others write, and no copy of the
        badges is ever left on disk (a backup killed midway left one beside the
        wallet before, kept past every later deletion; SECURITY.md W05).

        Raises:
            RuntimeError: called inside :meth:`transaction` (it would copy uncommitted rows).
            WalletBusyError: another process held the database past the busy timeout.
        """
        if self._in_transaction:
            raise RuntimeError("take a snapshot outside a transaction")
        with self._translated():
            copy = sqlite3.connect(":memory:", isolation_level=None)
            try:
                self._conn.backup(copy)
                return copy.serialize()
            finally:
                copy.close()

    @classmethod
    def restore_snapshot(
        cls, path: Path, data: bytes, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    ) -> None:
        """Replace the database at `path` by `data`, a :meth:`snapshot`, atomically.

        `data` is written to a temporary file and checked (a laurel database of a
        known schema version, ``PRAGMA quick_check`` ok) *before* anything at `path`
        changes; it then replaces `path` with ``os.replace`` and the folder is
        synced, so after a crash `path` is either the old file or the new one.
        A laurel process using the old file is waited for (up to `busy_timeout`).

        Raises:
            WalletCorruptError: `data` is not a valid laurel database; `path` is untouched.
            WalletBusyError: another process held the old database past `busy_timeout`.
            WalletError: the new file could not be written (disk full, read-only);
                `path` is untouched.
        """
        path = Path(path)
        label = f"the snapshot for {path}"
        fd, name = _make_temp(path, ".restore")
        temp = Path(name)
        try:
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise WalletError(
                    f"cannot write the restored copy of {path}: {exc.strerror}", hint=_WRITE_HINT
                ) from exc
            _check_header(temp, label)
            with _translated(label, busy_timeout):
                check = _connect(temp, busy_timeout, read_only=True)
                try:
                    _check_contents(check, label)
                finally:
                    check.close()
            with _locked_for_replacement(path, busy_timeout):
                try:
                    os.replace(temp, path)
                    _fsync_directory(path.parent)
                except OSError as exc:
                    raise WalletError(
                        f"cannot replace {path}: {exc.strerror}", hint=_WRITE_HINT
                    ) from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
