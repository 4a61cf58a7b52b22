"""What every `laurel` command shares: the group, the error funnel, exit codes, output.

The click group the commands register on; the one place a LaurelError becomes a
message and a hint on stderr; the wallet options and the passphrase; rendering a
VerificationResult for people and JSON for machines.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
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


#: Set by the console script: this process is the `laurel` program itself (not a test
#: invoking a command in-process), so a command may end it with :func:`end_now`.
AS_PROGRAM = [False]


def end_now(code: int) -> NoReturn:
    """Exit with `code`; as the program, without the interpreter's teardown.

    Output is flushed and exit handlers run (the context cache is saved) first; then
    the process ends at once rather than free its objects one by one (measured with
    hyperfine: `laurel verify one.json` 167 -> 152 ms). Only for a command that has
    closed everything it wrote; in-process (tests), a plain ``sys.exit``.
    """
    if not AS_PROGRAM[0]:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    import atexit

    atexit._run_exitfuncs()
    os._exit(code)


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


def render_result(console: Console, name: str, result: VerificationResult, **words: Any) -> None:
    """Print one verification report for people (see :func:`cli.report.render_result`)."""
    from cli.report import render_result as render

    render(console, name, result, **words)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


#: Which module defines each command: a command's module is imported when the command
#: is run (or help lists them all), so `laurel verify` starts without the wallet's,
#: the issuer's and the protocols' code. tests/e2e/test_cli.py keeps the table true.
COMMAND_MODULES: dict[str, str] = {
    **dict.fromkeys(("anchor", "key"), "cli.anchor"),
    "issue": "cli.issue",
    **dict.fromkeys(("offer", "receive"), "cli.oid4vc"),
    "demo": "cli.demo",
    "portfolio": "cli.portfolio",
    "present": "cli.present",
    "serve": "cli.serve",
    **dict.fromkeys(("revoke", "status", "suspend", "unsuspend"), "cli.status"),
    "verify": "cli.verify",
    **dict.fromkeys(("backup", "did", "init", "passwd", "restore"), "cli.wallet"),
    **dict.fromkeys(("bake", "delete", "export", "import", "list", "show"), "cli.badges"),
}


class _LazyGroup(click.Group):
    """A group whose commands are registered by importing their module on first use."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if cmd_name not in self.commands and module is not None:
            importlib.import_module(module)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in sorted(set(COMMAND_MODULES.values())):
            importlib.import_module(module)
        return super().list_commands(ctx)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def _resolve_ids(wallet: Wallet, given: tuple[str, ...] | list[str]) -> list[str]:
    """The full ids of the badges `given` names: ids, or unique prefixes (``cc6e7a``)."""
    return [wallet.store.resolve_id(value) for value in given]


def _locale() -> Any:
    """The command line's language and locale (``LAUREL_LANG``, else the POSIX variables)."""
    from ui.i18n import environment_locale

    return environment_locale()


def _local_zone() -> Any:
    """This machine's time zone, for dates shown to people."""
    import datetime as dt

    return dt.datetime.now().astimezone().tzinfo


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
