"""The ledger: `laurel anchor` and `laurel key compromised`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli._common import (
    _console,
    _funnel,
    _home_option,
    _open_wallet,
    _passphrase,
    _print_json,
    _valid_until,
    cli,
)

if TYPE_CHECKING:
    from wallet.home import Wallet


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

    from anchor.errors import ChainError
    from anchor.rpc import RpcChain

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
        moment = parse_datetime_stamp(_valid_until(since, option="--since") or since)
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
