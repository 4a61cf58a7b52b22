"""Where OID4VP transactions wait for their answer: a small store Protocol, and SQLite behind it.

A transaction is a JSON object under a random key, kept for a time to live. Its
answer may be taken once: :meth:`TransactionStore.take` is atomic across every
worker process, so two answers posted at once cannot both be accepted (OID4VP 1.0,
"Preventing Replay of Verifiable Presentations"). An expired entry is remembered
for a grace period so that its status can still say ``expired``.

    >>> import datetime as dt
    >>> store = SqliteTransactionStore(":memory:")
    >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> store.put("tx", {"nonce": "n"}, now=now, ttl=dt.timedelta(minutes=5))
    >>> store.take("tx", now).value, store.take("tx", now).state
    ({'nonce': 'n'}, 'taken')
    >>> store.get("tx", now + dt.timedelta(minutes=6)).state
    'expired'

Another implementation (Redis, with ``SET ... PX`` and a ``GETDEL``-style take) only
needs these three methods.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from vc.types import JSONObject

__all__ = ["GRACE", "Stored", "SqliteTransactionStore", "TransactionStore"]

#: How long an expired or taken entry is still known (so its status is not "unknown").
GRACE = dt.timedelta(hours=1)

State = Literal["live", "taken", "expired"]


@dataclass(frozen=True, slots=True)
class Stored:
    """An entry as found: its value, and whether it is live, already taken, or expired."""

    value: JSONObject
    state: State


class TransactionStore(Protocol):
    """Keeps OID4VP transaction state: put with a TTL, get, and take at most once."""

    def put(self, key: str, value: JSONObject, *, now: dt.datetime, ttl: dt.timedelta) -> None:
        """Store `value` under `key` (replacing it, live again) until `now + ttl`."""
        ...

    def get(self, key: str, now: dt.datetime) -> Stored | None:
        """The entry under `key`, or None when never stored (or forgotten after the grace)."""
        ...

    def take(self, key: str, now: dt.datetime) -> Stored | None:
        """Take the entry atomically: ``live`` for the first taker only, then ``taken``."""
        ...


def _aware(now: dt.datetime) -> float:
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    return now.timestamp()


class SqliteTransactionStore:
    """Transactions in one SQLite file shared by every worker (``:memory:`` for one process).

    Every change is one ``BEGIN IMMEDIATE`` transaction, so `take` is atomic
    across threads and processes.
    """

    def __init__(self, path: Path | str) -> None:
        self._path = str(path)
        self._local = threading.local()
        self._shared: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        if self._path == ":memory:":
            self._shared = sqlite3.connect(
                ":memory:", isolation_level=None, check_same_thread=False
            )
        with self._use() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS oid4vp (key TEXT PRIMARY KEY, value TEXT NOT NULL,"
                " expires REAL NOT NULL, taken INTEGER NOT NULL DEFAULT 0)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS oid4vp_expires ON oid4vp (expires)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    @contextlib.contextmanager
    def _use(self) -> Iterator[sqlite3.Connection]:
        if self._shared is not None:
            with self._lock:
                yield self._shared
            return
        # One connection per thread and per process (the server forks after creation).
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = self._connect()
            self._local.db, self._local.pid = db, os.getpid()
        yield db

    def put(self, key: str, value: JSONObject, *, now: dt.datetime, ttl: dt.timedelta) -> None:
        """Store `value` under `key` until `now + ttl`; forget entries past their grace."""
        stamp = _aware(now)
        if ttl <= dt.timedelta(0):
            raise ValueError("the time to live must be positive")
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        with self._use() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(
                    "DELETE FROM oid4vp WHERE expires <= ?", (stamp - GRACE.total_seconds(),)
                )
                db.execute(
                    "INSERT OR REPLACE INTO oid4vp (key, value, expires, taken) VALUES (?, ?, ?, 0)",
                    (key, text, stamp + ttl.total_seconds()),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    @staticmethod
    def _found(row: tuple[str, float, int], stamp: float) -> Stored:
        value = json.loads(row[0])
        state: State = "expired" if stamp >= row[1] else "taken" if row[2] else "live"
        return Stored(value, state)

    def get(self, key: str, now: dt.datetime) -> Stored | None:
        """The entry under `key` and its state, without changing it."""
        stamp = _aware(now)
        with self._use() as db:
            row = db.execute(
                "SELECT value, expires, taken FROM oid4vp WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else self._found(row, stamp)

    def take(self, key: str, now: dt.datetime) -> Stored | None:
        """Mark the entry taken; its state says whether this call was the first to take it."""
        stamp = _aware(now)
        with self._use() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT value, expires, taken FROM oid4vp WHERE key = ?", (key,)
                ).fetchone()
                if row is not None and not row[2] and stamp < row[1]:
                    db.execute("UPDATE oid4vp SET taken = 1 WHERE key = ?", (key,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return None if row is None else self._found(row, stamp)
