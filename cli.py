"""`laurel`: the command line, thin over the library.

Each command parses its arguments, makes one library call and renders the result
(rich tables for people, ``--json`` for machines: the same document the HTTP API
returns). Every LaurelError ends in one place: its message and hint on stderr.
Exit codes: 0 ok / verified, 1 not verified or failed, 2 usage or unreadable input.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from vc.errors import LaurelError
from vc.jsontext import MAX_DOCUMENT_BYTES

if TYPE_CHECKING:
    from rich.console import Console

    from vc.results import VerificationResult

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

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
    console.print(f"[bold red]error:[/] {exc.message}", markup=True)
    console.print(f"[dim]hint:[/] {exc.hint}", markup=True)
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


def _read_inputs(inputs: tuple[str, ...]) -> Iterator[tuple[str, bytes | str]]:
    """Yield (name, bytes) per input, or (name, error message) when it cannot be read."""
    for name in inputs:
        try:
            if name == "-":
                data = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
            else:
                with open(name, "rb") as handle:
                    data = handle.read(MAX_DOCUMENT_BYTES + 1)
        except OSError as exc:
            yield name, f"cannot read {name}: {exc.strerror or exc}"
            continue
        yield name, data


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="laurel")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks for errors.")
def cli(verbose: bool) -> None:
    r"""laurel: issue, hold, present and verify Open Badges 3.0 micro-credentials.

    \b
    Try it:
      laurel demo                 a narrated tour in a temporary directory
      laurel verify badge.json    check a badge and see every check by name
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, one per line.")
@click.option("--challenge", help="The challenge a presentation must be signed over.")
@click.option("--domain", help="The domain a presentation must be signed for.")
@_funnel
def verify(
    inputs: tuple[str, ...], as_json: bool, challenge: str | None, domain: str | None
) -> None:
    r"""Verify credentials or presentations (JSON files, or - for stdin).

    Every check runs and is reported by name: format, proof, issuer, validity,
    status, anchor, schema, presentation, trust.

    \b
    Exit status: 0 all verified, 1 some not verified, 2 some input unreadable.
    \b
    Examples:
      laurel verify badge.json
      laurel verify --json a.json b.json | jq .verified
      laurel verify --challenge 8c1f… --domain hiring.example vp.json
    """
    from vc.results import CheckResult, VerificationResult
    from verifier import VerificationPolicy, verify_bytes

    policy = VerificationPolicy(now=dt.datetime.now(dt.UTC), challenge=challenge, domain=domain)
    console = None if as_json else _console()
    worst = EXIT_OK
    for name, data in _read_inputs(inputs):
        if isinstance(data, str):
            result = VerificationResult(
                (CheckResult.failed("format.unreadable", data),), unreadable=True
            )
        else:
            result = verify_bytes(data, policy)
        if result.unreadable:
            worst = EXIT_USAGE
        elif not result.verified and worst == EXIT_OK:
            worst = EXIT_FAILED
        if console is None:
            sys.stdout.write(
                json.dumps({"input": name, **result.to_json()}, ensure_ascii=False) + "\n"
            )
            sys.stdout.flush()
        else:
            render_result(console, name, result)
    sys.exit(worst)


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the temporary directory and print its path.")
@_funnel
def demo(keep: bool) -> None:
    """A narrated tour: make an issuer key, sign a badge, verify it, tamper, verify again."""
    import laurel_demo

    console = _console()
    laurel_demo.run(
        console, show=lambda name, result: render_result(console, name, result), keep=keep
    )


def main() -> None:
    """The `laurel` console script."""
    cli(prog_name="laurel")


if __name__ == "__main__":
    main()
