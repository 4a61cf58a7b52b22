"""OID4VCI credential offers in the wallet's SQLite file: made, redeemed once, issued once.

An offer names one badge of the wallet. Its pre-authorized code and its access
token are random and stored only as SHA-256 hashes; its transaction code (the PIN,
sent to the holder separately) as a salted hash. Every state change is one
``BEGIN IMMEDIATE`` transaction, so of two requests redeeming the same code at
once exactly one wins (OID4VCI 1.0, "Pre-Authorized Code Flow": the code is
"short lived and single use"); a wrong PIN counts, and after
:data:`MAX_PIN_FAILURES` the offer is burned ("Transaction Code Guessing").

    >>> import datetime as dt, sqlite3, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "wallet.db"
    >>> sqlite3.connect(path).close()
    >>> book = OfferBook(path)
    >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> made = book.create("urn:uuid:b1", ["OpenBadgeCredential_ldp_vc"], now=now)
    >>> book.redeem(made.code, made.pin, now=now).credential_id
    'urn:uuid:b1'
    >>> book.redeem(made.code, made.pin, now=now)
    Traceback (most recent call last):
    ...
    wallet.offers.OfferError: the pre-authorized code was already used
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wallet.errors import WalletError

__all__ = [
    "MAX_PIN_FAILURES",
    "NONCE_TTL",
    "OFFER_TTL",
    "PIN_LENGTH",
    "TOKEN_TTL",
    "MadeOffer",
    "OfferBook",
    "OfferError",
    "Redeemed",
]

#: How long an offer can be redeemed.
OFFER_TTL = dt.timedelta(days=7)
#: How long an access token can fetch the credential.
TOKEN_TTL = dt.timedelta(minutes=10)
#: How long a c_nonce is good for.
NONCE_TTL = dt.timedelta(minutes=5)
#: Digits of the transaction code.
PIN_LENGTH = 6
#: Wrong transaction codes after which the offer is burned.
MAX_PIN_FAILURES = 5
#: How long a claim holds an offer: past a worker's request timeout (30 s), so a claim
#: whose worker was killed before recording the badge lapses and the token works again.
CLAIM_TTL = dt.timedelta(seconds=60)

_TABLES = (
    """CREATE TABLE IF NOT EXISTS oid4vci_offers (
        offer_id TEXT PRIMARY KEY,
        credential_id TEXT NOT NULL,
        configurations TEXT NOT NULL,
        code_hash TEXT NOT NULL UNIQUE,
        pin_salt TEXT NOT NULL,
        pin_hash TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('offered', 'redeemed', 'issuing', 'issued', 'burned')),
        failures INTEGER NOT NULL DEFAULT 0,
        expires REAL NOT NULL,
        token_hash TEXT UNIQUE,
        token_expires REAL,
        issued_id TEXT,
        claimed_until REAL
    )""",
    "CREATE TABLE IF NOT EXISTS oid4vci_nonces (nonce TEXT PRIMARY KEY, expires REAL NOT NULL)",
)


class OfferError(WalletError):
    """An offer step was refused; `error` is the OAuth / OID4VCI error code to answer with."""

    def __init__(self, message: str, *, error: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.error = error


@dataclass(frozen=True, slots=True)
class MadeOffer:
    """A new offer: the secrets to hand out (once), and when it expires."""

    offer_id: str
    code: str
    pin: str
    expires: dt.datetime
    configurations: tuple[str, ...]

    def __repr__(self) -> str:
        return f"MadeOffer(offer_id={self.offer_id!r}, expires={self.expires.isoformat()})"


@dataclass(frozen=True, slots=True)
class Redeemed:
    """A redeemed offer: the access token (shown once) and what it may fetch."""

    access_token: str
    credential_id: str
    configurations: tuple[str, ...]
    expires_in: int

    def __repr__(self) -> str:
        return f"Redeemed(credential_id={self.credential_id!r})"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _pin_hash(salt: str, pin: str) -> str:
    return hashlib.sha256(f"{salt}:{pin}".encode()).hexdigest()


def _stamp(now: dt.datetime) -> float:
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    return now.timestamp()


class OfferBook:
    """The offers of one wallet database (its tables are made on first use)."""

    def __init__(self, path: Path, *, busy_timeout: float = 10.0) -> None:
        self._path = path
        self._busy_timeout = busy_timeout
        with self._transaction() as db:
            for statement in _TABLES:
                db.execute(statement)
            columns = {row[1] for row in db.execute("PRAGMA table_info(oid4vci_offers)")}
            if "claimed_until" not in columns:  # a store made before claims could lapse
                db.execute("ALTER TABLE oid4vci_offers ADD COLUMN claimed_until REAL")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        uri = f"{self._path.resolve().as_uri()}?mode=rw"
        db = sqlite3.connect(uri, uri=True, timeout=self._busy_timeout, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous = FULL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        finally:
            db.close()

    def create(
        self,
        credential_id: str,
        configurations: list[str],
        *,
        now: dt.datetime,
        ttl: dt.timedelta = OFFER_TTL,
    ) -> MadeOffer:
        """Make a single-use offer of `credential_id` in `configurations` (OID4VCI 1.0, "Credential Offer")."""
        code = secrets.token_urlsafe(32)
        pin = "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))
        salt = secrets.token_hex(16)
        offer_id = secrets.token_hex(8)
        expires = now + ttl
        with self._transaction() as db:
            db.execute(
                "INSERT INTO oid4vci_offers (offer_id, credential_id, configurations, code_hash,"
                " pin_salt, pin_hash, state, expires) VALUES (?, ?, ?, ?, ?, ?, 'offered', ?)",
                (
                    offer_id,
                    credential_id,
                    json.dumps(configurations),
                    _hash(code),
                    salt,
                    _pin_hash(salt, pin),
                    _stamp(expires),
                ),
            )
        return MadeOffer(offer_id, code, pin, expires, tuple(configurations))

    def redeem(self, code: str, pin: str | None, *, now: dt.datetime) -> Redeemed:
        """Exchange a pre-authorized code and its PIN for an access token, once (OID4VCI 1.0, "Token Endpoint").

        Raises:
            OfferError: ``invalid_request`` without a PIN; ``invalid_grant`` for an
                unknown, used, expired or burned code, or a wrong PIN (counted).
        """
        stamp = _stamp(now)
        with self._transaction() as db:
            row = db.execute(
                "SELECT offer_id, credential_id, configurations, pin_salt, pin_hash, state,"
                " failures, expires FROM oid4vci_offers WHERE code_hash = ?",
                (_hash(code),),
            ).fetchone()
            if row is None:
                raise OfferError("the pre-authorized code is unknown", error="invalid_grant")
            offer_id, credential_id, configurations, salt, pin_hash, state, failures, expires = row
            if state == "burned":
                raise OfferError(
                    "the offer was burned after too many wrong PINs", error="invalid_grant"
                )
            if state != "offered":
                raise OfferError("the pre-authorized code was already used", error="invalid_grant")
            if stamp >= expires:
                raise OfferError("the offer has expired", error="invalid_grant")
            if pin is None:
                raise OfferError("the offer needs its transaction code", error="invalid_request")
            if not hmac.compare_digest(_pin_hash(salt, pin), pin_hash):
                failures += 1
                burned = failures >= MAX_PIN_FAILURES
                db.execute(
                    "UPDATE oid4vci_offers SET failures = ?, state = ? WHERE offer_id = ?",
                    (failures, "burned" if burned else "offered", offer_id),
                )
                wrong = OfferError(
                    "wrong transaction code" + ("; the offer is now burned" if burned else ""),
                    error="invalid_grant",
                )
            else:
                wrong = None
                token = secrets.token_urlsafe(32)
                db.execute(
                    "UPDATE oid4vci_offers SET state = 'redeemed', token_hash = ?,"
                    " token_expires = ? WHERE offer_id = ?",
                    (_hash(token), stamp + TOKEN_TTL.total_seconds(), offer_id),
                )
        if wrong is not None:
            # Raised after the commit: a wrong PIN must count.
            raise wrong
        return Redeemed(
            token,
            str(credential_id),
            tuple(json.loads(configurations)),
            int(TOKEN_TTL.total_seconds()),
        )

    def claim(self, token: str, *, now: dt.datetime) -> tuple[str, str, tuple[str, ...]]:
        """Take the right to issue with an access token, once: (offer id, credential id, configurations).

        Raises:
            OfferError: ``invalid_token`` for an unknown, used or expired token.
        """
        stamp = _stamp(now)
        with self._transaction() as db:
            row = db.execute(
                "SELECT offer_id, credential_id, configurations, state, token_expires,"
                " claimed_until FROM oid4vci_offers WHERE token_hash = ?",
                (_hash(token),),
            ).fetchone()
            # A claim whose worker died (killed between claim and finish) lapses after
            # CLAIM_TTL; one still running holds the offer, so two requests never both issue.
            lapsed = row is not None and row[3] == "issuing" and stamp >= float(row[5] or 0)
            if row is None or (row[3] != "redeemed" and not lapsed) or stamp >= float(row[4]):
                raise OfferError(
                    "the access token is unknown, used or expired", error="invalid_token"
                )
            db.execute(
                "UPDATE oid4vci_offers SET state = 'issuing', claimed_until = ? WHERE offer_id = ?",
                (stamp + CLAIM_TTL.total_seconds(), row[0]),
            )
        return str(row[0]), str(row[1]), tuple(json.loads(row[2]))

    def finish(self, offer_id: str, issued_id: str | None) -> None:
        """Record the credential issued for a claimed offer (None: issuing failed, claim again)."""
        with self._transaction() as db:
            if issued_id is None:
                db.execute(
                    "UPDATE oid4vci_offers SET state = 'redeemed' WHERE offer_id = ? AND state = 'issuing'",
                    (offer_id,),
                )
            else:
                db.execute(
                    "UPDATE oid4vci_offers SET state = 'issued', issued_id = ? WHERE offer_id = ?",
                    (issued_id, offer_id),
                )

    def new_nonce(self, *, now: dt.datetime) -> str:
        """A fresh c_nonce (OID4VCI 1.0, "Nonce Endpoint"); expired ones are forgotten."""
        nonce = secrets.token_urlsafe(24)
        stamp = _stamp(now)
        with self._transaction() as db:
            db.execute("DELETE FROM oid4vci_nonces WHERE expires <= ?", (stamp,))
            db.execute(
                "INSERT INTO oid4vci_nonces (nonce, expires) VALUES (?, ?)",
                (nonce, stamp + NONCE_TTL.total_seconds()),
            )
        return nonce

    def use_nonce(self, nonce: str, *, now: dt.datetime) -> bool:
        """Use a c_nonce once: True only the first time, before it expires."""
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM oid4vci_nonces WHERE nonce = ? AND expires > ?", (nonce, _stamp(now))
            )
            return cursor.rowcount == 1
