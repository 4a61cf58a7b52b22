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
import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from verifier.state import StateStore
from verifier.state.memory import MemoryStateStore
from verifier.state.sqlite import SqliteStateStore

__all__ = [
    "ChallengeBook",
    "SharedChallengeStore",
    "StoredChallenges",
    "CHALLENGE_BYTES",
    "CHALLENGE_PREFIX",
    "issued_here",
    "CHALLENGE_TTL",
    "MAX_CHALLENGES",
    "Challenge",
    "ChallengeStore",
    "Consumed",
    "Outcome",
]

#: 128 bits of randomness per challenge.
CHALLENGE_BYTES = 16
#: What every challenge this service issues starts with (a random or UUID value has
#: one chance in 64**7 to): one it has forgotten (expired long ago, a store that lost
#: its data) is still known to be its own, and is never taken for a caller's.
CHALLENGE_PREFIX = "laurel_"
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


class StoredChallenges:
    """Challenges kept in a :class:`~verifier.state.StateStore`: memory, SQLite or Redis.

    A challenge is stored as its details (domain, expiry) and a "fresh" mark;
    `take` takes the mark in one atomic get-and-delete of the store, so across every
    worker and every instance sharing the store it is ``ok`` once, then ``reused``
    until it expires. Expiry is
    judged by the `now` the caller passes; the store forgets an entry a TTL after
    that (then it is ``unknown``). A store that cannot be reached raises
    :class:`~verifier.state.StateUnavailableError` (the service answers 503).
    """

    def __init__(
        self,
        store: StateStore,
        *,
        ttl: dt.timedelta = CHALLENGE_TTL,
        max_size: int = MAX_CHALLENGES,
    ) -> None:
        if ttl <= dt.timedelta(0):
            raise ValueError("the challenge TTL must be positive")
        if max_size < 1:
            raise ValueError("the challenge store must hold at least one challenge")
        self._store = store
        self._ttl = ttl
        self._max_size = max_size

    @property
    def store(self) -> StateStore:
        """Where the challenges are kept."""
        return self._store

    def __len__(self) -> int:
        return self._store.count(_NAMESPACE)

    def issue(self, now: dt.datetime, *, domain: str | None = None) -> Challenge:
        """Create, remember and return a fresh challenge valid from `now` for the TTL."""
        _require_aware(now)
        value = base64.urlsafe_b64encode(secrets.token_bytes(CHALLENGE_BYTES)).rstrip(b"=")
        challenge = Challenge(CHALLENGE_PREFIX + value.decode("ascii"), domain, now + self._ttl)
        # Details and a "fresh" mark, each kept for two TTLs (expired is reported
        # for one TTL after expiry, then the challenge is unknown).
        ttl = 2 * self._ttl.total_seconds()
        self._store.put(
            _NAMESPACE, challenge.value, _encode(challenge), ttl=ttl, limit=self._max_size
        )
        self._store.put(_FRESH, challenge.value, b"1", ttl=ttl, limit=self._max_size)
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
        if not _plausible(value):
            return Consumed("unknown")
        # The one atomic step: whoever takes the fresh mark is the only first user.
        first = self._store.take(_FRESH, value) is not None
        raw = self._store.get(_NAMESPACE, value)
        if raw is None:
            return Consumed("unknown")
        challenge = _decode(value, raw)
        if now >= challenge.expires:
            self._store.delete(_NAMESPACE, value)
            return Consumed("expired", challenge)
        return Consumed("ok" if first else "reused", challenge)

    def peek(self, value: str, now: dt.datetime) -> Consumed:
        """What :meth:`take` would find now, without using the challenge."""
        _require_aware(now)
        if not _plausible(value):
            return Consumed("unknown")
        raw = self._store.get(_NAMESPACE, value)
        if raw is None:
            return Consumed("unknown")
        challenge = _decode(value, raw)
        if now >= challenge.expires:
            return Consumed("expired", challenge)
        fresh = self._store.get(_FRESH, value) is not None
        return Consumed("ok" if fresh else "reused", challenge)


class ChallengeStore(StoredChallenges):
    """A thread-safe, bounded, in-memory store of issued challenges (one process).

    When full, expired entries are evicted first, then the oldest ones; an
    evicted challenge is then ``unknown``. Used challenges are remembered until
    they expire, so a replay inside the TTL is reported as ``reused``.
    """

    def __init__(
        self, *, ttl: dt.timedelta = CHALLENGE_TTL, max_size: int = MAX_CHALLENGES
    ) -> None:
        super().__init__(MemoryStateStore(), ttl=ttl, max_size=max_size)


class SharedChallengeStore(StoredChallenges):
    """Challenges in a SQLite file, shared by every worker process of `laurel serve`.

    With several server workers, a challenge issued by one must be known to the
    others, and used only once across all of them: each `take` is one
    ``BEGIN IMMEDIATE`` transaction on the shared file.
    """

    def __init__(
        self, path: Path, *, ttl: dt.timedelta = CHALLENGE_TTL, max_size: int = MAX_CHALLENGES
    ) -> None:
        super().__init__(SqliteStateStore(path), ttl=ttl, max_size=max_size)


_NAMESPACE = "challenge"
_FRESH = "challenge-fresh"
_VALUE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def issued_here(value: str) -> bool:
    """Whether `value` has the shape of a challenge this service issues (known or forgotten)."""
    return value.startswith(CHALLENGE_PREFIX)


def _plausible(value: str) -> bool:
    # Only values shaped like ours reach the store (its keys are short ASCII).
    return _VALUE.fullmatch(value) is not None


def _encode(challenge: Challenge) -> bytes:
    body = {"d": challenge.domain, "e": challenge.expires.timestamp()}
    return json.dumps(body, separators=(",", ":")).encode()


def _decode(value: str, raw: bytes) -> Challenge:
    body = json.loads(raw)
    expires = dt.datetime.fromtimestamp(float(body["e"]), dt.UTC)
    domain = body.get("d")
    return Challenge(value, domain if isinstance(domain, str) else None, expires)


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
