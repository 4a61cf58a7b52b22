"""`laurel verify`, `laurel serve` and `laurel demo`: checking credentials."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    MAX_INPUT_BYTES,
    F,
    _console,
    _funnel,
    _passphrase,
    cli,
    render_result,
)

#: Secrets `laurel serve` reads from its environment at start and then forgets.
SERVE_SECRETS = ("LAUREL_PASSPHRASE", "LAUREL_ISSUER_TOKEN")

if TYPE_CHECKING:
    from vc.results import VerificationResult


def _verify_input(
    data: bytes | str,
    policy: Any,
    resolver: Any,
    status_checker: Any,
    anchors: Any = None,
    *,
    follow_links: bool = False,
) -> list[tuple[str, VerificationResult, bytes]]:
    """Verify every document an input holds: JSON, a JWT, a QR payload, or a photo of QR codes.

    Each comes with the document's bytes (empty when unreadable), for the report. With
    `follow_links`, a link that is not a laurel QR link is fetched through the guard as
    an Open Badges 2.0 hosted assertion.
    """
    from vc.errors import MalformedDocumentError
    from vc.results import CheckResult, VerificationResult
    from verifier import verify_bytes
    from verifier.sources import documents_in

    if isinstance(data, str):
        failure = CheckResult.failed("format.unreadable", data)
        return [("", VerificationResult((failure,), unreadable=True), b"")]
    try:
        documents = documents_in(data, follow_links=follow_links)
    except MalformedDocumentError as exc:
        failure = CheckResult.failed(f"format.{exc.code}", exc.message, hint=exc.hint)
        return [("", VerificationResult((failure,), unreadable=True), b"")]
    return [
        (
            label,
            verify_bytes(
                document,
                policy,
                resolver=resolver,
                status_checker=status_checker,
                anchors=anchors,
                follow_links=follow_links,
            ),
            document,
        )
        for label, document in documents
    ]


def _parsed(document: bytes) -> Any:
    """The JSON object a verified document holds, for the report (None if unreadable).

    A VC-JWT or an Open Badges 2.0 JWS gives the credential it carries.
    """
    from vc.errors import MalformedDocumentError
    from vc.formats.read import read_badge

    try:
        return read_badge(document).document if document else None
    except MalformedDocumentError:
        return None


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
    from wallet.paths import default_home

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
@click.option(
    "--recipient",
    metavar="EMAIL",
    help="Who the badge should be awarded to (an email, URL or DID you were given): "
    "checked against its hashed recipient identity.",
)
@click.option(
    "--follow-links",
    is_flag=True,
    help="Fetch an Open Badges 2.0 hosted assertion's URL given as INPUT (through the fetch guard).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    default=None,
    metavar="N",
    help="Verify on N processes (default: every core); output stays in input order.",
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
    recipient: str | None,
    follow_links: bool,
    jobs: int | None,
) -> None:
    """Verify credentials or presentations (JSON files, or - for stdin).

    Open Badges 3.0 as Data Integrity JSON (VC 2.0 or 1.1) or as a VC-JWT, and Open
    Badges 2.0 assertions (hosted JSON, or signed JWS). An input may also be a QR
    payload, a picture of QR codes, a baked badge image (PNG or SVG, Open Badges 2.0
    or 3.0), or a link made by `laurel present --link` (read from its fragment,
    never fetched). Every check runs and is reported by name: format, proof, issuer,
    validity, status, anchor, schema, endorsement, presentation, trust.

    \b
    Exit status: 0 all verified, 1 some not verified, 2 some input unreadable.
    \b
    Examples:
      laurel verify badge.json
      laurel verify --json a.json b.json | jq .verified
      laurel verify --json --jobs 4 applicants/*.json > results.jsonl
      laurel verify --challenge 8c1f… --domain hiring.example vp.json
      laurel verify --rpc https://sepolia.example/… badge.json   # its anchor on Sepolia
      laurel verify --recipient ana@school.example credly-badge.png
      laurel verify --follow-links https://badges.example/assertions/1
    An anchor is looked up on the --rpc nodes and on the embedded chain of the
    wallet at $LAUREL_HOME (or --embedded-chain FILE).
    """
    from verifier import VerificationPolicy
    from verifier.trust import TrustRegistry
    from verifier.verify import networked_resolver, networked_status_checker

    registry = TrustRegistry.from_file(trust_file) if trust_file is not None else None
    if recipient is not None and not recipient.strip():
        raise click.BadParameter("give the recipient's email, URL or DID", param_hint="--recipient")
    policy = VerificationPolicy(
        now=dt.datetime.now(dt.UTC),
        clock_skew=dt.timedelta(seconds=clock_skew),
        challenge=challenge,
        domain=domain,
        trusted_issuers=registry,
        status_unreachable=status_unreachable,
        anchor_confirmations=confirmations,
        require_anchor=require_anchor,
        recipient=recipient.strip() if recipient is not None else None,
    )
    resolver = networked_resolver(allow_private_network=allow_private_network)
    status_checker = networked_status_checker(allow_private_network=allow_private_network)
    anchors = _chain_directory(rpc, embedded_chain)
    from verifier.batch import default_jobs, map_in_order

    console = None if as_json else _console()
    worst = EXIT_OK

    def one(name: str) -> list[tuple[str, int, str | None, VerificationResult | None, bytes]]:
        # Each answer: what it is called, its exit code, and for --json its line, made
        # here, in the worker (the parent of --jobs only writes lines, in order).
        read_name, data = next(_read_inputs((name,)))
        answers: list[tuple[str, int, str | None, VerificationResult | None, bytes]] = []
        for label, result, document in _verify_input(
            data, policy, resolver, status_checker, anchors, follow_links=follow_links
        ):
            shown = f"{read_name} ({label})" if label else read_name
            code = EXIT_USAGE if result.unreadable else EXIT_OK if result.verified else EXIT_FAILED
            if console is None:
                from verifier.verdict import verdict_json

                line = {"input": shown, **result.to_json(), "verdict": verdict_json(result)}
                answers.append((shown, code, json.dumps(line, ensure_ascii=False), None, b""))
            else:
                answers.append((shown, code, None, result, document))
        return answers

    # stdin can be read once only, by this process.
    workers = 1 if "-" in inputs else min(jobs or default_jobs(), len(inputs))
    for answers in map_in_order(one, inputs, jobs=workers):
        for shown, code, text, result, document in answers:
            if code == EXIT_USAGE:
                worst = EXIT_USAGE
            elif code == EXIT_FAILED and worst == EXIT_OK:
                worst = EXIT_FAILED
            if text is not None:
                sys.stdout.write(text + "\n")
                sys.stdout.flush()
            elif console is not None and result is not None:
                render_result(console, shown, result, document=_parsed(document), registry=registry)
    sys.exit(worst)


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the temporary directory and print its path.")
@_funnel
def demo(keep: bool) -> None:
    """A narrated tour: two wallets, a badge issued, verified, tampered, revoked, backed up."""
    import laurel_demo

    console = _console()
    laurel_demo.run(
        console,
        show=lambda name, result, **words: render_result(console, name, result, **words),
        keep=keep,
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker processes."
)
@click.option(
    "--in-flight",
    type=click.IntRange(1, 256),
    help="Requests each worker works on at once (default 4).",
)
@click.option(
    "--queue",
    type=click.IntRange(0, 1024),
    help="Requests each worker lets wait for a slot (default 32, at most 10 s each); past"
    " that, 503 with Retry-After at once. 0 refuses everything past --in-flight at once.",
)
@click.option(
    "--proxies",
    default=0,
    show_default=True,
    type=click.IntRange(0, 8),
    help="Reverse proxies in front whose X-Forwarded-For names the client (rate limits per client).",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="One line per request on standard output (client, request line, status, time).",
)
@click.option("--domain", help="The domain challenges are bound to (default: the request's Host).")
@click.option(
    "--store",
    "store_uri",
    envvar="LAUREL_STORE",
    default="",
    help="Shared state (challenges, OID4VP transactions, rate limits): redis://HOST for several"
    " instances (default: SQLite files for this machine's workers).",
)
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
@click.option(
    "--console",
    is_flag=True,
    help="With --wallet: the issuer's console at /console/ (rosters, search, revoke; one worker).",
)
@click.option(
    "--trust",
    "trust_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="LAUREL_TRUST_REGISTRY",
    help="The page's registry of recognized issuers: CSV did,name[,note] or JSON.",
)
@_chain_options
@_funnel
def serve(
    host: str,
    port: int,
    workers: int,
    in_flight: int | None,
    queue: int | None,
    proxies: int,
    access_log: bool,
    domain: str | None,
    store_uri: str,
    allow_private_network: bool,
    wallet_home: Path | None,
    issuer_token: str | None,
    console: bool,
    trust_file: Path | None,
    rpc: tuple[str, ...],
    embedded_chain: Path | None,
    confirmations: int | None,
) -> None:
    """Run the verifier service (granian): the page at / and VC-API JSON routes.

    With --wallet HOME: the wallet's status lists (and did.json), and its pages at
    /wallet/ (log in with the passphrase: every badge, which are public, import by
    upload); with --console too, the issuer's console at /console/. The wallet's
    pages answer on loopback names only unless --host names another address.

    \b
    POST /credentials/verify     {"verifiableCredential": {...}}         200 or 422
    POST /presentations/verify   {"verifiablePresentation": {...},
                                  "options": {"challenge", "domain"}}    200 or 422
    POST /challenges             a fresh single-use challenge (5 min)
    GET  /1.0/identifiers/DID    DID resolution
    GET  /health, /openapi.json
    POST /oid4vp/requests        an OpenID4VP request (openid4vp://…) and its status URI

    With --wallet HOME (a base URL, and LAUREL_PASSPHRASE set) it is also the
    wallet's OpenID4VCI issuer: the offers `laurel offer` makes are redeemed here.
    """
    import secrets
    import tempfile

    from verifier.app import create_app
    from verifier.challenges import StoredChallenges
    from verifier.oid4vp import Oid4vpState, VerifierIdentity
    from verifier.oid4vp_store import SqliteTransactionStore, TransactionStore
    from verifier.server import ServeOptions, guard
    from verifier.server import serve as run_server
    from verifier.state import open_store
    from verifier.state.transactions import StateTransactionStore
    from verifier.verify import networked_resolver, networked_status_checker

    if issuer_token is not None and wallet_home is None:
        raise click.UsageError("--issuer-token needs --wallet HOME")
    if issuer_token is not None:
        from wallet.service import TOKEN_ADVICE, token_problem

        # An empty token (say `--issuer-token "$TOKEN"` with TOKEN unset) would open
        # the issuing API to anyone: refused before anything starts.
        problem = token_problem(issuer_token)
        if problem is not None:
            raise click.UsageError(f"{problem}; {TOKEN_ADVICE}")
    if console and wallet_home is None:
        raise click.UsageError("--console needs --wallet HOME")
    passphrase = _passphrase() if issuer_token is not None else None
    token_keystore = None
    if wallet_home is not None:
        from verifier.issued import verify_issued
        from wallet.service import issuer_blueprint

        issuer_blueprint(  # fail early
            wallet_home, passphrase=passphrase, token=issuer_token, check=verify_issued
        )
        if console and passphrase is not None:
            from wallet.home import Wallet

            with Wallet.open(wallet_home) as wallet:
                token_keystore = wallet.unlock(passphrase)
    # OID4VCI (laurel offer): served when the wallet has a base URL and its passphrase is set.
    oid4vci_passphrase = passphrase or os.environ.get("LAUREL_PASSPHRASE")
    if wallet_home is not None and oid4vci_passphrase:
        from wallet.home import Wallet

        with Wallet.open(wallet_home) as probe:
            if not probe.identity.base_url:
                oid4vci_passphrase = None
    if console and workers > 1:
        # The console's key, unlocked at login, lives in one process.
        click.echo("the console runs one worker", err=True)
        workers = 1
    registry = None
    if trust_file is not None:
        from verifier.trust import TrustRegistry

        registry = TrustRegistry.from_file(trust_file)
    # Read once, above. The workers never hold them in their environment, nor does the
    # WSGI environ of each request (granian copies the process environment into it).
    for name in SERVE_SECRETS:
        os.environ.pop(name, None)
    # Signs the wallet pages' login cookies; made before the server forks, so every
    # worker knows it, and new at each start, so a restart logs everyone out.
    secret = secrets.token_bytes(32)
    loopback = host in ("127.0.0.1", "localhost", "::1")

    with tempfile.TemporaryDirectory(prefix="laurel-serve-") as state:
        # One store for every worker (and, with Redis, every instance): a challenge
        # issued by one is known, and usable once, in all of them.
        try:
            store = open_store(store_uri, default_sqlite=Path(state) / "state.db")
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
        challenges = StoredChallenges(store)
        # OID4VP transactions too (in the shared Redis when there is one), and one
        # verifier DID (made here, before the fork).
        transactions: TransactionStore = (
            StateTransactionStore(store)
            if store.kind == "redis"
            else SqliteTransactionStore(Path(state) / "oid4vp.db")
        )
        oid4vp_state = Oid4vpState(VerifierIdentity.ephemeral(), transactions)
        options = ServeOptions.sized(
            host=host,
            port=port,
            workers=workers,
            in_flight=in_flight,
            queue=queue,
            proxies=proxies,
            access_log=access_log,
        )

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
                oid4vp_state=oid4vp_state,
            )
            if registry is not None:
                app.extensions["laurel.trust"] = registry
            if wallet_home is not None:
                from cli.web import add_wallet_pages
                from verifier.issued import verify_issued
                from wallet.service import issuer_blueprint

                app.register_blueprint(
                    issuer_blueprint(
                        wallet_home, passphrase=passphrase, token=issuer_token, check=verify_issued
                    )
                )
                if oid4vci_passphrase:
                    from wallet.oid4vci import oid4vci_blueprint

                    app.register_blueprint(
                        oid4vci_blueprint(
                            wallet_home, passphrase=oid4vci_passphrase, check=verify_issued
                        )
                    )
                add_wallet_pages(
                    app,
                    wallet_home,
                    secret=secret,
                    loopback=loopback,
                    console=console,
                    issuer_token=issuer_token if console else None,
                    token_keystore=token_keystore,
                )
            return guard(app, store, options)

        click.echo(
            f"laurel verifier on http://{host}:{port} ({workers} workers); Ctrl-C stops it",
            err=True,
        )
        run_server(options, factory)
