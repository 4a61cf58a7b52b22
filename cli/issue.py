"""Issuing badges: `laurel issue`, one badge or one per row of a roster."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from cli._common import (
    EXIT_USAGE,
    _console,
    _funnel,
    _home_option,
    _open_wallet,
    _passphrase,
    _valid_until,
    cli,
)
from cli.anchor import _anchor_and_report

#: Names this module held before revoke, suspend, unsuspend and status moved to
#: cli.status; imported on first use, so `laurel issue` does not load them.
_MOVED = dict.fromkeys(
    ("revoke", "suspend", "unsuspend", "status_group", "status_publish"), "cli.status"
)


def __getattr__(name: str) -> Any:
    """`cli.issue.revoke` and the others moved still work (PEP 562), from cli.status."""
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class _IssueArgs:
    """What `laurel issue` was asked, as click parsed its options."""

    achievement_file: Any
    recipient: str | None
    roster: Any
    out_dir: Path | None
    include_name: bool
    dry_run: bool
    suite: str
    badge_format: str
    valid_until: str | None
    evidence: tuple[str, ...]
    evidence_name: tuple[str, ...]
    result: str | None
    out: Path | None
    anchor_now: bool
    rpc: str | None
    home: Path | None


@cli.command()
@click.option(
    "--achievement",
    "achievement_file",
    required=True,
    type=click.File("rb"),
    help="An OB 3.0 Achievement (JSON).",
)
@click.option(
    "--recipient", help="The earner: a DID, or an email address (stored salted and hashed)."
)
@click.option(
    "--roster",
    type=click.File("rb"),
    help="A CSV with name,email[,did] columns: one badge per row.",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --roster: where to write each badge.",
)
@click.option(
    "--include-name",
    is_flag=True,
    help="With --roster: put each row's name in its badge (personal data: off by default).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check the achievement, the options and every roster row; sign and write nothing.",
)
@click.option(
    "--suite",
    type=click.Choice(["eddsa-rdfc-2022", "eddsa-jcs-2022"]),
    default="eddsa-rdfc-2022",
    show_default=True,
)
@click.option(
    "--format",
    "badge_format",
    type=click.Choice(["data-integrity", "jwt"]),
    default="data-integrity",
    show_default=True,
    help="jwt: a VC-JWT (Open Badges 3.0 JSON Web Token proof), which some hosts accept only.",
)
@click.option("--valid-until", help="Expiry date (2027-06-30 or a full dateTimeStamp).")
@click.option("--evidence", multiple=True, metavar="URL", help="An artifact reviewed (repeatable).")
@click.option(
    "--evidence-name", multiple=True, metavar="TEXT", help="A name for each --evidence, in order."
)
@click.option(
    "--result",
    metavar="LEVEL",
    help="The rubric level earned (its name in any case, or its id, from resultDescription).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the badge to this file.",
)
@click.option(
    "--anchor",
    "anchor_now",
    is_flag=True,
    help="Anchor at once on Ethereum (the embedded chain, or --rpc URL); see `laurel anchor`.",
)
@click.option("--rpc", metavar="URL", help="With --anchor: the JSON-RPC node to anchor on.")
@_home_option
@_funnel
def issue(**options: Any) -> None:
    """Issue an Open Badges 3.0 credential, or one per row of a roster.

    \b
    Examples:
      laurel issue --achievement formative.json --recipient did:key:z6Mk…
      laurel issue --achievement formative.json --recipient ana@school.example \\
          --evidence https://portfolio.example/ana/unit3 --result proficient
      laurel issue --achievement formative.json --roster cohort.csv --out-dir badges/ --dry-run
      laurel issue --achievement formative.json --recipient did:key:z6Mk… --format jwt
    Nothing is signed that laurel's own verifier would refuse: every problem is
    listed (exit 2) with where it is and what to write instead. A roster run is
    resumable: run it again after any interruption and it issues exactly the rows
    that are missing.
    """
    from vc.issuance import IssuanceRefusedError
    from wallet.achievement import AchievementError
    from wallet.badge import RecipientError
    from wallet.issuer import RosterError

    asked = _IssueArgs(**options)
    if (asked.recipient is None) == (asked.roster is None):
        raise click.UsageError("give exactly one of --recipient or --roster")
    if asked.roster is not None and asked.out_dir is None and not asked.dry_run:
        raise click.UsageError("--roster needs --out-dir")
    if asked.include_name and asked.roster is None:
        raise click.UsageError("--include-name goes with --roster")
    if len(asked.evidence_name) > len(asked.evidence):
        raise click.UsageError("each --evidence-name needs its --evidence")
    if asked.rpc is not None and not asked.anchor_now:
        raise click.UsageError("--rpc goes with --anchor")
    if asked.dry_run and (asked.anchor_now or asked.out is not None):
        raise click.UsageError("--dry-run signs nothing: it goes without --anchor and --out")
    try:
        _issue(asked)
    except IssuanceRefusedError as exc:
        _refuse(
            exc.message.split(" (", 1)[0], _lines(exc, _shown(asked.achievement_file)), exc.hint
        )
    except RosterError as exc:
        source = _shown(asked.roster)
        _refuse(
            exc.message.split(": ", 1)[0], [f"{source} {line}" for line in exc.lines()], exc.hint
        )
    except (AchievementError, RecipientError) as exc:
        _refuse(exc.message, [], exc.hint)


def _shown(file: Any) -> str:
    # The file's own name, as the teacher knows it ("<stdin>" for "-").
    return Path(str(getattr(file, "name", "the file"))).name


def _lines(exc: Any, achievement_name: str) -> list[str]:
    # Problems inside the achievement are shown where the teacher wrote them: in the file.
    prefix = "credentialSubject.achievement"
    out = []
    for problem in exc.problems:
        path = problem.details.get("path")
        where = path if isinstance(path, str) else ""
        if where == prefix or where.startswith((prefix + ".", prefix + "[")):
            rest = where[len(prefix) :].lstrip(".")
            where = f"{achievement_name}: {rest}" if rest else achievement_name
        out.append(
            f"{where}: {problem.message} [{problem.id}]"
            if where
            else f"{problem.message} [{problem.id}]"
        )
    return out


def _refuse(message: str, lines: list[str], hint: str) -> NoReturn:
    # Plain lines, never wrapped: one per problem, for people and for grep alike.
    click.echo(f"error: {message}", err=True)
    for line in lines:
        click.echo(f"  {line}", err=True)
    click.echo(f"hint: {hint}", err=True)
    sys.exit(EXIT_USAGE)


def _issue(asked: _IssueArgs) -> None:
    from vc.issuance import IssuanceRefusedError, check_unsigned
    from verifier.issued import verify_issued
    from wallet.badge import build_badge
    from wallet.issuer import (
        Evidence,
        IssueOptions,
        issue_badge,
        issue_roster,
        load_achievement,
        plan_roster,
        read_roster,
    )

    now = dt.datetime.now(dt.UTC)
    names = list(asked.evidence_name) + [None] * (len(asked.evidence) - len(asked.evidence_name))
    options = IssueOptions(
        suite=asked.suite,
        format=asked.badge_format,
        valid_until=_valid_until(asked.valid_until, now=now),
        evidence=tuple(
            Evidence(url, name) for url, name in zip(asked.evidence, names, strict=True)
        ),
        result=asked.result,
        now=now,
        include_name=asked.include_name,
        check=verify_issued,
    )
    achievement = load_achievement(asked.achievement_file.read())
    rows = read_roster(asked.roster.read()) if asked.roster is not None else None
    with _open_wallet(asked.home) as wallet:
        if asked.dry_run:
            if rows is not None:
                plan = plan_roster(wallet, achievement, rows, options)
                click.echo(
                    f"dry run: every row is good; {plan.to_issue} would be issued, "
                    f"{plan.already_issued} already are; nothing was signed or written"
                )
                return
            assert asked.recipient is not None  # noqa: S101 -- exactly one of the two, checked above
            problems = check_unsigned(
                build_badge(wallet.identity, achievement, asked.recipient, options)
            )
            if problems:
                raise IssuanceRefusedError(problems)
            click.echo("dry run: the badge can be issued; nothing was signed")
            return
        passphrase = _passphrase()
        if asked.recipient is not None:
            stored = issue_badge(wallet, passphrase, achievement, asked.recipient, options)
            if asked.anchor_now:
                _anchor_and_report(wallet, passphrase, rpc=asked.rpc)
                stored = wallet.store.get_credential(stored.id)
            if asked.out is not None:
                original = wallet.store.original_of(stored.id)
                asked.out.write_text(original.text if original else stored.text, encoding="utf-8")
            click.echo(stored.id)
            return
        assert rows is not None  # noqa: S101 -- exactly one of the two, checked above
        from rich.progress import Progress

        with Progress(console=_console(stderr=True), transient=False) as bar:
            task = bar.add_task("issuing", total=len(rows))
            report = issue_roster(
                wallet,
                passphrase,
                achievement,
                rows,
                asked.out_dir or Path("."),
                options,
                progress=lambda n: bar.advance(task, n),
            )
        from wallet.badges import record_roster_names

        # The badges carry no names: the wallet keeps them, to find and name each badge.
        record_roster_names(wallet.store, achievement, rows)
        if asked.anchor_now:
            _anchor_and_report(wallet, passphrase, rpc=asked.rpc)
    click.echo(
        f"{report.issued} issued, {report.already_issued} already issued, "
        f"{report.files} files written to {report.out_dir}"
    )
