"""The wallet itself: create it, change its passphrase, show its DID, back it up.

init, passwd, did, backup, restore (the badges in it: cli/badges.py).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from cli._common import (
    _funnel,
    _home,
    _home_option,
    _open_wallet,
    _passphrase,
    _print_json,
    cli,
)

#: Names this module held before import, list, show, export, delete and bake moved to
#: cli.badges; imported on first use, so the wallet's own commands do not load them.
_MOVED = dict.fromkeys(("import_", "list_", "show", "export", "delete", "bake"), "cli.badges")


def __getattr__(name: str) -> Any:
    """`cli.wallet.import_` and the others moved still work (PEP 562), from cli.badges."""
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
