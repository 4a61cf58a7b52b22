"""Issuing Open Badges 3.0: one badge, or a whole roster, signed by the wallet's key.

A roster is committed in chunks and is resumable: each row has a roster key (the
achievement and the recipient), unique in the database, so a run killed at any
point and started again issues exactly the rows that are missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vc.canon import jcs
from vc.errors import LaurelError, MalformedDocumentError
from vc.jsonld import CREDENTIALS_V2
from vc.jsontext import parse_document
from vc.keys import Ed25519KeyPair
from vc.openbadges import OB3_CONTEXT
from vc.proofs import CRYPTOSUITES, add_proof
from vc.timestamps import format_datetime_stamp, parse_datetime_stamp
from vc.types import JSONObject
from wallet.errors import WalletError
from wallet.home import Identity, Wallet
from wallet.status import allocate_entries, sign_unsigned_lists
from wallet.store import Store, StoredCredential

__all__ = [
    "DEFAULT_SUITE",
    "Evidence",
    "IssueOptions",
    "RosterReport",
    "RosterRow",
    "issue_badge",
    "issue_roster",
    "load_achievement",
    "read_roster",
]

DEFAULT_SUITE = "eddsa-rdfc-2022"  # the suite Open Badges 3.0 certification accepts
ROSTER_CHUNK = 500
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class AchievementError(MalformedDocumentError):
    """An achievement file is not a usable Open Badges 3.0 Achievement."""

    hint = "An achievement needs at least name, description and criteria (narrative or id)."


class RosterError(LaurelError):
    """A roster CSV cannot be used."""

    hint = "The roster is a CSV with a header: name,email and optionally did."


@dataclass(frozen=True, slots=True)
class Evidence:
    """An artifact the issuer reviewed (OB 3.0 Evidence)."""

    url: str
    name: str | None = None

    def to_json(self) -> JSONObject:
        """OB 3.0 Evidence JSON."""
        out: JSONObject = {"id": self.url, "type": ["Evidence"]}
        if self.name:
            out["name"] = self.name
        return out


@dataclass(frozen=True, slots=True)
class IssueOptions:
    """How to issue: suite, dates, evidence and the rubric level earned."""

    suite: str = DEFAULT_SUITE
    valid_until: str | None = None
    evidence: tuple[Evidence, ...] = ()
    result: str | None = None
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def __post_init__(self) -> None:
        if self.suite not in CRYPTOSUITES:
            raise ValueError(f"unknown suite {self.suite!r}; choose one of {sorted(CRYPTOSUITES)}")
        if self.valid_until is not None:
            parse_datetime_stamp(self.valid_until)


def load_achievement(data: bytes) -> JSONObject:
    """Parse an OB 3.0 Achievement; fill in `id` and `type` when missing, keep the rest.

    A missing `id` becomes a UUID derived from the content: the same file gives the same id.

    Raises:
        AchievementError: not an object, or missing name/description/criteria.
    """
    try:
        achievement = parse_document(data)
    except MalformedDocumentError as exc:
        raise AchievementError(f"the achievement file is not usable JSON: {exc.message}") from exc
    missing = [k for k in ("name", "description", "criteria") if not achievement.get(k)]
    if missing:
        raise AchievementError(f"the achievement lacks {', '.join(missing)}")
    criteria = achievement["criteria"]
    if isinstance(criteria, str):
        achievement["criteria"] = {"narrative": criteria}
    elif not isinstance(criteria, dict):
        raise AchievementError("criteria must be an object with a narrative or an id")
    if "id" not in achievement:
        # Derived from the content, so the same file always names the same
        # achievement: a re-run roster recognizes the rows it already issued.
        digest = hashlib.sha256(jcs(achievement)).digest()
        achievement["id"] = f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=5)}"
    types = achievement.get("type")
    if types is None:
        achievement["type"] = ["Achievement"]
    elif isinstance(types, str):
        achievement["type"] = [types]
    if "Achievement" not in achievement["type"]:  # type: ignore[operator]
        raise AchievementError("the achievement's type must include Achievement")
    return achievement


def _identity_subject(recipient: str) -> JSONObject:
    recipient = recipient.strip()
    if recipient.startswith("did:"):
        return {"id": recipient, "type": ["AchievementSubject"]}
    if _EMAIL.fullmatch(recipient):
        # OB 3.0 IdentityObject: "sha256$" + hex(SHA-256(identity || salt)), identity in UTF-8.
        salt = secrets.token_hex(8)
        digest = hashlib.sha256((recipient.lower() + salt).encode("utf-8")).hexdigest()
        identity: JSONObject = {
            "type": "IdentityObject",
            "hashed": True,
            "identityHash": f"sha256${digest}",
            "identityType": "emailAddress",
            "salt": salt,
        }
        return {"type": ["AchievementSubject"], "identifier": [identity]}
    raise ValueError(f"recipient {recipient[:80]!r} is neither a DID nor an email address")


def _result(achievement: JSONObject, level: str) -> JSONObject:
    descriptions = achievement.get("resultDescription")
    for description in descriptions if isinstance(descriptions, list) else []:
        if not isinstance(description, dict):
            continue
        levels = description.get("rubricCriterionLevel")
        for candidate in levels if isinstance(levels, list) else []:
            if isinstance(candidate, dict) and level in (
                candidate.get("id"),
                candidate.get("name"),
            ):
                return {
                    "type": ["Result"],
                    "resultDescription": description.get("id"),
                    "achievedLevel": candidate.get("id"),
                }
    raise AchievementError(
        f"the achievement has no rubric level {level[:60]!r} (resultDescription[].rubricCriterionLevel)"
    )


def _credential(
    identity: Identity, achievement: JSONObject, recipient: str, options: IssueOptions
) -> JSONObject:
    subject = _identity_subject(recipient)
    subject["achievement"] = achievement
    if options.result is not None:
        subject["result"] = [_result(achievement, options.result)]
    credential: JSONObject = {
        "@context": [CREDENTIALS_V2, OB3_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": identity.did, "type": ["Profile"], "name": identity.name},
        "validFrom": format_datetime_stamp(options.now),
        "name": str(achievement.get("name")),
        "credentialSubject": subject,
    }
    if options.valid_until is not None:
        credential["validUntil"] = options.valid_until
    if options.evidence:
        credential["evidence"] = [e.to_json() for e in options.evidence]
    return credential


def _sign(
    key: Ed25519KeyPair, identity: Identity, credential: JSONObject, options: IssueOptions
) -> JSONObject:
    return add_proof(
        credential,
        key,
        identity.verification_method,
        cryptosuite=options.suite,
        created=format_datetime_stamp(options.now),
    )


def issue_badge(
    wallet: Wallet, passphrase: str, achievement: JSONObject, recipient: str, options: IssueOptions
) -> StoredCredential:
    """Build, sign and store one OpenBadgeCredential for `recipient` (a DID or an email).

    Raises:
        WrongPassphraseError: the passphrase does not unlock the wallet's key.
        AchievementError: `options.result` names no rubric level of the achievement.
        ValueError: the recipient is neither a DID nor an email address.
    """
    key, identity = wallet.signing_key(passphrase), wallet.identity
    credential = _credential(identity, achievement, recipient, options)
    store = wallet.store
    with store.transaction():
        # Allocated, signed and stored in one transaction: a crash anywhere rolls all back.
        _add_status(store, identity, credential)
        stored = store.add_credential(_sign(key, identity, credential, options), origin="issued")
        if identity.base_url:
            sign_unsigned_lists(store, key, identity, options.now)
    return stored


class ForeignIssuerError(WalletError):
    """A credential to sign names an issuer other than this wallet."""

    hint = "Leave `issuer` out (the wallet fills it in) or give this wallet's DID."


def issue_given_credential(
    wallet: Wallet,
    passphrase: str,
    credential: JSONObject,
    options: JSONObject,
    *,
    now: dt.datetime,
) -> StoredCredential:
    """Complete, sign and store a credential a learning platform sent (VC-API issue).

    The wallet fills in the issuer (its DID and name), `id`, `validFrom` and the
    status entries; everything else is kept. `options` may name the cryptosuite.

    Raises:
        ForeignIssuerError: the credential names another issuer.
        WalletError: it already carries a proof, or its id is already in the wallet.
    """
    identity = wallet.identity
    given = credential.get("issuer")
    given_id = given.get("id") if isinstance(given, dict) else given
    if given_id is not None and given_id != identity.did:
        raise ForeignIssuerError(
            f"the credential's issuer is {str(given_id)[:80]!r}, not {identity.did}"
        )
    if "proof" in credential:
        raise WalletError("the credential already carries a proof; send it unsigned")
    suite = options.get("cryptosuite", DEFAULT_SUITE)
    issue_options = IssueOptions(suite=str(suite), now=now)
    document: JSONObject = dict(credential)
    document.setdefault("@context", [CREDENTIALS_V2, OB3_CONTEXT])
    document.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
    document.setdefault("type", ["VerifiableCredential", "OpenBadgeCredential"])
    profile: JSONObject = dict(given) if isinstance(given, dict) else {}
    profile.update({"id": identity.did, "type": profile.get("type", ["Profile"])})
    profile.setdefault("name", identity.name)
    document["issuer"] = profile
    document.setdefault("validFrom", format_datetime_stamp(now))
    key = wallet.signing_key(passphrase)
    store = wallet.store
    with store.transaction():
        _add_status(store, identity, document)
        stored = store.add_credential(
            _sign(key, identity, document, issue_options), origin="issued"
        )
        if identity.base_url:
            sign_unsigned_lists(store, key, identity, now)
    return stored


def _add_status(store: Store, identity: Identity, credential: JSONObject) -> None:
    """Give `credential` its revocation and suspension entries when the wallet has lists."""
    if identity.base_url:
        credential_id = str(credential["id"])
        credential["credentialStatus"] = list(
            allocate_entries(store, identity.base_url, credential_id)
        )


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One line of a roster: who earns the badge."""

    line: int
    name: str
    email: str
    did: str

    @property
    def recipient(self) -> str:
        """The DID when given, else the email address."""
        return self.did or self.email


def read_roster(data: bytes) -> list[RosterRow]:
    """Parse a roster CSV (header ``name,email[,did]``).

    Raises:
        RosterError: no header, a missing column, or a row without a recipient.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError("the roster is not UTF-8 text") from exc
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "name" not in header or ("email" not in header and "did" not in header):
        raise RosterError(
            f"the roster header is {header}; it needs name and email (and may add did)"
        )
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        record = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        row = RosterRow(
            line, record.get("name", ""), record.get("email", ""), record.get("did", "")
        )
        if not row.recipient:
            raise RosterError(f"roster line {line} has neither an email nor a DID")
        if row.did and not row.did.startswith("did:"):
            raise RosterError(f"roster line {line}: {row.did[:60]!r} is not a DID")
        if row.email and not row.did and not _EMAIL.fullmatch(row.email):
            raise RosterError(f"roster line {line}: {row.email[:60]!r} is not an email address")
        key = row.recipient.lower()
        if key in seen:
            raise RosterError(f"roster lines {seen[key]} and {line} name the same recipient")
        seen[key] = line
        rows.append(row)
    return rows


@dataclass(frozen=True, slots=True)
class RosterReport:
    """What a roster run did: issued now, already there, files written."""

    issued: int
    already_issued: int
    files: int
    out_dir: Path


def _roster_key(achievement: JSONObject, row: RosterRow) -> str:
    basis = json.dumps([achievement.get("id"), row.recipient.lower()], ensure_ascii=False)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _file_name(row: RosterRow) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", row.name.lower()).strip("-")[:40] or "recipient"
    return f"{row.line:05d}-{slug}.json"


def _chunks(rows: Sequence[RosterRow], size: int) -> Iterator[Sequence[RosterRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _write_export(path: Path, text: str) -> bool:
    # Exports are copies of what the database holds (the source of truth): written
    # whole (temp + rename) without an fsync each, rewritten on a re-run if missing.
    if path.exists():
        return False
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)
    return True


def issue_roster(
    wallet: Wallet,
    passphrase: str,
    achievement: JSONObject,
    rows: Sequence[RosterRow],
    out_dir: Path,
    options: IssueOptions,
    *,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = ROSTER_CHUNK,
) -> RosterReport:
    """Issue one badge per roster row, in committed chunks; resumable after any crash.

    `progress` is called with the number of rows handled since the last call.

    Raises:
        WrongPassphraseError: the passphrase does not unlock the wallet's key.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    signing_key = wallet.signing_key(passphrase)  # a wrong passphrase fails before any work
    identity = wallet.identity
    issued = already = files = 0
    store = wallet.store
    for chunk in _chunks(rows, chunk_size):
        exports: list[tuple[Path, str]] = []
        with store.transaction():
            for row in chunk:
                key = _roster_key(achievement, row)
                stored = store.credential_for_roster_key(key)
                if stored is None:
                    credential = _credential(identity, achievement, row.recipient, options)
                    _add_status(store, identity, credential)
                    signed = _sign(signing_key, identity, credential, options)
                    stored = store.add_credential(signed, origin="issued", roster_key=key)
                    issued += 1
                else:
                    already += 1
                exports.append((out_dir / _file_name(row), stored.text))
            if identity.base_url:  # lists opened by this chunk, signed once
                sign_unsigned_lists(store, signing_key, identity, options.now)
        for path, text in exports:
            files += _write_export(path, text)
        if progress is not None:
            progress(len(chunk))
    return RosterReport(issued=issued, already_issued=already, files=files, out_dir=out_dir)
