"""OID4VP transactions in any :class:`~verifier.state.StateStore` (Redis for several instances).

The same contract as :class:`verifier.oid4vp_store.SqliteTransactionStore`: a value
under a key with a time to live, remembered for :data:`~verifier.oid4vp_store.GRACE`
after it expires or is taken, and taken at most once across every instance sharing
the store (the "live" mark is taken with one atomic get-and-delete).

    >>> import datetime as dt
    >>> from verifier.state import open_store
    >>> store = StateTransactionStore(open_store("memory://"))
    >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> store.put("tx", {"nonce": "n"}, now=now, ttl=dt.timedelta(minutes=5))
    >>> store.take("tx", now).state, store.take("tx", now).state
    ('live', 'taken')
    >>> store.get("tx", now + dt.timedelta(minutes=6)).state
    'expired'
"""

from __future__ import annotations

import datetime as dt
import json

from vc.types import JSONObject
from verifier.oid4vp_store import GRACE, Stored
from verifier.state import StateStore

__all__ = ["StateTransactionStore"]

_DETAILS = "oid4vp"
_LIVE = "oid4vp-live"


class StateTransactionStore:
    """OID4VP transaction state kept in a shared :class:`StateStore`."""

    def __init__(self, store: StateStore) -> None:
        self._store = store

    def put(self, key: str, value: JSONObject, *, now: dt.datetime, ttl: dt.timedelta) -> None:
        """Store `value` under `key` (replacing it, live again) until `now + ttl`."""
        expires = _stamp(now) + ttl.total_seconds()
        keep = (ttl + GRACE).total_seconds()
        body = json.dumps({"v": value, "e": expires}, separators=(",", ":")).encode()
        self._store.put(_DETAILS, key, body, ttl=keep)
        self._store.put(_LIVE, key, b"1", ttl=keep)

    def _details(self, key: str) -> tuple[JSONObject, float] | None:
        raw = self._store.get(_DETAILS, key)
        if raw is None:
            return None
        body = json.loads(raw)
        return body["v"], float(body["e"])

    def get(self, key: str, now: dt.datetime) -> Stored | None:
        """The entry under `key` and its state, without changing it."""
        found = self._details(key)
        if found is None:
            return None
        value, expires = found
        if _stamp(now) >= expires:
            return Stored(value, "expired")
        live = self._store.get(_LIVE, key) is not None
        return Stored(value, "live" if live else "taken")

    def take(self, key: str, now: dt.datetime) -> Stored | None:
        """Take the entry; its state says whether this call was the first to take it."""
        found = self._details(key)
        if found is None:
            return None
        value, expires = found
        if _stamp(now) >= expires:
            return Stored(value, "expired")
        first = self._store.take(_LIVE, key) is not None
        return Stored(value, "live" if first else "taken")


def _stamp(now: dt.datetime) -> float:
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    return now.timestamp()
