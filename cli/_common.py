"""What every `laurel` command shares: the group, the error funnel, exit codes, output.

The click group the commands register on; the one place a LaurelError becomes a
message and a hint on stderr; the wallet options and the passphrase; rendering a
VerificationResult for people and JSON for machines.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from vc.errors import LaurelError

if TYPE_CHECKING:
    from rich.console import Console

    from vc.results import VerificationResult
    from wallet.home import Wallet


F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: Inputs are read up to this size: images (QR photos, baked badges) may be larger
#: than a JSON document, whose own 1 MiB limit still applies once extracted.
MAX_INPUT_BYTES = 16 * 1024 * 1024

_STATUS_STYLE = {
    "passed": ("✔", "green"),
    "failed": ("✘", "bold red"),
    "warning": ("!", "yellow"),
    "skipped": ("–", "dim"),  # noqa: RUF001 (an en dash, on purpose)
}


def _console(stderr: bool = False) -> Console:
    from rich.console import Console  # rich costs ~40 ms: only for human output

    return Console(stderr=stderr, highlight=False, emoji=False)


def _fail(exc: LaurelError, *, verbose: bool, code: int = EXIT_FAILED) -> NoReturn:
    console = _console(stderr=True)
    # soft_wrap: a message is one line, never broken inside a path or an id.
    console.print(f"[bold red]error:[/] {_escape(exc.message)}", markup=True, soft_wrap=True)
    console.print(f"[dim]hint:[/] {_escape(exc.hint)}", markup=True, soft_wrap=True)
    if verbose:
        console.print_exception()
    sys.exit(code)


def _funnel(func: F) -> F:
    """Turn LaurelError into message + hint on stderr (traceback only with -v)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LaurelError as exc:
            verbose = bool(click.get_current_context().find_root().params.get("verbose"))
            _fail(exc, verbose=verbose)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


def render_result(console: Console, name: str, result: VerificationResult) -> None:
    """Print one verification report: the verdict first, then every check."""
    from rich.table import Table

    verdict = "[bold green]✔ VERIFIED[/]" if result.verified else "[bold red]✘ NOT VERIFIED[/]"
    console.print(f"{verdict}  [bold]{_escape(name)}[/]")
    summary = result.summary
    if summary:
        issuer = summary.get("issuer")
        issuer_text = ""
        if isinstance(issuer, dict):
            issuer_text = " ".join(str(v) for v in (issuer.get("name"), issuer.get("id")) if v)
        rows = [
            ("badge", summary.get("achievement") or summary.get("name")),
            ("issuer", issuer_text or None),
            ("subject", summary.get("subject") or summary.get("holder")),
            (
                "valid",
                " → ".join(
                    str(v) for v in (summary.get("validFrom"), summary.get("validUntil")) if v
                )
                or None,
            ),
        ]
        for label, value in rows:
            if value:
                console.print(f"  [dim]{label:8}[/] {_escape(str(value))}")
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1))
    table.add_column("", width=1)
    table.add_column("check")
    table.add_column("result")
    for check in result.checks:
        icon, style = _STATUS_STYLE[check.status.value]
        table.add_row(f"[{style}]{icon}[/]", f"[{style}]{check.id}[/]", _escape(check.message))
    console.print(table)
    for index, inner in enumerate(result.credentials):
        render_result(console, f"{name} › credential {index}", inner)  # noqa: RUF001
    console.print()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="laurel")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks for errors.")
def cli(verbose: bool) -> None:
    """laurel: issue, hold, present and verify Open Badges 3.0 micro-credentials.

    \b
    Try it:
      laurel demo                 a narrated tour in a temporary directory
      laurel verify badge.json    check a badge and see every check by name
      laurel init --name NAME     a wallet: issue, keep and revoke badges
      laurel serve                the verifier service, with a page at /
    """


# -- the wallet ----------------------------------------------------------------------

_home_option = click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The wallet folder (default: $LAUREL_HOME, else the user data folder).",
)


def _home(home: Path | None) -> Path:
    from wallet.paths import default_home

    return home if home is not None else default_home()


def _passphrase(*, confirm: bool = False, prompt: str = "Wallet passphrase") -> str:
    """LAUREL_PASSPHRASE when set, else a hidden prompt (twice when creating)."""
    value = os.environ.get("LAUREL_PASSPHRASE")
    if value:
        return value
    if not sys.stdin.isatty():
        raise click.UsageError("set LAUREL_PASSPHRASE, or run in a terminal to be asked for it")
    answer: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    return answer


@contextlib.contextmanager
def _open_wallet(home: Path | None) -> Iterator[Wallet]:
    from wallet.home import Wallet

    wallet = Wallet.open(_home(home))
    try:
        yield wallet
    finally:
        wallet.close()


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _valid_until(
    value: str | None, *, now: dt.datetime | None = None, option: str = "--valid-until"
) -> str | None:
    """A date (2027-06-30) or a dateTimeStamp as a dateTimeStamp; with `now`, after it.

    The messages quote what was typed, never what laurel adds to a bare date.
    """
    if value is None:
        return None
    from vc.timestamps import format_datetime_stamp, parse_datetime_stamp

    typed = value.strip()
    shown = typed if len(typed) <= 40 else typed[:40] + "…"
    expected = (
        "write a date like 2027-06-30, or a date and time with its zone like 2027-06-30T12:00:00Z"
    )
    if "T" not in typed and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", typed):
        raise click.BadParameter(f"{shown!r} is not a date; {expected}", param_hint=f"'{option}'")
    text = typed if "T" in typed else f"{typed}T00:00:00Z"
    try:
        moment = parse_datetime_stamp(text)
    except ValueError as exc:
        reason = "no such date" if "T" not in typed else "not a date and time with its zone"
        raise click.BadParameter(
            f"{shown!r} is {reason}; {expected}", param_hint=f"'{option}'"
        ) from exc
    if now is not None and moment <= now:
        raise click.BadParameter(
            f"{shown!r} is in the past: the badge would be expired from the start; give a later date",
            param_hint=f"'{option}'",
        )
    return format_datetime_stamp(moment)
