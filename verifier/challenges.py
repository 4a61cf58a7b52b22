"""Single-use presentation challenges the verifier service issues (SECURITY.md P01, P04, P10).

A challenge is 128 random bits, base64url, bound to a domain, valid for a few
minutes and consumed on first use, whatever the verification then says.

    >>> import datetime as dt
    >>> store = ChallengeStore()
    >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> issued = store.issue(now, domain="hiring.example")
    >>> store.peek(issued.value, now).outcome
    'ok'
    >>> store.consume(issued.value, now), store.consume(issued.value, now)
    ('ok', 'reused')
    >>> store.take("never-issued", now).outcome
    'unknown'
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

__all__ = [
    "ChallengeBook",
    "SharedChallengeStore",
    "CHALLENGE_BYTES",
    "CHALLENGE_TTL",
    "MAX_CHALLENGES",
    "Challenge",
    "ChallengeStore",
    "Consumed",
    "Outcome",
]

#: 128 bits of randomness per challenge.
CHALLENGE_BYTES = 16
#: How long an issued challenge may be used.
CHALLENGE_TTL = dt.timedelta(minutes=5)
#: At most this many challenges are remembered (issued, or used and not yet expired).
MAX_CHALLENGES = 100_000

Outcome = Literal["ok", "unknown", "reused", "expired"]


@dataclass(frozen=True, slots=True)
class Challenge:
    """One issued challenge: its value, the domain it is bound to, and when it expires."""

    value: str
    domain: str | None
    expires: dt.datetime

    def to_json(self) -> dict[str, str | None]:
        """The ``POST /challenges`` response body."""
        stamp = self.expires.astimezone(dt.UTC).isoformat(timespec="seconds")
        return {
            "challenge": self.value,
            "domain": self.domain,
            "expires": stamp.replace("+00:00", "Z"),
        }


@dataclass(frozen=True, slots=True)
class Consumed:
    """What :meth:`ChallengeStore.consume` found: the outcome and, if known, the challenge."""

    outcome: Outcome
    challenge: Challenge | None = None


@dataclass(slots=True)
class _Entry:
    challenge: Challenge
    used: bool = False


class ChallengeStore:
    """A thread-safe, bounded, in-memory store of issued challenges.

    When full, expired entries are evicted first, then the oldest ones; an
    evicted challenge is then ``unknown``. Used challenges are remembered until
    they expire, so a replay inside the TTL is reported as ``reused``.
    """

    def __init__(
        self, *, ttl: dt.timedelta = CHALLENGE_TTL, max_size: int = MAX_CHALLENGES
    ) -> None:
        if ttl <= dt.timedelta(0):
            raise ValueError("the challenge TTL must be positive")
        if max_size < 1:
            raise ValueError("the challenge store must hold at least one challenge")
        self._ttl = ttl
        self._max_size = max_size
        self._lock = threading.Lock()
        # Insertion order is issue order, so the first entries expire first.
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def issue(self, now: dt.datetime, *, domain: str | None = None) -> Challenge:
        """Create, remember and return a fresh challenge valid from `now` for the TTL."""
        _require_aware(now)
        value = base64.urlsafe_b64encode(secrets.token_bytes(CHALLENGE_BYTES)).rstrip(b"=")
        challenge = Challenge(value.decode("ascii"), domain, now + self._ttl)
        with self._lock:
            if len(self._entries) >= self._max_size:
                self._evict(now)
            self._entries[challenge.value] = _Entry(challenge)
        return challenge

    def consume(self, value: str, now: dt.datetime) -> Outcome:
        """Use `value` once; the outcome only (see :meth:`take`)."""
        return self.take(value, now).outcome

    def take(self, value: str, now: dt.datetime) -> Consumed:
        """Use `value` once: ``ok`` the first time within its TTL, with the issued challenge.

        Otherwise ``unknown`` (never issued here, or forgotten), ``reused`` or
        ``expired``. A challenge is consumed even when the verification that
        uses it then fails.
        """
        _require_aware(now)
        with self._lock:
            entry = self._entries.get(value)
            if entry is None:
                return Consumed("unknown")
            if now >= entry.challenge.expires:
                del self._entries[value]
                return Consumed("expired", entry.challenge)
            if entry.used:
                return Consumed("reused", entry.challenge)
            entry.used = True
            return Consumed("ok", entry.challenge)

    def peek(self, value: str, now: dt.datetime) -> Consumed:
        """What :meth:`take` would find now, without using the challenge."""
        _require_aware(now)
        with self._lock:
            entry = self._entries.get(value)
            if entry is None:
                return Consumed("unknown")
            if now >= entry.challenge.expires:
                return Consumed("expired", entry.challenge)
            return Consumed("reused" if entry.used else "ok", entry.challenge)

    def _evict(self, now: dt.datetime) -> None:
        # Caller holds the lock. Drop every expired entry; if none was, drop the oldest tenth.
        expired = [key for key, e in self._entries.items() if now >= e.challenge.expires]
        for key in expired:
            del self._entries[key]
        if len(self._entries) >= self._max_size:
            for key in list(self._entries)[: max(1, self._max_size // 10)]:
                del self._entries[key]


def _require_aware(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")


class ChallengeBook(Protocol):
    """Where the service keeps its challenges: in memory, or shared between workers."""

    def issue(self, now: dt.datetime, *, domain: str | None = None) -> Challenge:
        """Create, remember and return a fresh challenge."""
        ...

    def take(self, value: str, now: dt.datetime) -> Consumed:
        """Use `value` once (see :meth:`ChallengeStore.take`)."""
        ...

    def peek(self, value: str, now: dt.datetime) -> Consumed:
        """What `take` would find now, without using the challenge."""
        ...


class SharedChallengeStore:
    """Challenges in a SQLite file, shared by every worker process of `laurel serve`.

    With several gunicorn workers, a challenge issued by one must be known to the
    others, and used only once across all of them: each `take` is one
    ``BEGIN IMMEDIATE`` transaction on the shared file.
    """

    def __init__(
        self, path: Path, *, ttl: dt.timedelta = CHALLENGE_TTL, max_size: int = MAX_CHALLENGES
    ) -> None:
        if ttl <= dt.timedelta(0):
            raise ValueError("the challenge TTL must be positive")
        self._path = path
        self._ttl = ttl
        self._max_size = max_size
        self._local = threading.local()
        with contextlib.closing(self._connect()) as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS challenges (value TEXT PRIMARY KEY, domain TEXT,"
                " expires REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS challenges_expires ON challenges (expires)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def _db(self) -> sqlite3.Connection:
        # One connection per thread and per process (workers fork after creation).
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = self._connect()
            self._local.db, self._local.pid = db, os.getpid()
        return db

    def issue(self, now: dt.datetime, *, domain: str | None = None) -> Challenge:
        """Create, remember and return a fresh challenge valid from `now` for the TTL."""
        _require_aware(now)
        value = base64.urlsafe_b64encode(secrets.token_bytes(CHALLENGE_BYTES)).rstrip(b"=")
        challenge = Challenge(value.decode("ascii"), domain, now + self._ttl)
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM challenges WHERE expires <= ?", (now.timestamp(),))
            (count,) = db.execute("SELECT count(*) FROM challenges").fetchone()
            if count >= self._max_size:
                db.execute(
                    "DELETE FROM challenges WHERE value IN"
                    " (SELECT value FROM challenges ORDER BY expires LIMIT ?)",
                    (max(1, self._max_size // 10),),
                )
            db.execute(
                "INSERT INTO challenges (value, domain, expires) VALUES (?, ?, ?)",
                (challenge.value, domain, challenge.expires.timestamp()),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return challenge

    def consume(self, value: str, now: dt.datetime) -> Outcome:
        """Use `value` once; the outcome only (see :meth:`take`)."""
        return self.take(value, now).outcome

    def take(self, value: str, now: dt.datetime) -> Consumed:
        """Use `value` once, across every worker: ``ok`` only the first time within its TTL."""
        _require_aware(now)
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute(
                "SELECT domain, expires, used FROM challenges WHERE value = ?", (value,)
            ).fetchone()
            if row is None:
                outcome: Consumed = Consumed("unknown")
            else:
                challenge = Challenge(value, row[0], dt.datetime.fromtimestamp(row[1], dt.UTC))
                if now >= challenge.expires:
                    db.execute("DELETE FROM challenges WHERE value = ?", (value,))
                    outcome = Consumed("expired", challenge)
                elif row[2]:
                    outcome = Consumed("reused", challenge)
                else:
                    db.execute("UPDATE challenges SET used = 1 WHERE value = ?", (value,))
                    outcome = Consumed("ok", challenge)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return outcome

    def peek(self, value: str, now: dt.datetime) -> Consumed:
        """What :meth:`take` would find now, without using the challenge."""
        _require_aware(now)
        row = (
            self._db()
            .execute("SELECT domain, expires, used FROM challenges WHERE value = ?", (value,))
            .fetchone()
        )
        if row is None:
            return Consumed("unknown")
        challenge = Challenge(value, row[0], dt.datetime.fromtimestamp(row[1], dt.UTC))
        if now >= challenge.expires:
            return Consumed("expired", challenge)
        return Consumed("reused" if row[2] else "ok", challenge)

    def __len__(self) -> int:
        (count,) = self._db().execute("SELECT count(*) FROM challenges").fetchone()
        return int(count)
