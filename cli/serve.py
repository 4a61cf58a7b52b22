"""`laurel serve`: the verifier service, and with --wallet the wallet's lists, pages and issuing API."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from cli._common import _funnel, _passphrase, cli
from cli._network import _allow_private_network_option, _chain_directory, _chain_options

__all__ = ["SERVE_SECRETS", "serve"]

#: Secrets `laurel serve` reads from its environment at start and then forgets.
SERVE_SECRETS = ("LAUREL_PASSPHRASE", "LAUREL_ISSUER_TOKEN")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker processes."
)
@click.option(
    "--in-flight",
    type=click.IntRange(1, 256),
    help="Requests each worker works on at once (default 4; one waiting on a status host"
    " or a chain node lets another work meanwhile).",
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
    "--front",
    type=click.Choice(["nginx"]),
    help="Put nginx in front (Debian: nginx-light): it listens on --host/--port, reads each"
    " request whole, passes it to the workers on a loopback port, and refuses what they cannot"
    " take with their own 503 + Retry-After in a few milliseconds, never queued behind Python"
    " (costs 13-18 % of the peak on a machine it shares with them).",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="One line per request on standard output (client, request line, status, time), "
    "written in batches: within a second, and in full when the server stops.",
)
@click.option(
    "--pin/--no-pin",
    "pin_workers",
    default=True,
    show_default=True,
    help="Keep each worker's threads on one CPU core: less CPU per request than letting "
    "its threads move between cores. The workers of every laurel serve on the machine take "
    "the cores this process may use (see taskset) in turn.",
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
    help="Recognized issuers, checked by the API and the page: CSV did,name[,note] or JSON.",
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
    front: str | None,
    access_log: bool,
    pin_workers: bool,
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
            pin_workers=pin_workers,
            front=front,
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
                trust=registry,
            )
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
            f"laurel verifier on http://{host}:{port} "
            f"({workers} worker{'s' if workers != 1 else ''}"
            f"{', behind ' + front if front else ''}); Ctrl-C stops it",
            err=True,
        )
        if registry is not None:
            count = len(registry.issuers)
            click.echo(
                f"{count} recognized issuer{'s' if count != 1 else ''} from {trust_file}:"
                " the trust check of every route and the page reads them",
                err=True,
            )
        run_server(options, factory)
