"""`laurel`: the command line, thin over the library.

Each command parses its arguments, makes one library call and renders the result
(rich tables for people, ``--json`` for machines: the same document the HTTP API
returns). Every LaurelError ends in one place: its message and hint on stderr.
Exit codes: 0 ok / verified, 1 not verified or failed, 2 usage or unreadable input.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar

import click

from vc.errors import LaurelError

if TYPE_CHECKING:
    from rich.console import Console

    from vc.request import PresentationRequest
    from vc.results import VerificationResult
    from vc.types import JSONObject
    from wallet.home import Wallet

__all__ = ["main"]

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


def _verify_input(
    data: bytes | str, policy: Any, resolver: Any, status_checker: Any, anchors: Any = None
) -> list[tuple[str, VerificationResult]]:
    """Verify every document an input holds: JSON, a QR payload, or a photo of QR codes."""
    from vc.errors import MalformedDocumentError
    from vc.results import CheckResult, VerificationResult
    from verifier import verify_bytes
    from verifier.sources import documents_in

    if isinstance(data, str):
        failure = CheckResult.failed("format.unreadable", data)
        return [("", VerificationResult((failure,), unreadable=True))]
    try:
        documents = documents_in(data)
    except MalformedDocumentError as exc:
        failure = CheckResult.failed(f"format.{exc.code}", exc.message, hint=exc.hint)
        return [("", VerificationResult((failure,), unreadable=True))]
    return [
        (
            label,
            verify_bytes(
                document, policy, resolver=resolver, status_checker=status_checker, anchors=anchors
            ),
        )
        for label, document in documents
    ]


def _read_inputs(inputs: tuple[str, ...]) -> Iterator[tuple[str, bytes | str]]:
    """Yield (name, bytes) per input, or (name, error message) when it cannot be read.

    A link (``laurel present --link``) is its own input: the payload is in its fragment,
    and it is never fetched.
    """
    for name in inputs:
        if name[:8].lower().startswith(("https://", "http://")) and not os.path.exists(name):
            yield (name.split("#", 1)[0] + "#…" if "#" in name else name), name.encode()
            continue
        try:
            if name == "-":
                data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
            else:
                with open(name, "rb") as handle:
                    data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            yield name, f"cannot read {name}: {exc.strerror or exc}"
            continue
        yield name, data


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


_allow_private_network_option = click.option(
    "--allow-private-network",
    is_flag=True,
    help="Let did:web and status-list fetches reach private/loopback hosts"
    " (also LAUREL_ALLOW_PRIVATE_NETWORK=1).",
)


def _chain_options(func: F) -> F:
    """--rpc, --embedded-chain and --confirmations: where and how deep anchors are checked."""
    func = click.option(
        "--confirmations",
        type=click.IntRange(1, 10_000),
        metavar="N",
        help="Blocks an anchor must be under on an RPC chain (default: finalized, else 64).",
    )(func)
    func = click.option(
        "--embedded-chain",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help="An embedded chain file to look anchors up in (default: $LAUREL_HOME's, if any).",
    )(func)
    func = click.option(
        "--rpc",
        multiple=True,
        metavar="URL",
        envvar="LAUREL_RPC_URL",
        help="An Ethereum JSON-RPC node to look anchors up on (repeatable; also LAUREL_RPC_URL).",
    )(func)
    return func


def _chain_directory(rpc: tuple[str, ...], embedded_chain: Path | None) -> Any:
    """The chains a verification consults (nothing is opened until an anchor needs it)."""
    from anchor.check import ChainDirectory
    from wallet.home import default_home

    by_default = embedded_chain is None
    if embedded_chain is None:
        candidate = default_home() / "chain.db"
        embedded_chain = candidate if candidate.exists() else None
    for url in rpc:
        if not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="--rpc")
    return ChainDirectory(
        rpc_urls=tuple(rpc), embedded_path=embedded_chain, embedded_by_default=by_default
    )


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, one per line.")
@click.option("--challenge", help="The challenge a presentation must be signed over.")
@click.option("--domain", help="The domain a presentation must be signed for.")
@_allow_private_network_option
@click.option(
    "--clock-skew",
    type=click.IntRange(0, 3600),
    default=300,
    show_default=True,
    metavar="SECONDS",
    help="How far in the future a validFrom may be (clocks drift).",
)
@click.option(
    "--trust",
    "trust_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="LAUREL_TRUST_REGISTRY",
    help="Your registry of recognized issuers: CSV did,name[,note] or JSON (also LAUREL_TRUST_REGISTRY).",
)
@click.option(
    "--status-unreachable",
    type=click.Choice(["fail", "warn"]),
    default="fail",
    show_default=True,
    help="When a status list cannot be retrieved: fail (not verified) or only warn.",
)
@_chain_options
@click.option(
    "--require-anchor",
    is_flag=True,
    help="Fail (rather than warn) when an anchor cannot be confirmed on its chain.",
)
@_funnel
def verify(
    inputs: tuple[str, ...],
    as_json: bool,
    challenge: str | None,
    domain: str | None,
    allow_private_network: bool,
    clock_skew: int,
    trust_file: Path | None,
    status_unreachable: Literal["fail", "warn"],
    rpc: tuple[str, ...],
    embedded_chain: Path | None,
    confirmations: int | None,
    require_anchor: bool,
) -> None:
    """Verify credentials or presentations (JSON files, or - for stdin).

    An input may also be a QR payload, a picture of QR codes, a baked badge image,
    or a link made by `laurel present --link` (read from its fragment, never fetched).
    Every check runs and is reported by name: format, proof, issuer, validity,
    status, anchor, schema, presentation, trust.

    \b
    Exit status: 0 all verified, 1 some not verified, 2 some input unreadable.
    \b
    Examples:
      laurel verify badge.json
      laurel verify --json a.json b.json | jq .verified
      laurel verify --challenge 8c1f… --domain hiring.example vp.json
      laurel verify --rpc https://sepolia.example/… badge.json   # its anchor on Sepolia
    An anchor is looked up on the --rpc nodes and on the embedded chain of the
    wallet at $LAUREL_HOME (or --embedded-chain FILE).
    """
    from verifier import VerificationPolicy
    from verifier.trust import TrustRegistry
    from verifier.verify import networked_resolver, networked_status_checker

    registry = TrustRegistry.from_file(trust_file) if trust_file is not None else None
    policy = VerificationPolicy(
        now=dt.datetime.now(dt.UTC),
        clock_skew=dt.timedelta(seconds=clock_skew),
        challenge=challenge,
        domain=domain,
        trusted_issuers=registry,
        status_unreachable=status_unreachable,
        anchor_confirmations=confirmations,
        require_anchor=require_anchor,
    )
    resolver = networked_resolver(allow_private_network=allow_private_network)
    status_checker = networked_status_checker(allow_private_network=allow_private_network)
    anchors = _chain_directory(rpc, embedded_chain)
    console = None if as_json else _console()
    worst = EXIT_OK
    for name, data in _read_inputs(inputs):
        for label, result in _verify_input(data, policy, resolver, status_checker, anchors):
            shown = f"{name} ({label})" if label else name
            if result.unreadable:
                worst = EXIT_USAGE
            elif not result.verified and worst == EXIT_OK:
                worst = EXIT_FAILED
            if console is None:
                line = {"input": shown, **result.to_json()}
                sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
                sys.stdout.flush()
            else:
                render_result(console, shown, result)
    sys.exit(worst)


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the temporary directory and print its path.")
@_funnel
def demo(keep: bool) -> None:
    """A narrated tour: two wallets, a badge issued, verified, tampered, revoked, backed up."""
    import laurel_demo

    console = _console()
    laurel_demo.run(
        console, show=lambda name, result: render_result(console, name, result), keep=keep
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker processes."
)
@click.option("--domain", help="The domain challenges are bound to (default: the request's Host).")
@_allow_private_network_option
@click.option(
    "--wallet",
    "wallet_home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also host this issuer wallet's status lists (and did.json for did:web).",
)
@click.option(
    "--issuer-token",
    envvar="LAUREL_ISSUER_TOKEN",
    help="With --wallet: enable POST /credentials/issue and /credentials/status for this bearer token.",
)
@_chain_options
@_funnel
def serve(
    host: str,
    port: int,
    workers: int,
    domain: str | None,
    allow_private_network: bool,
    wallet_home: Path | None,
    issuer_token: str | None,
    rpc: tuple[str, ...],
    embedded_chain: Path | None,
    confirmations: int | None,
) -> None:
    """Run the verifier service (gunicorn): VC-API JSON routes for employers' systems.

    \b
    POST /credentials/verify     {"verifiableCredential": {...}}         200 or 422
    POST /presentations/verify   {"verifiablePresentation": {...},
                                  "options": {"challenge", "domain"}}    200 or 422
    POST /challenges             a fresh single-use challenge (5 min)
    GET  /1.0/identifiers/DID    DID resolution
    GET  /health, /openapi.json
    """
    import tempfile

    from verifier.app import create_app
    from verifier.challenges import SharedChallengeStore
    from verifier.server import ServeOptions
    from verifier.server import serve as run_server
    from verifier.verify import networked_resolver, networked_status_checker

    if issuer_token is not None and wallet_home is None:
        raise click.UsageError("--issuer-token needs --wallet HOME")
    passphrase = _passphrase() if issuer_token is not None else None
    if wallet_home is not None:
        from wallet.service import issuer_blueprint

        issuer_blueprint(wallet_home, passphrase=passphrase, token=issuer_token)  # fail early

    with tempfile.TemporaryDirectory(prefix="laurel-serve-") as state:
        # One challenge file for every worker: a challenge issued by one is known,
        # and usable once, in all of them.
        challenges = SharedChallengeStore(Path(state) / "challenges.db")

        def factory() -> Any:
            app = create_app(
                resolver=networked_resolver(allow_private_network=allow_private_network),
                status_checker=networked_status_checker(
                    allow_private_network=allow_private_network
                ),
                challenges=challenges,
                domain=domain,
                anchors=_chain_directory(rpc, embedded_chain),
                anchor_confirmations=confirmations,
            )
            if wallet_home is not None:
                from wallet.service import issuer_blueprint

                app.register_blueprint(
                    issuer_blueprint(wallet_home, passphrase=passphrase, token=issuer_token)
                )
            return app

        click.echo(
            f"laurel verifier on http://{host}:{port} ({workers} workers); Ctrl-C stops it",
            err=True,
        )
        run_server(ServeOptions(host=host, port=port, workers=workers), factory)


# -- the wallet ----------------------------------------------------------------------

_home_option = click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The wallet folder (default: $LAUREL_HOME, else the user data folder).",
)


def _home(home: Path | None) -> Path:
    from wallet.home import default_home

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


@cli.command()
@click.option("--name", required=True, help="Your name as issuers and verifiers will see it.")
@click.option("--did-web", metavar="HOST[/PATH]", help="Use did:web:HOST instead of did:key.")
@click.option(
    "--base-url", metavar="URL", help="Where your status lists (and did.json) will be published."
)
@click.option(
    "--force", is_flag=True, help="Replace an existing wallet (its files are kept as *.bak)."
)
@_home_option
@_funnel
def init(
    name: str, did_web: str | None, base_url: str | None, force: bool, home: Path | None
) -> None:
    """Create a wallet: an encrypted Ed25519 key and its DID.

    The passphrase comes from LAUREL_PASSPHRASE, or is asked twice.

    \b
    Examples:
      laurel init --name "Riverside School District" --base-url https://badges.riverside.example
      laurel init --name "Ana Rivera"
    """
    from wallet.home import Wallet, did_web_from_host

    try:
        did = did_web_from_host(did_web) if did_web else None
        wallet = Wallet.create(
            _home(home),
            name=name,
            passphrase=_passphrase(confirm=True),
            did_web=did,
            base_url=base_url,
            force=force,
        )
    except ValueError as exc:  # a short passphrase, an empty name or host
        raise click.UsageError(str(exc)) from exc
    with wallet:
        click.echo(wallet.identity.did)


@cli.command()
@_home_option
@_funnel
def passwd(home: Path | None) -> None:
    """Change the wallet's passphrase (the keys are re-encrypted)."""
    with _open_wallet(home) as wallet:
        keystore = wallet.unlock(_passphrase(prompt="Current passphrase"))
        new = os.environ.get("LAUREL_NEW_PASSPHRASE") or _prompt_new()
        keystore.change_passphrase(new)
    click.echo("passphrase changed")


def _prompt_new() -> str:
    if not sys.stdin.isatty():
        raise click.UsageError("set LAUREL_NEW_PASSPHRASE, or run in a terminal to be asked for it")
    answer: str = click.prompt("New passphrase", hide_input=True, confirmation_prompt=True)
    return answer


@cli.command()
@click.option(
    "--document", is_flag=True, help="Print the DID document (for did:web, host it as did.json)."
)
@_home_option
@_funnel
def did(document: bool, home: Path | None) -> None:
    """Print this wallet's DID, or its DID document."""
    with _open_wallet(home) as wallet:
        if document:
            _print_json(wallet.did_document())
        else:
            click.echo(wallet.identity.did)


def _valid_until(value: str | None) -> str | None:
    if value is None:
        return None
    from vc.timestamps import format_datetime_stamp, parse_datetime_stamp

    text = value if "T" in value else f"{value}T00:00:00Z"
    try:
        return format_datetime_stamp(parse_datetime_stamp(text))
    except ValueError as exc:
        raise click.BadParameter(f"{exc} (use 2027-06-30 or 2027-06-30T12:00:00Z)") from exc


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
    "--suite",
    type=click.Choice(["eddsa-rdfc-2022", "eddsa-jcs-2022"]),
    default="eddsa-rdfc-2022",
    show_default=True,
)
@click.option("--valid-until", help="Expiry date (2027-06-30 or a full dateTimeStamp).")
@click.option("--evidence", multiple=True, metavar="URL", help="An artifact reviewed (repeatable).")
@click.option(
    "--evidence-name", multiple=True, metavar="TEXT", help="A name for each --evidence, in order."
)
@click.option(
    "--result", metavar="LEVEL", help="The rubric level earned (id or name from resultDescription)."
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
def issue(
    achievement_file: Any,
    recipient: str | None,
    roster: Any,
    out_dir: Path | None,
    suite: str,
    valid_until: str | None,
    evidence: tuple[str, ...],
    evidence_name: tuple[str, ...],
    result: str | None,
    out: Path | None,
    anchor_now: bool,
    rpc: str | None,
    home: Path | None,
) -> None:
    """Issue an Open Badges 3.0 credential, or one per row of a roster.

    \b
    Examples:
      laurel issue --achievement formative.json --recipient did:key:z6Mk…
      laurel issue --achievement formative.json --recipient ana@school.example \\
          --evidence https://portfolio.example/ana/unit3 --result proficient
      laurel issue --achievement formative.json --roster cohort.csv --out-dir badges/
    A roster run is resumable: run it again after any interruption and it
    issues exactly the rows that are missing.
    """
    from wallet.issuer import (
        Evidence,
        IssueOptions,
        issue_badge,
        issue_roster,
        load_achievement,
        read_roster,
    )

    if (recipient is None) == (roster is None):
        raise click.UsageError("give exactly one of --recipient or --roster")
    if roster is not None and out_dir is None:
        raise click.UsageError("--roster needs --out-dir")
    if len(evidence_name) > len(evidence):
        raise click.UsageError("each --evidence-name needs its --evidence")
    if rpc is not None and not anchor_now:
        raise click.UsageError("--rpc goes with --anchor")
    names = list(evidence_name) + [None] * (len(evidence) - len(evidence_name))
    options = IssueOptions(
        suite=suite,
        valid_until=_valid_until(valid_until),
        evidence=tuple(Evidence(url, name) for url, name in zip(evidence, names, strict=True)),
        result=result,
    )
    achievement = load_achievement(achievement_file.read())
    with _open_wallet(home) as wallet:
        passphrase = _passphrase()
        if recipient is not None:
            stored = issue_badge(wallet, passphrase, achievement, recipient, options)
            if anchor_now:
                _anchor_and_report(wallet, passphrase, rpc=rpc)
                stored = wallet.store.get_credential(stored.id)
            if out is not None:
                out.write_text(stored.text, encoding="utf-8")
            click.echo(stored.id)
            return
        rows = read_roster(roster.read())
        from rich.progress import Progress

        with Progress(console=_console(stderr=True), transient=False) as bar:
            task = bar.add_task("issuing", total=len(rows))
            report = issue_roster(
                wallet,
                passphrase,
                achievement,
                rows,
                out_dir or Path("."),
                options,
                progress=lambda n: bar.advance(task, n),
            )
        if anchor_now:
            _anchor_and_report(wallet, passphrase, rpc=rpc)
    click.echo(
        f"{report.issued} issued, {report.already_issued} already issued, "
        f"{report.files} files written to {report.out_dir}"
    )


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.File("rb"))
@click.option(
    "--force", is_flag=True, help="Store a badge even if it does not verify (marked unverified)."
)
@_home_option
@_funnel
def import_(files: tuple[Any, ...], force: bool, home: Path | None) -> None:
    """Verify badges and keep them in the wallet."""
    from verifier import VerificationPolicy, verify_bytes
    from wallet.holder import import_credential

    policy = VerificationPolicy(now=dt.datetime.now(dt.UTC))
    with _open_wallet(home) as wallet:
        for handle in files:
            outcome = import_credential(
                wallet,
                _importable(handle.read(MAX_INPUT_BYTES + 1)),
                lambda data: verify_bytes(data, policy),
                force=force,
            )
            mark = "" if outcome.result.verified else "  (NOT VERIFIED, stored with --force)"
            click.echo(f"{outcome.credential.id}{mark}")


def _importable(data: bytes) -> bytes:
    """The credential in an imported file: JSON as it is, or unbaked from a badge image."""
    from verifier.sources import documents_in

    documents = documents_in(data)
    if len(documents) != 1:
        raise click.UsageError("import one credential per file")
    return documents[0][1]


def _listing(stored: Any) -> dict[str, object]:
    return {
        "id": stored.id,
        "name": stored.name,
        "issuer": stored.issuer,
        "recipient": stored.recipient,
        "validFrom": stored.valid_from,
        "status": "issued"
        if stored.origin == "issued"
        else ("verified" if stored.verified else "unverified"),
        "anchored": stored.anchored,
    }


def _link_base(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Check --link BASE_URL early: http(s), a host, no fragment."""
    if value is None:
        return None
    from vc.envelope import link_to

    try:
        link_to(value, "")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _read_request(source: str, now: dt.datetime) -> PresentationRequest:
    """The presentation request in --request: its text, a file holding it, or a picture of its QR."""
    from vc.request import PresentationRequest, RequestError

    try:
        is_file = Path(source).is_file()
    except (OSError, ValueError):  # a payload is no file name (too long, NUL...)
        is_file = False
    try:
        if is_file:
            with open(source, "rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        elif ":" not in source and not source.lstrip().startswith("{"):
            raise click.BadParameter(
                f"there is no file {source!r}, and it is not a request (LR1:…)",
                param_hint="'--request'",
            )
        else:
            data = source.encode("utf-8", errors="replace")
    except OSError as exc:
        raise click.BadParameter(f"cannot read {source}: {exc.strerror or exc}") from None
    try:
        asked = PresentationRequest.from_bytes(data)
        asked.require_unexpired(now)
    except RequestError as exc:
        verbose = bool(click.get_current_context().find_root().params.get("verbose"))
        _fail(exc, verbose=verbose, code=EXIT_USAGE)
    return asked


@cli.command()
@click.argument("credential_ids", nargs=-1, required=True, metavar="ID...")
@click.option(
    "--challenge", help="The challenge the verifier gave you (signed into the presentation)."
)
@click.option("--domain", help="The verifier's domain (signed into the presentation).")
@click.option(
    "--request",
    "request_source",
    metavar="REQUEST",
    help="The verifier's presentation request (instead of --challenge/--domain): its text"
    " (LR1:…), a file holding it, or a picture of its QR code.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the presentation JSON here.",
)
@click.option(
    "--qr",
    "qr_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a QR code holding the whole presentation (FILE.png or FILE.svg).",
)
@click.option("--qr-terminal", is_flag=True, help="Draw the QR code in the terminal.")
@click.option(
    "--link",
    "link_base",
    metavar="BASE_URL",
    callback=_link_base,
    help="Print a link BASE_URL#PAYLOAD to the verifier's page (http or https);"
    " with --qr or --qr-terminal the QR code holds the link.",
)
@click.option(
    "--no-anchor",
    "without_anchors",
    is_flag=True,
    help="Leave the issuers' ledger anchor proofs out: a smaller QR code (a phone offline"
    " cannot check a chain anyway). The issuers' signatures are kept as issued.",
)
@_home_option
@_funnel
def present(
    credential_ids: tuple[str, ...],
    challenge: str | None,
    domain: str | None,
    request_source: str | None,
    out: Path | None,
    qr_file: Path | None,
    qr_terminal: bool,
    link_base: str | None,
    without_anchors: bool,
    home: Path | None,
) -> None:
    """Present badges: a presentation signed by your key over the verifier's challenge.

    The challenge and domain come from --challenge/--domain, or from the
    verifier's request (--request: the text under its QR code, a file, or a photo;
    an expired request is refused).

    \b
    Examples:
      laurel present urn:uuid:… --request 'LR1:…' --qr badge.png
      laurel present urn:uuid:… --request request.jpg --link https://verify.example/request/… --qr-terminal
      laurel present urn:uuid:… --challenge 8c1f… --domain hiring.example --out vp.json

    The QR code carries the whole presentation (compressed), so it verifies offline:
    `laurel verify badge.png`. One badge fits QR version 20; an anchored one needs
    about 24 (--no-anchor leaves the anchor proof out). With --link it holds a link to the verifier's page,
    the presentation in the link's fragment (which browsers never send to a server).
    """
    from wallet.holder import present_credentials

    now = dt.datetime.now(dt.UTC)
    if request_source is not None:
        if challenge is not None or domain is not None:
            raise click.UsageError(
                "--request sets the challenge and domain: drop --challenge/--domain"
            )
        asked = _read_request(request_source, now)
        challenge, domain = asked.challenge, asked.domain
        click.echo(
            f"answering the request of {domain or 'a verifier with no domain'}"
            f" (challenge {challenge}, expires {asked.expires:%H:%M:%S} UTC)",
            err=True,
        )
    with _open_wallet(home) as wallet:
        presentation = present_credentials(
            wallet,
            _passphrase(),
            list(credential_ids),
            challenge=challenge,
            domain=domain,
            now=now,
            without_anchors=without_anchors,
        )
    text = json.dumps(presentation, ensure_ascii=False, indent=2)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    if link_base is not None or qr_file is not None or qr_terminal:
        from vc.envelope import encode_envelope, link_to

        payload = encode_envelope(presentation)
        shown = payload
        if link_base is not None:
            shown = link_to(link_base, payload)
            sys.stdout.write(shown + "\n")
        if qr_file is not None or qr_terminal:
            version = _write_qr(shown, qr_file, qr_terminal, link=link_base is not None)
            if version > _EASY_QR_VERSION and _carries_anchor(presentation):
                click.echo(
                    f"hint: a version {version} code is hard for some phone cameras; --no-anchor"
                    " leaves the ledger anchor proofs out (the signatures stay as issued)",
                    err=True,
                )
    if out is None and qr_file is None and not qr_terminal and link_base is None:
        sys.stdout.write(text + "\n")


_EASY_QR_VERSION = 20  # above this, phone cameras start to struggle


def _carries_anchor(presentation: JSONObject) -> bool:
    from anchor.proof import anchor_proofs

    credentials = presentation.get("verifiableCredential")
    return isinstance(credentials, list) and any(
        isinstance(credential, dict) and anchor_proofs(credential) for credential in credentials
    )


def _write_qr(text: str, qr_file: Path | None, qr_terminal: bool, *, link: bool) -> int:
    """Write the QR code to `qr_file` and/or the terminal; return its version."""
    from vc.qr import render_qr, render_svg

    image, version = render_qr(text)
    what = f"a link of {len(text)} characters" if link else f"{len(text)} characters"
    if qr_file is not None:
        if qr_file.suffix.lower() == ".svg":
            qr_file.write_bytes(render_svg(text))
        else:
            image.save(qr_file, format="PNG")
        click.echo(f"QR code version {version} (error correction M, {what}): {qr_file}", err=True)
    if qr_terminal:
        import qrcode

        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
        code.add_data(text)
        code.print_ascii(out=sys.stdout, invert=True)
        if qr_file is None:
            click.echo(f"QR code version {version} (error correction M, {what})", err=True)
    return version


@cli.command()
@click.argument("credential_id")
@click.option(
    "--image",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The badge picture to bake into: PNG or SVG.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The baked image to write.",
)
@_home_option
@_funnel
def bake(credential_id: str, image: Path, out: Path, home: Path | None) -> None:
    """Bake a badge into its image (Open Badges 3.0 baking: PNG iTXt or SVG element).

    The baked image carries the credential exactly as stored, with its proofs:
    `laurel verify FILE` and `laurel import FILE` unbake it.
    """
    from vc.baking import bake_png, bake_svg

    with _open_wallet(home) as wallet:
        stored = wallet.store.get_credential(credential_id)
    data = image.read_bytes()
    baked = (
        bake_svg(data, stored.text)
        if image.suffix.lower() == ".svg"
        else bake_png(data, stored.text)
    )
    out.write_bytes(baked)
    click.echo(f"baked {credential_id} into {out}")


@cli.command(name="list")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="A JSON array of {id, name, issuer, recipient, validFrom, status, anchored}.",
)
@_home_option
@_funnel
def list_(as_json: bool, home: Path | None) -> None:
    """List the badges in the wallet."""
    with _open_wallet(home) as wallet:
        items = [_listing(s) for s in wallet.store.list_credentials()]
    if as_json:
        _print_json(items)
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for column in ("id", "name", "recipient", "validFrom", "status"):
        table.add_column(column)
    for item in items:
        table.add_row(
            *[
                _escape(str(item[c] or ""))
                for c in ("id", "name", "recipient", "validFrom", "status")
            ]
        )
    _console().print(table if items else "[dim]no badges yet[/]")


@cli.command()
@click.argument("credential_id")
@_home_option
@_funnel
def show(credential_id: str, home: Path | None) -> None:
    """Show one badge: its summary, then the stored JSON."""
    with _open_wallet(home) as wallet:
        stored = wallet.store.get_credential(credential_id)
    console = _console()
    for key, value in _listing(stored).items():
        console.print(f"[dim]{key:10}[/] {_escape(str(value))}")
    console.print_json(stored.text)


@cli.command()
@click.argument("credential_id")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to a file instead of stdout.",
)
@_home_option
@_funnel
def export(credential_id: str, out: Path | None, home: Path | None) -> None:
    """Export a badge exactly as stored, with every proof."""
    with _open_wallet(home) as wallet:
        stored = wallet.store.get_credential(credential_id)
    if out is None:
        sys.stdout.write(stored.text if stored.text.endswith("\n") else stored.text + "\n")
    else:
        out.write_text(stored.text, encoding="utf-8")


@cli.command()
@click.argument("credential_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_home_option
@_funnel
def delete(credential_id: str, yes: bool, home: Path | None) -> None:
    """Delete a badge from the wallet (asks first)."""
    with _open_wallet(home) as wallet:
        stored = wallet.store.get_credential(credential_id)
        if not yes:
            if not sys.stdin.isatty():
                raise click.UsageError("not a terminal: pass --yes to delete without asking")
            click.confirm(f"Delete {stored.name or stored.id}?", abort=True)
        wallet.store.delete_credential(credential_id)
    click.echo(f"deleted {credential_id}")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_home_option
@_funnel
def backup(file: Path, home: Path | None) -> None:
    """Write one encrypted archive holding the wallet's keys, badges and embedded chain."""
    from wallet.backup import write_backup
    from wallet.home import CHAIN_FILE, DATABASE_FILE, KEYSTORE_FILE
    from wallet.ledger import snapshot_chain

    with _open_wallet(home) as wallet:
        passphrase = _passphrase()
        wallet.unlock(passphrase)
        members = {
            KEYSTORE_FILE: (wallet.home / KEYSTORE_FILE).read_bytes(),
            DATABASE_FILE: wallet.store.snapshot(),
        }
        chain = snapshot_chain(wallet.home)
        if chain is not None:
            members[CHAIN_FILE] = chain
        write_backup(file, passphrase, members)
        count = wallet.store.count_credentials()
    click.echo(
        f"backed up {count} badges and the keys to {file} (encrypted with the wallet passphrase)"
    )


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="Replace an existing wallet (its files are kept as *.bak)."
)
@_home_option
@_funnel
def restore(file: Path, force: bool, home: Path | None) -> None:
    """Restore a wallet from an archive made by `laurel backup`."""
    from wallet.restore import restore_wallet

    count = restore_wallet(file, _home(home), _passphrase(), force=force)
    click.echo(f"restored {count} badges and the keys into {_home(home)}")


# -- status lists (revoke, suspend, publish) -------------------------------------------


def _change_status(
    home: Path | None,
    credential_id: str,
    purpose: str,
    value: bool,
    *,
    question: str | None,
    reason: str | None = None,
) -> bool:
    """Set or clear one status of a badge this wallet issued; True when the list changed."""
    from wallet.status import set_status

    with _open_wallet(home) as wallet:
        stored = wallet.store.get_credential(credential_id)
        # Asked only on a terminal: scripts and pipes proceed (or pass --yes anyway).
        if question is not None and sys.stdin.isatty():
            click.confirm(f"{question} {stored.name or stored.id}?", abort=True)
        return set_status(
            wallet,
            _passphrase(),
            credential_id,
            purpose,
            value,
            reason=reason,
            now=dt.datetime.now(dt.UTC),
        )


@cli.command()
@click.argument("credential_id")
@click.option("--reason", metavar="TEXT", help="Why (kept in the wallet, not published).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--rpc", metavar="URL", help="The node of the chain the badge is anchored on.")
@click.option(
    "--no-chain", is_flag=True, help="Do not record the revocation in the anchor registry."
)
@_home_option
@_funnel
def revoke(
    credential_id: str,
    reason: str | None,
    yes: bool,
    rpc: str | None,
    no_chain: bool,
    home: Path | None,
) -> None:
    """Revoke a badge this wallet issued, for good (its revocation list is re-signed).

    Publish the lists afterwards (`laurel status publish`) unless `laurel serve` hosts them.
    An anchored badge is also revoked in the anchor registry on its chain, so the
    revocation stays checkable when the issuer's web host is gone.
    """
    from wallet.status import NoStatusListError

    question = None if yes else "Revoke (this cannot be undone)"
    try:
        changed = _change_status(
            home, credential_id, "revocation", True, question=question, reason=reason
        )
        click.echo(
            f"revoked {credential_id}" if changed else f"{credential_id} was already revoked"
        )
    except NoStatusListError:
        # Without a status list, the anchor registry is the only place to revoke it.
        with _open_wallet(home) as wallet:
            if no_chain or wallet.store.anchor_batch_of(credential_id) is None:
                raise
    if not no_chain:
        from wallet.ledger import revoke_on_chain

        with _open_wallet(home) as wallet:
            receipt = revoke_on_chain(wallet, _passphrase(), credential_id, rpc=rpc)
        if receipt is not None:
            click.echo(
                f"revocation recorded on chain in block {receipt.block} (tx 0x{receipt.tx.hex()})"
            )


@cli.command()
@click.argument("credential_id")
@click.option("--reason", metavar="TEXT", help="Why (kept in the wallet, not published).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_home_option
@_funnel
def suspend(credential_id: str, reason: str | None, yes: bool, home: Path | None) -> None:
    """Suspend a badge this wallet issued (undo with `laurel unsuspend`)."""
    question = None if yes else "Suspend"
    changed = _change_status(
        home, credential_id, "suspension", True, question=question, reason=reason
    )
    click.echo(
        f"suspended {credential_id}" if changed else f"{credential_id} was already suspended"
    )


@cli.command()
@click.argument("credential_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_home_option
@_funnel
def unsuspend(credential_id: str, yes: bool, home: Path | None) -> None:
    """Lift the suspension of a badge this wallet issued."""
    question = None if yes else "Unsuspend"
    changed = _change_status(home, credential_id, "suspension", False, question=question)
    click.echo(f"unsuspended {credential_id}" if changed else f"{credential_id} was not suspended")


@cli.group(name="status")
def status_group() -> None:
    """The status lists of the badges this wallet issues."""


@status_group.command(name="publish")
@click.option(
    "--out-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the lists (copy it to the web host of the base URL).",
)
@_home_option
@_funnel
def status_publish(out_dir: Path, home: Path | None) -> None:
    """Write the signed status lists as static files for any web host.

    Upload DIR to the web host of the wallet's base URL: DIR/status/revocation/1
    answers BASE/status/revocation/1.
    """
    from wallet.status import publish

    with _open_wallet(home) as wallet:
        files = publish(wallet, out_dir)
    for path in files:
        click.echo(str(path))
    if not files:
        click.echo("no status lists (the wallet was created without --base-url)", err=True)


# -- the ledger -----------------------------------------------------------------------


def _anchor_and_report(
    wallet: Wallet,
    passphrase: str,
    *,
    rpc: str | None = None,
    contract: str | None = None,
    chain_id: int | None = None,
    as_json: bool = False,
) -> list[Any]:
    from wallet.ledger import anchor_pending

    console = _console(stderr=True)
    with console.status("anchoring…"):
        reports = anchor_pending(
            wallet,
            passphrase,
            rpc=rpc,
            contract=contract,
            chain_id=chain_id,
            progress=lambda message: console.print(message, highlight=False),
        )
    if not as_json:
        for report in reports:
            console.print(
                f"anchored {report.count} badge{'s' if report.count != 1 else ''} on chain "
                f"{report.chain_id} in block {report.block} (tx {report.tx}, "
                f"{report.gas_used:,} gas, {report.gas_used / report.count:,.1f} per badge)",
                highlight=False,
            )
    return reports


@cli.command()
@click.option(
    "--rpc",
    metavar="URL",
    envvar="LAUREL_RPC_URL",
    help="An Ethereum JSON-RPC node (default: the wallet's embedded chain; also LAUREL_RPC_URL).",
)
@click.option(
    "--contract", metavar="ADDR", help="The registry to use (default: deployed on first use)."
)
@click.option("--chain-id", type=int, metavar="N", help="Refuse a node that serves another chain.")
@click.option(
    "--confirmations",
    type=click.IntRange(1, 10_000),
    metavar="N",
    help="Wait until the anchor is N blocks deep (RPC chains).",
)
@click.option(
    "--account", "show_account", is_flag=True, help="Print the anchoring account and exit."
)
@click.option("--json", "as_json", is_flag=True, help="Print {count, root, tx, block, ...}.")
@_home_option
@_funnel
def anchor(
    rpc: str | None,
    contract: str | None,
    chain_id: int | None,
    confirmations: int | None,
    show_account: bool,
    as_json: bool,
    home: Path | None,
) -> None:
    """Anchor every issued, unanchored badge on Ethereum: one Merkle batch, one transaction.

    Each badge gets an anchor proof in its proof set (leaf, audit path, root, chain,
    registry, transaction, block, and your key's binding of the anchoring account):
    proof of when it existed, checkable by anyone with the chain.

    \b
    Examples:
      laurel anchor                               # the embedded chain (no node)
      laurel anchor --rpc http://127.0.0.1:8545   # a local anvil
      LAUREL_ETH_PRIVATE_KEY=0x… laurel anchor --rpc https://sepolia.example --chain-id 11155111
    Interrupted, it finishes the same batch on the next run; nothing is anchored twice.
    """
    from wallet.ledger import anchoring_account

    with _open_wallet(home) as wallet:
        passphrase = _passphrase()
        if show_account:
            click.echo(anchoring_account(wallet, passphrase).address)
            return
        reports = _anchor_and_report(
            wallet, passphrase, rpc=rpc, contract=contract, chain_id=chain_id, as_json=as_json
        )
    if confirmations is not None and rpc is not None and reports:
        _wait_for_depth(rpc, reports[-1].block, confirmations)
    if as_json:
        if not reports:
            _print_json({"count": 0})
        for report in reports:
            _print_json(report.to_json())
    elif not reports:
        click.echo("nothing to anchor: every issued badge is anchored", err=True)


def _wait_for_depth(rpc: str, block: int, confirmations: int) -> None:
    import time

    from anchor.chain import RpcChain
    from anchor.errors import ChainError

    node = RpcChain(rpc)
    console = _console(stderr=True)
    # About 12 s a block on Ethereum; a dev node that mines only on demand never gets
    # there, so the wait is bounded and says how to check later.
    deadline = time.monotonic() + min(30 * confirmations, 3600)
    with console.status(f"waiting for {confirmations} confirmations…") as status:
        while (depth := node.head() - block + 1) < confirmations:
            if time.monotonic() > deadline:
                raise ChainError(
                    f"block {block} is {depth} deep, not yet {confirmations}",
                    hint=f"It is anchored; check later with `laurel verify --rpc {rpc} "
                    f"--confirmations {confirmations}`.",
                )
            status.update(f"waiting for {confirmations} confirmations ({depth} so far)…")
            time.sleep(2)
    console.print(f"{depth} confirmation{'s' if depth != 1 else ''}", highlight=False)


@cli.group(name="key")
def key_group() -> None:
    """The wallet's keys."""


@key_group.command(name="compromised")
@click.option(
    "--since",
    required=True,
    metavar="DATETIME",
    help="From when the keys may have been known to someone else (2026-11-30 or a dateTimeStamp).",
)
@click.option("--rpc", metavar="URL", envvar="LAUREL_RPC_URL", help="The chain's JSON-RPC node.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_home_option
@_funnel
def key_compromised(since: str, rpc: str | None, yes: bool, home: Path | None) -> None:
    """Declare your keys compromised: anchors made from then on no longer count.

    Recorded by your anchoring account in the registry; badges anchored before
    SINCE stay valid, later ones fail `anchor.after_compromise` everywhere.
    """
    from vc.timestamps import parse_datetime_stamp
    from wallet.ledger import declare_compromise

    try:
        moment = parse_datetime_stamp(_valid_until(since) or since)
    except ValueError as exc:  # pragma: no cover (_valid_until already checked it)
        raise click.BadParameter(str(exc), param_hint="--since") from exc
    if not yes and sys.stdin.isatty():
        click.confirm(
            f"Declare this wallet's keys compromised since {moment:%Y-%m-%d %H:%M} UTC?", abort=True
        )
    with _open_wallet(home) as wallet:
        receipt, address = declare_compromise(wallet, _passphrase(), moment, rpc=rpc)
    click.echo(
        f"declared in registry {address}, block {receipt.block} (tx 0x{receipt.tx.hex()}): "
        f"anchors from {moment:%Y-%m-%d %H:%M} UTC on no longer count"
    )


def main() -> None:
    """The `laurel` console script."""
    cli(prog_name="laurel")


if __name__ == "__main__":
    main()
