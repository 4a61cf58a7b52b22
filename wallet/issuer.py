"""Issuing Open Badges 3.0: one badge, or a whole roster, signed by the wallet's key.

A roster is read whole first (:mod:`wallet.roster`): every bad row is reported at once
(line, column, why), and nothing is signed while any row is bad. It is then committed in
chunks and is resumable: each row has a roster key (the achievement and the recipient),
unique in the database, so a run killed at any point and started again issues exactly
the rows that are missing. A single badge is checked in full before and after signing
(:func:`wallet.badge.sign_checked`); in a roster, so is the first badge of every chunk,
and every other badge's signature is verified (the rows differ only in what laurel
writes: the id, the recipient's identifier, the status entries).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

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
    sign_checked,
    sign_checked_jwt,
)
from wallet.home import Identity, Wallet
from wallet.roster import RosterError, RosterProblem, RosterRow, read_roster, roster_key
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
