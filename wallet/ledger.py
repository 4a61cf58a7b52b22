"""Anchoring the wallet's badges on Ethereum: one Merkle batch, one transaction.

    HOME/chain.db    0600  the embedded chain (py-evm state), the default ledger

:func:`anchor_pending` puts every issued, unanchored badge into one batch, records
the batch as *pending* (committed) before its transaction is sent, sends it, and then
stores each badge with its anchor proof and marks the batch anchored in one
transaction. Killed between the two, the next run finds the pending batch, sees its
root on the chain (or sends it again), and finishes it: no badge is anchored twice or
left half done (SECURITY.md W05).

The anchoring account is a secp256k1 key kept in the keystore (created on first use)
or, for a funded testnet account, taken from ``LAUREL_ETH_PRIVATE_KEY``. The issuer's
Ed25519 key signs its binding to the issuer's DID, which every anchor proof carries.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

from anchor.errors import ContractError, WrongChainError
from anchor.proof import credential_leaf
from wallet._anchor_batch import AnchorReport, _send_batch
from wallet.errors import KeyNotFoundError, WalletError
from wallet.home import ANCHORING_KEY, CHAIN_FILE, Wallet, new_secp256k1_key

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from anchor.chain import Chain, Receipt

__all__ = [
    "ANCHORING_KEY",
    "CHAIN_FILE",
    "ETH_KEY_ENV",
    "AnchorReport",
    "anchor_pending",
    "anchoring_account",
    "declare_compromise",
    "embedded_chain_path",
    "open_chain",
    "revoke_on_chain",
    "snapshot_chain",
]

#: A funded account's private key (hex) to anchor with instead of the keystore's.
ETH_KEY_ENV: Final = "LAUREL_ETH_PRIVATE_KEY"


def embedded_chain_path(home: Path) -> Path:
    """Where the wallet at `home` keeps its embedded chain."""
    return home / CHAIN_FILE


def snapshot_chain(home: Path) -> bytes | None:
    """A consistent copy of the embedded chain file for a backup (None: there is none).

    Raises:
        WalletError: the chain file cannot be read.
    """
    import sqlite3

    path = embedded_chain_path(home)
    if not path.exists():
        return None
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10.0)
        try:
            return source.serialize()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise WalletError(f"cannot read the embedded chain {path}: {exc}") from exc


def anchoring_account(wallet: Wallet, passphrase: str) -> LocalAccount:
    """The account that sends anchors: ``LAUREL_ETH_PRIVATE_KEY``, else the keystore's.

    The keystore key is created (and sealed) on first use for a wallet made before it.

    Raises:
        WalletError: ``LAUREL_ETH_PRIVATE_KEY`` is not a 32-byte hex key.
        WrongPassphraseError: the passphrase does not open the keystore.
    """
    from eth_account import Account

    configured = os.environ.get(ETH_KEY_ENV)
    if configured:
        try:
            key = bytes.fromhex(configured.strip().removeprefix("0x"))
            if len(key) != 32:
                raise ValueError
            configured_account: LocalAccount = Account.from_key(key)
            return configured_account
        except ValueError:
            raise WalletError(
                f"{ETH_KEY_ENV} is not a 32-byte private key in hex",
                hint=f"Set {ETH_KEY_ENV}=0x… (64 hex digits), or unset it to use the wallet's key.",
            ) from None
    keystore = wallet.unlock(passphrase)
    try:
        secret = keystore.secret(ANCHORING_KEY)
    except KeyNotFoundError:
        secret = new_secp256k1_key()
        keystore.add(ANCHORING_KEY, secret)
    account: LocalAccount = Account.from_key(secret)
    return account


@contextmanager
def open_chain(
    wallet: Wallet, rpc: str | None = None, *, chain_id: int | None = None
) -> Iterator[Chain]:
    """The chain to anchor on: the node at `rpc`, else the wallet's embedded chain.

    The embedded chain is committed when the block ends without an error.

    Raises:
        WrongChainError: `chain_id` is given and the node serves another chain.
        ChainUnreachableError: the node cannot be reached.
    """
    from anchor.embedded import EmbeddedChain
    from anchor.rpc import RpcChain

    if rpc is None:
        embedded = EmbeddedChain.open(embedded_chain_path(wallet.home), writable=True)
        try:
            if chain_id is not None and chain_id != embedded.chain_id:
                raise WrongChainError(
                    f"the embedded chain is chain {embedded.chain_id}, not {chain_id}",
                    hint="Pass --rpc URL to anchor on another chain.",
                )
            yield embedded
            embedded.commit()
        finally:
            embedded.close()
        return
    node = RpcChain(rpc)
    if chain_id is not None:
        node.expect_chain_id(chain_id)
    yield node


def _registry(
    wallet: Wallet, chain: Chain, account: LocalAccount, given: str | None
) -> tuple[str, bool]:
    """The registry address on `chain`: given, remembered, or deployed now (and remembered)."""
    from anchor.check import is_registry

    setting = f"anchor.contract.{chain.chain_id}"
    if given is not None:
        if not chain.has_code(given):
            raise ContractError(f"there is no contract at {given} on {chain.label}")
        if not is_registry(chain, given):
            # Verifiers refuse anchors in any other contract (anchor.wrong_contract).
            raise ContractError(
                f"the contract at {given} on {chain.label} is not laurel's AnchorRegistry"
            )
        wallet.store.set_setting(setting, given)
        return given, False
    remembered = wallet.store.get_setting(setting)
    if remembered is not None and chain.has_code(remembered):
        return remembered, False
    receipt = chain.deploy_registry(account)
    if receipt.contract_address is None:
        raise ContractError("deploying the registry created no contract")
    wallet.store.set_setting(setting, receipt.contract_address)
    return receipt.contract_address, True


def anchor_pending(
    wallet: Wallet,
    passphrase: str,
    *,
    rpc: str | None = None,
    contract: str | None = None,
    chain_id: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[AnchorReport]:
    """Anchor every issued, unanchored badge: finish any pending batch, then one new batch.

    Returns one report per batch anchored (none when there was nothing to anchor; no
    chain is opened and no registry deployed then).

    Raises:
        ChainUnreachableError, WrongChainError, UnfundedAccountError, ContractError:
            the chain could not take the transaction; nothing is lost, run it again.
            ContractError also when a batch's root is already anchored by another
            account, or `contract` is not laurel's registry.
        WrongPassphraseError: the passphrase does not open the keystore.
        WalletError: ``LAUREL_ETH_PRIVATE_KEY`` is not a key, or a pending batch's
            badges no longer hash to its root.
    """
    say = progress or (lambda _message: None)
    signing_key = wallet.signing_key(passphrase)
    account = anchoring_account(wallet, passphrase)
    reports: list[AnchorReport] = []
    if not wallet.store.anchor_batches("pending") and not wallet.store.unanchored_issued():
        # Nothing to send: no registry is deployed (and paid for) and no chain is opened.
        return reports
    with open_chain(wallet, rpc, chain_id=chain_id) as chain:
        address, deployed = _registry(wallet, chain, account, contract)
        if deployed:
            say(f"deployed the anchor registry at {address} on {chain.label}")
        for batch in wallet.store.anchor_batches("pending"):
            if batch.chain_id == chain.chain_id and batch.contract == address:
                say(f"finishing batch {batch.root[:18]}… left by an interrupted run")
                reports.append(
                    _send_batch(
                        wallet,
                        chain,
                        account,
                        signing_key,
                        address,
                        list(batch.credential_ids),
                        deployed,
                        recorded_root=batch.root,
                    )
                )
        todo = [c.id for c in wallet.store.unanchored_issued()]
        if todo:
            say(f"anchoring {len(todo)} badge{'s' if len(todo) != 1 else ''} in one transaction")
            reports.append(
                _send_batch(wallet, chain, account, signing_key, address, todo, deployed)
            )
        if rpc is not None:
            wallet.store.set_setting(f"anchor.rpc.{chain.chain_id}", rpc)
    return reports


def revoke_on_chain(
    wallet: Wallet, passphrase: str, credential_id: str, *, rpc: str | None = None
) -> Receipt | None:
    """Record the revocation of an anchored badge in the registry.

    Returns the receipt, or None when nothing was sent: the badge is not anchored, or
    its revocation is already recorded.

    Uses the chain the badge was anchored on: the embedded one, or `rpc` (default:
    the node the wallet last anchored through on that chain).

    Raises:
        ChainUnreachableError, ContractError, UnfundedAccountError: the chain refused;
            the status list revocation stands, and this can be run again.
    """
    from anchor.embedded import EMBEDDED_CHAIN_ID

    batch = wallet.store.anchor_batch_of(credential_id)
    if batch is None:
        return None
    document = wallet.store.get_credential(credential_id).document
    leaf = credential_leaf(document)
    if batch.chain_id != EMBEDDED_CHAIN_ID:
        rpc = rpc or wallet.store.get_setting(f"anchor.rpc.{batch.chain_id}")
        if rpc is None:
            raise WalletError(
                f"the badge is anchored on chain {batch.chain_id}; name its node with --rpc URL"
            )
    else:
        rpc = None
    account = anchoring_account(wallet, passphrase)
    with open_chain(wallet, rpc, chain_id=batch.chain_id) as chain:
        root = bytes.fromhex(batch.root[2:])
        if chain.lookup(batch.contract, root, leaf, sender=account.address).leaf_revoked_at:
            return None
        return chain.transact(account, batch.contract, "revoke", root, leaf)


def declare_compromise(
    wallet: Wallet, passphrase: str, since: dt.datetime, *, rpc: str | None = None
) -> tuple[Receipt, str]:
    """Declare the wallet's keys compromised since `since`: later anchors no longer count.

    Returns the receipt and the registry address it was recorded in.

    Raises:
        ValueError: `since` is not timezone-aware or is before 1970.
        ChainUnreachableError, ContractError, UnfundedAccountError: the chain refused.
    """
    if since.tzinfo is None:
        raise ValueError("the compromise time must be timezone-aware")
    seconds = int(since.timestamp())
    if seconds <= 0:
        raise ValueError("the compromise time must be after 1970")
    account = anchoring_account(wallet, passphrase)
    with open_chain(wallet, rpc) as chain:
        address, _ = _registry(wallet, chain, account, None)
        return chain.transact(account, address, "declareCompromise", seconds), address
