"""Where `laurel verify` and `laurel serve` may reach: private hosts, and the chains anchors are on.

The options both commands share (--allow-private-network, --rpc, --embedded-chain,
--confirmations) and the ChainDirectory they give.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli._common import F

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
    from anchor.directory import ChainDirectory
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
