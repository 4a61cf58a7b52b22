"""The open connection every part of the store shares: transactions, queries, settings."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from wallet.store._sqlite import DEFAULT_BUSY_TIMEOUT, _translated


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class StoreCore:
    """The connection, its transactions and the settings table (see :class:`Store`)."""

    def __init__(
        self,
        path: Path,
        connection: sqlite3.Connection,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self._path = path
        self._conn = connection
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._in_transaction = False

    # --- transactions ------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one ``BEGIN IMMEDIATE`` transaction: commit, or roll back on error.

        Raises:
            RuntimeError: a transaction is already open on this store (no nesting).
            WalletBusyError: another process held the database past the busy timeout.
            WalletError: the commit could not be written (disk full, read-only).
        """
        if self._in_transaction:
            raise RuntimeError("a Store transaction is already open; they do not nest")
        with self._translated():
            self._conn.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                with self._translated():
                    self._conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        finally:
            self._in_transaction = False

    @property
    def in_transaction(self) -> bool:
        """Whether a :meth:`transaction` is open on this store."""
        return self._in_transaction

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        if self._in_transaction:
            yield
        else:
            with self.transaction():
                yield

    def _rollback(self) -> None:
        # After an I/O error (disk full) SQLite ends the transaction itself but
        # leaves the journal hot: its next read plays the journal back, so one is
        # done here and the file is as it was when the command ends. Should that
        # fail too, the next open rolls back; the original error is the one raised.
        with contextlib.suppress(sqlite3.Error):
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()

    def _translated(self) -> contextlib.AbstractContextManager[None]:
        return _translated(str(self._path), self._busy_timeout)

    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        # fetchall() runs each statement to completion, so no read lock outlives
        # the call and blocks another process's commit.
        with self._translated():
            rows: list[tuple[object, ...]] = self._conn.execute(sql, params).fetchall()
        return rows

    # --- settings ----------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        """The value stored for `key` (wallet name, DID, base URL...), or None.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
        """
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_setting(self, key: str, value: str) -> None:
        """Store `value` under `key`, replacing any previous value.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
            WalletError: the change could not be written.
        """
        with self._writing(), self._translated():
            self._conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
