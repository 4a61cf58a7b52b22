"""Issuing Open Badges 3.0: one badge, or a whole roster, signed by the wallet's key.

A roster is read whole first: every bad row is reported at once (line, column, why),
and nothing is signed while any row is bad. It is then committed in chunks and is
resumable: each row has a roster key (the achievement and the recipient), unique in
the database, so a run killed at any point and started again issues exactly the rows
that are missing. A single badge is checked in full before and after signing
(:func:`wallet.badge.sign_checked`); in a roster, so is the first badge of every
chunk, and every other badge's signature is verified (the rows differ only in what
laurel writes: the id, the recipient's identifier, the status entries).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from vc.errors import LaurelError
from vc.issuance import IssuanceRefusedError, check_unsigned
from vc.keys import Ed25519KeyPair
from vc.types import JSONObject
from wallet.achievement import AchievementError, load_achievement
from wallet.badge import (
    DEFAULT_SUITE,
    Evidence,
    IssuedCheck,
    IssueOptions,
    RecipientError,
    add_status,
    build_badge,
    check_recipient,
    sign_checked,
    sign_checked_jwt,
)
from wallet.home import Identity, Wallet
from wallet.status import sign_unsigned_lists
from wallet.store import StoredCredential

__all__ = [
    "DEFAULT_SUITE",
    "AchievementError",
    "Evidence",
    "IssuanceRefusedError",
    "IssueOptions",
    "IssuedCheck",
    "RecipientError",
    "RosterError",
    "RosterPlan",
    "RosterProblem",
    "RosterReport",
    "RosterRow",
    "issue_badge",
    "issue_roster",
    "load_achievement",
    "plan_roster",
    "read_roster",
    "roster_key",
]

ROSTER_CHUNK = 500
_QUOTE_LIMIT = 60
_SLUG_LIMIT = 40


def _credential(
    identity: Identity, achievement: JSONObject, recipient: str, options: IssueOptions
) -> JSONObject:
    # Kept for the benchmarks: the unsigned badge, without status entries.
    return build_badge(identity, achievement, recipient, options)


def _sign_and_store(
    wallet: Wallet,
    key: Ed25519KeyPair,
    credential: JSONObject,
    options: IssueOptions,
    *,
    sampled: bool,
    roster_key: str | None = None,
) -> tuple[StoredCredential, str]:
    """Sign, check and store one badge (in the caller's transaction); the text handed out.

    A VC-JWT (``options.format == "jwt"``) is stored as the credential it carries, with
    the token as its original: what export, bake and presentations give out.
    """
    store = wallet.store
    if options.format == "jwt":
        token = sign_checked_jwt(
            wallet, key, credential, now=options.now, check=options.check, sampled=sampled
        )
        stored = store.add_credential(credential, origin="issued", roster_key=roster_key)
        store.set_original(stored.id, "vc-jwt", token)
        return stored, token
    signed = sign_checked(
        wallet,
        key,
        credential,
        suite=options.suite,
        now=options.now,
        check=options.check,
        sampled=sampled,
    )
    stored = store.add_credential(signed, origin="issued", roster_key=roster_key)
    return stored, stored.text


def issue_badge(
    wallet: Wallet, passphrase: str, achievement: JSONObject, recipient: str, options: IssueOptions
) -> StoredCredential:
    """Build, check, sign, check again and store one OpenBadgeCredential for `recipient`.

    Raises:
        WrongPassphraseError: the passphrase does not unlock the wallet's key.
        RecipientError: the recipient is neither a usable DID nor an email address.
        AchievementError: `options.result` names no rubric level of the achievement.
        IssuanceRefusedError: the badge would not verify; every problem is named.
    """
    identity = wallet.identity
    credential = build_badge(identity, achievement, recipient, options)
    key = wallet.signing_key(passphrase)
    store = wallet.store
    with store.transaction():
        # Allocated, signed and stored in one transaction: a crash anywhere rolls all back.
        add_status(store, identity, credential)
        stored, _ = _sign_and_store(wallet, key, credential, options, sampled=False)
        if identity.base_url:
            sign_unsigned_lists(store, key, identity, options.now)
    return stored


# --- rosters -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """One thing wrong with a roster: where (line, column) and why."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class RosterError(LaurelError):
    """A roster CSV cannot be used; `problems` lists every bad row."""

    hint = (
        "The roster is a CSV with a header: name,email and optionally did. Fix every line listed."
    )

    def __init__(self, problems: Sequence[RosterProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        first = str(self.problems[0]) if self.problems else "no problems"
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"the roster has {count} bad line{'s' * (count != 1)}: {first}{more}")

    def lines(self) -> list[str]:
        """One line per problem."""
        return [str(p) for p in self.problems]


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


def _quote(value: str) -> str:
    return repr(value if len(value) <= _QUOTE_LIMIT else value[:_QUOTE_LIMIT] + "…")


def read_roster(data: bytes) -> list[RosterRow]:
    """Parse a roster CSV (header ``name,email[,did]``), checking every row.

    Raises:
        RosterError: not UTF-8, no usable header, or any bad row; every problem is
            listed with its line and column.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError([RosterProblem(1, "", "the roster is not UTF-8 text")]) from exc
    try:
        records = list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise RosterError([RosterProblem(1, "", f"the CSV cannot be read: {exc}")]) from exc
    header = [h.strip().lower() for h in records[0]] if records else []
    if "name" not in header or ("email" not in header and "did" not in header):
        raise RosterError(
            [
                RosterProblem(
                    1, "", f"the header is {header}; it needs name and email (and may add did)"
                )
            ]
        )
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    seen: dict[str, int] = {}
    for line, fields in enumerate(records[1:], start=2):
        if not any(f.strip() for f in fields):
            continue  # a blank line
        if len(fields) > len(header):
            problems.append(
                RosterProblem(line, "", f"{len(fields)} fields, but the header names {len(header)}")
            )
            continue
        record = {header[i]: fields[i].strip() for i in range(len(fields))}
        row = RosterRow(
            line, record.get("name", ""), record.get("email", ""), record.get("did", "")
        )
        row_problems = _row_problems(row)
        problems.extend(row_problems)
        if row_problems:
            continue
        key = row.recipient.lower()
        if key in seen:
            column = "did" if row.did else "email"
            problems.append(RosterProblem(line, column, f"the same recipient as line {seen[key]}"))
            continue
        seen[key] = line
        rows.append(row)
    if problems:
        raise RosterError(problems)
    return rows


def _row_problems(row: RosterRow) -> list[RosterProblem]:
    if not row.recipient:
        return [RosterProblem(row.line, "email", "neither an email nor a DID is given")]
    problems: list[RosterProblem] = []
    if row.did:
        problem = (
            check_recipient(row.did)
            if row.did.lower().startswith("did:")
            else f"{_quote(row.did)} is not a DID"
        )
        if problem is not None:
            problems.append(RosterProblem(row.line, "did", problem))
    if row.email:
        problem = check_recipient(row.email)
        if problem is not None or row.email.lower().startswith("did:"):
            problems.append(
                RosterProblem(row.line, "email", f"{_quote(row.email)} is not an email address")
            )
    return problems


@dataclass(frozen=True, slots=True)
class RosterReport:
    """What a roster run did: issued now, already there, files written."""

    issued: int
    already_issued: int
    files: int
    out_dir: Path


@dataclass(frozen=True, slots=True)
class RosterPlan:
    """What a roster run would do (``--dry-run``): nothing is signed or written."""

    to_issue: int
    already_issued: int
    files: tuple[str, ...]


def roster_key(achievement: JSONObject, row: RosterRow) -> str:
    """The stable key of one roster row's badge (a re-run finds what it already issued)."""
    basis = json.dumps([achievement.get("id"), row.recipient.lower()], ensure_ascii=False)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()


def _file_name(row: RosterRow, fmt: str = "data-integrity") -> str:
    # Letters and digits of every script stay readable ("José Müller" ->
    # "josé-müller"); everything else, path separators included, becomes "-".
    name = unicodedata.normalize("NFC", row.name).casefold()
    slug = re.sub(r"[^\w]+|_+", "-", name).strip("-")[:_SLUG_LIMIT].strip("-") or "recipient"
    return f"{row.line:05d}-{slug}.{'jwt' if fmt == 'jwt' else 'json'}"


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


def _check_first(
    identity: Identity, achievement: JSONObject, rows: Sequence[RosterRow], options: IssueOptions
) -> None:
    # Rows differ only in their recipient (checked by read_roster) and name: one
    # row's badge, checked in full, stands for the achievement and the options.
    if not rows:
        return
    row = rows[0]
    credential = build_badge(identity, achievement, row.recipient, options, name=row.name)
    problems = check_unsigned(credential)
    if problems:
        raise IssuanceRefusedError(problems, what="this roster's badges")


def plan_roster(
    wallet: Wallet, achievement: JSONObject, rows: Sequence[RosterRow], options: IssueOptions
) -> RosterPlan:
    """Check a roster run without signing or writing anything.

    Raises:
        AchievementError: `options.result` names no rubric level of the achievement.
        IssuanceRefusedError: the badges would not verify; every problem is named.
    """
    _check_first(wallet.identity, achievement, rows, options)
    already = sum(
        wallet.store.credential_for_roster_key(roster_key(achievement, row)) is not None
        for row in rows
    )
    return RosterPlan(
        to_issue=len(rows) - already,
        already_issued=already,
        files=tuple(_file_name(row, options.format) for row in rows),
    )


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
        IssuanceRefusedError: the badges would not verify (nothing of the chunk is kept).
    """
    identity = wallet.identity
    _check_first(identity, achievement, rows, options)  # before any work is done
    signing_key = wallet.signing_key(passphrase)  # a wrong passphrase fails before any work
    out_dir.mkdir(parents=True, exist_ok=True)
    issued = already = files = 0
    store = wallet.store
    for chunk in _chunks(rows, chunk_size):
        exports: list[tuple[Path, str]] = []
        with store.transaction():
            checked_in_full = False
            for row in chunk:
                key = roster_key(achievement, row)
                stored = store.credential_for_roster_key(key)
                if stored is None:
                    credential = build_badge(
                        identity, achievement, row.recipient, options, name=row.name
                    )
                    add_status(store, identity, credential)
                    stored, text = _sign_and_store(
                        wallet,
                        signing_key,
                        credential,
                        options,
                        # The first badge of each chunk goes through the rule book and
                        # the verifier's pipeline; the others differ from it only in
                        # what laurel writes, and their signatures are verified.
                        sampled=checked_in_full,
                        roster_key=key,
                    )
                    checked_in_full = True
                    issued += 1
                else:
                    original = store.original_of(stored.id)
                    text = original.text if original is not None else stored.text
                    already += 1
                exports.append((out_dir / _file_name(row, options.format), text))
            if identity.base_url:  # lists opened by this chunk, signed once
                sign_unsigned_lists(store, signing_key, identity, options.now)
        for path, text in exports:
            files += _write_export(path, text)
        if progress is not None:
            progress(len(chunk))
    return RosterReport(issued=issued, already_issued=already, files=files, out_dir=out_dir)
