"""The console's rosters: each row checked for the preview, the good ones issued in the background.

A row is refused by the rules and in the words of :func:`wallet.issuer.read_roster`,
rows this wallet already issued are marked, and a :class:`Job` issues the good rows
by the path of ``laurel issue --roster`` (:func:`wallet.issuer.issue_roster`) in a
thread, its progress read by the console's progress bar.
"""

from __future__ import annotations

import csv
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from vc.errors import LaurelError
from vc.types import JSONObject
from wallet.home import Wallet

__all__ = ["MAX_ROSTER_ROWS", "Job", "RowCheck", "check_roster"]

#: The most rows one uploaded roster may hold (larger ones: `laurel issue --roster`).
MAX_ROSTER_ROWS: Final = 10_000


@dataclass(frozen=True, slots=True)
class RowCheck:
    """One roster line as the preview shows it: its recipient, or why it is refused.

    `problem` is :func:`wallet.issuer.read_roster`'s own words for the line.
    """

    line: int
    name: str
    recipient: str
    problem: str | None = None
    already: bool = False


def check_roster(data: bytes) -> tuple[list[RowCheck], str | None]:
    """Every row of a roster CSV, each with its problems (all of them, not the first).

    The rules and their words are :func:`wallet.issuer.read_roster`'s, so the console
    refuses exactly what ``laurel issue --roster`` refuses; the second value says why
    the whole file is unusable (not UTF-8, no usable header, too many rows), if it is.
    """
    from wallet.issuer import RosterError, read_roster

    problems: dict[int, list[str]] = {}
    try:
        read_roster(data)
    except RosterError as exc:
        for problem in exc.problems:
            problems.setdefault(problem.line, []).append(problem.message)
    if 1 in problems:
        return [], "; ".join(problems[1])
    records = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    header = [h.strip().lower() for h in records[0]]
    rows: list[RowCheck] = []
    for line, fields in enumerate(records[1:], start=2):
        if not any(f.strip() for f in fields):
            continue
        if len(rows) >= MAX_ROSTER_ROWS:
            return rows, "too_many"
        record = dict(zip(header, (f.strip() for f in fields), strict=False))
        recipient = record.get("did") or record.get("email") or ""
        found = problems.get(line)
        rows.append(
            RowCheck(line, record.get("name", ""), recipient, "; ".join(found) if found else None)
        )
    return rows, None


@dataclass(slots=True)
class Job:
    """An uploaded roster: previewed, then issued in the background."""

    id: str
    owner: str
    achievement: JSONObject
    rows: list[RowCheck]
    suite: str
    valid_until: str | None
    total: int = 0
    done: int = 0
    state: str = "preview"
    issued: int = 0
    already: int = 0
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def good(self) -> list[RowCheck]:
        """The rows that will be issued."""
        return [r for r in self.rows if r.problem is None]

    @property
    def bad(self) -> list[RowCheck]:
        """The rows that will not."""
        return [r for r in self.rows if r.problem is not None]

    def to_json(self) -> JSONObject:
        """The job's progress, for the progress bar's script."""
        with self.lock:
            return {
                "state": self.state,
                "done": self.done,
                "total": self.total,
                "issued": self.issued,
                "already": self.already,
                "error": self.error,
            }


def _run(job: Job, home: Path, keystore: Any) -> None:
    """Issue a job's good rows (in a thread): the roster path of `laurel issue --roster`."""
    from wallet.badges import record_roster_names
    from wallet.issuer import IssueOptions, RosterRow, issue_roster

    rows = [_roster_row(RosterRow, r) for r in job.good]

    def advance(count: int) -> None:
        with job.lock:
            job.done += count

    try:
        with Wallet.open(home) as wallet, tempfile.TemporaryDirectory() as exports:
            wallet.attach_keystore(keystore)
            options = IssueOptions(suite=job.suite, valid_until=job.valid_until)
            report = issue_roster(
                wallet, "", job.achievement, rows, Path(exports), options, progress=advance
            )
            record_roster_names(wallet.store, job.achievement, rows)
        with job.lock:
            job.state, job.issued, job.already = "done", report.issued, report.already_issued
    except LaurelError as exc:
        with job.lock:
            job.state, job.error = "failed", exc.message


def _roster_row(kind: Any, row: RowCheck) -> Any:
    is_did = row.recipient.startswith("did:")
    return kind(
        row.line, row.name, "" if is_did else row.recipient, row.recipient if is_did else ""
    )


def _mark_already(wallet: Wallet, achievement: JSONObject, rows: list[RowCheck]) -> list[RowCheck]:
    """Mark the rows whose badge this wallet already issued (a re-run skips them)."""
    from wallet.issuer import RosterRow, roster_key

    marked = []
    for row in rows:
        if row.problem is None:
            key = roster_key(achievement, _roster_row(RosterRow, row))
            if wallet.store.credential_for_roster_key(key) is not None:
                row = RowCheck(row.line, row.name, row.recipient, None, already=True)
        marked.append(row)
    return marked
