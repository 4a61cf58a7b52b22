"""The one-machine :class:`~verifier.state.StateStore`: a SQLite file every worker opens.

Each `take` is one ``BEGIN IMMEDIATE`` transaction, so across the worker processes
of one `laurel serve` a value is taken once. Rate-limit counters stay in each
worker's memory (Flask-Limiter has no SQLite storage; :mod:`verifier.limits`
divides the limits by the number of workers).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["SqliteStateStore"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS state (namespace TEXT NOT NULL, key TEXT NOT NULL,"
    " value BLOB NOT NULL, dies REAL NOT NULL, PRIMARY KEY (namespace, key))",
    "CREATE INDEX IF NOT EXISTS state_dies ON state (namespace, dies)",
)


class SqliteStateStore:
    """Entries in one SQLite file (WAL), shared by every process and thread that opens it."""

    kind = "sqlite"

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self._path = path
        self._clock = clock
        self._local = threading.local()
        with contextlib.closing(self._connect()) as db:
            for statement in _SCHEMA:
                db.execute(statement)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _db(self) -> sqlite3.Connection:
        # One connection per thread and per process (the server's workers fork after creation).
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = self._connect()
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def put(
        self, namespace: str, key: str, value: bytes, *, ttl: float, limit: int | None = None
    ) -> None:
        """Store `value` for `ttl` seconds; a full namespace sheds expired, then oldest entries."""
        now = self._clock()
        with self._write() as db:
            if limit is not None:
                db.execute("DELETE FROM state WHERE namespace = ? AND dies <= ?", (namespace, now))
                (held,) = db.execute(
                    "SELECT count(*) FROM state WHERE namespace = ?", (namespace,)
                ).fetchone()
                if held >= limit:
                    db.execute(
                        "DELETE FROM state WHERE rowid IN (SELECT rowid FROM state"
                        " WHERE namespace = ? ORDER BY rowid LIMIT ?)",
                        (namespace, max(1, limit // 10)),
                    )
            db.execute(
                "INSERT OR REPLACE INTO state (namespace, key, value, dies) VALUES (?, ?, ?, ?)",
                (namespace, key, value, now + ttl),
            )

    def get(self, namespace: str, key: str) -> bytes | None:
        """The live value under `key`, or None."""
        row = (
            self._db()
            .execute(
                "SELECT value FROM state WHERE namespace = ? AND key = ? AND dies > ?",
                (namespace, key, self._clock()),
            )
            .fetchone()
        )
        return None if row is None else bytes(row[0])

    def take(self, namespace: str, key: str) -> bytes | None:
        """Read and remove in one write transaction (``DELETE ... RETURNING``)."""
        with self._write() as db:
            row = db.execute(
                "DELETE FROM state WHERE namespace = ? AND key = ? RETURNING value, dies",
                (namespace, key),
            ).fetchone()
        return bytes(row[0]) if row is not None and row[1] > self._clock() else None

    def delete(self, namespace: str, key: str) -> None:
        """Forget `key`."""
        with self._write() as db:
            db.execute("DELETE FROM state WHERE namespace = ? AND key = ?", (namespace, key))

    def count(self, namespace: str) -> int:
        """Live entries in `namespace`."""
        (held,) = (
            self._db()
            .execute(
                "SELECT count(*) FROM state WHERE namespace = ? AND dies > ?",
                (namespace, self._clock()),
            )
            .fetchone()
        )
        return int(held)

    def limiter_storage_uri(self) -> str:
        """Counters in each worker's memory (Flask-Limiter has no SQLite storage)."""
        return "memory://"
