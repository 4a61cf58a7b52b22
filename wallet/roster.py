"""A roster: the CSV of who earns a badge, read whole and checked row by row, and each row's key.

A roster is read whole first: every bad row is reported at once (line, column, why),
so that nothing is signed while any row is bad (:func:`wallet.issuer.issue_roster`).
Each row has a roster key (the achievement and the recipient), unique in the
database: a re-run finds the badges it already issued.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from vc.errors import LaurelError
from vc.types import JSONObject
from wallet.badge import check_recipient

__all__ = ["RosterError", "RosterProblem", "RosterRow", "read_roster", "roster_key"]

_QUOTE_LIMIT = 60


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


def roster_key(achievement: JSONObject, row: RosterRow) -> str:
    """The stable key of one roster row's badge (a re-run finds what it already issued)."""
    basis = json.dumps([achievement.get("id"), row.recipient.lower()], ensure_ascii=False)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()
