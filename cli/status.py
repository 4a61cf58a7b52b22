"""Changing the status of badges this wallet issued: revoke, suspend, unsuspend, status publish."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from cli._common import (
    _funnel,
    _home_option,
    _local_zone,
    _locale,
    _open_wallet,
    _passphrase,
    _resolve_ids,
    cli,
)

_reason_option = click.option(
    "--reason", metavar="TEXT", help="Why (kept in the wallet, not published)."
)
_yes_option = click.option("--yes", is_flag=True, help="Do not ask for confirmation.")


def _resolved(home: Path | None, credential_id: str) -> str:
    with _open_wallet(home) as wallet:
        (found,) = _resolve_ids(wallet, [credential_id])
    return found


def _change_status(
    home: Path | None,
    credential_id: str,
    purpose: str,
    value: bool,
    *,
    question: str | None,
    reason: str | None = None,
) -> bool:
    """Set or clear one status of a badge this wallet issued; True when the list changed.

    `question` (``%(badge)s`` stands for the badge, its recipient and its date) is
    asked first on a terminal.
    """
    from wallet.badges import badge_line
    from wallet.status import set_status

    with _open_wallet(home) as wallet:
        stored = wallet.store.get_credential(credential_id)
        # Asked only on a terminal: scripts and pipes proceed (or pass --yes anyway).
        if question is not None and sys.stdin.isatty():
            locale = _locale()
            line = badge_line(wallet.store, stored, locale, tz=_local_zone())
            click.confirm(question % {"badge": line.describe(locale)}, abort=True)
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
@_reason_option
@_yes_option
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

    credential_id = _resolved(home, credential_id)
    _ = _locale().gettext.gettext
    question = None if yes else _("Revoke %(badge)s? This cannot be undone.")
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
@_reason_option
@_yes_option
@_home_option
@_funnel
def suspend(credential_id: str, reason: str | None, yes: bool, home: Path | None) -> None:
    """Suspend a badge this wallet issued (undo with `laurel unsuspend`)."""
    credential_id = _resolved(home, credential_id)
    question = None if yes else _locale().gettext.gettext("Suspend %(badge)s?")
    changed = _change_status(
        home, credential_id, "suspension", True, question=question, reason=reason
    )
    click.echo(
        f"suspended {credential_id}" if changed else f"{credential_id} was already suspended"
    )


@cli.command()
@click.argument("credential_id")
@_yes_option
@_home_option
@_funnel
def unsuspend(credential_id: str, yes: bool, home: Path | None) -> None:
    """Lift the suspension of a badge this wallet issued."""
    credential_id = _resolved(home, credential_id)
    question = None if yes else _locale().gettext.gettext("Lift the suspension of %(badge)s?")
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
