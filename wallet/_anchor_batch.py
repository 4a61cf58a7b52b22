"""One batch anchored: its Merkle root sent in one transaction, each badge given its anchor proof.

The batch is recorded as pending (committed) before its transaction is sent; a root an
interrupted run already sent is found in the registry's log rather than sent again.
Each badge then gets its anchor proof, carrying the issuer's binding of the sending
account to its DID, and the batch is marked anchored, in one transaction
(:func:`wallet.ledger.anchor_pending` decides which batches to send).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from anchor.errors import ContractError
from anchor.merkle import MerkleTree
from anchor.proof import AnchorProof, credential_leaf, sign_binding, with_anchor_proof
from vc.keys import Ed25519KeyPair
from vc.types import JSONValue
from wallet.errors import WalletError
from wallet.home import Wallet

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from anchor.chain import Chain, Receipt

__all__ = ["AnchorReport"]


@dataclass(frozen=True, slots=True)
class AnchorReport:
    """One anchored batch: what `laurel anchor --json` prints."""

    count: int
    root: str
    tx: str
    block: int
    block_time: int
    chain_id: int
    contract: str
    gas_used: int
    account: str
    deployed: bool

    def to_json(self) -> dict[str, JSONValue]:
        """``{count, root, tx, block, chainId, contract, gasUsed, ...}``."""
        return {
            "count": self.count,
            "root": self.root,
            "tx": self.tx,
            "block": self.block,
            "anchoredAt": dt.datetime.fromtimestamp(self.block_time, dt.UTC).isoformat(),
            "chainId": self.chain_id,
            "contract": self.contract,
            "gasUsed": self.gas_used,
            "account": self.account,
            "deployed": self.deployed,
        }


def _send_batch(
    wallet: Wallet,
    chain: Chain,
    account: LocalAccount,
    signing_key: Ed25519KeyPair,
    contract: str,
    credential_ids: list[str],
    deployed: bool,
    *,
    recorded_root: str | None = None,
) -> AnchorReport:
    store = wallet.store
    documents = {cid: store.get_credential(cid).document for cid in credential_ids}
    leaves = [credential_leaf(documents[cid]) for cid in credential_ids]
    tree = MerkleTree(leaves)
    root_hex = "0x" + tree.root.hex()
    if recorded_root is not None and recorded_root != root_hex:
        # The badges changed since the batch was recorded: its root (maybe on chain)
        # can no longer be proved, and a new batch would anchor them twice.
        raise WalletError(
            f"the badges of pending batch {recorded_root} no longer hash to its root",
            hint="Restore the wallet from a backup made before the change.",
        )
    if not any(b.root == root_hex for b in store.anchor_batches()):
        store.add_anchor_batch(root_hex, chain.chain_id, contract, credential_ids)
    # The registry keeps roots per sender: a copy sent first by another account
    # lands in that account's records, never in ours.
    lookup = chain.lookup(contract, tree.root, bytes(32), sender=account.address)
    if lookup.anchored:
        # Sent by an interrupted run: find its transaction rather than send it again.
        receipt = _find_anchor(chain, contract, tree.root, lookup.block, account.address)
    else:
        receipt = chain.transact(account, contract, "anchor", tree.root, tree.size)
    identity = wallet.identity
    binding = sign_binding(signing_key, identity.did, account.address)
    texts: dict[str, str] = {}
    for index, cid in enumerate(credential_ids):
        proof = AnchorProof(
            leaf=leaves[index],
            index=index,
            size=tree.size,
            path=tuple(tree.inclusion_proof(index)),
            root=tree.root,
            chain_id=chain.chain_id,
            contract=bytes.fromhex(contract[2:]),
            tx=receipt.tx,
            block=receipt.block,
            block_hash=receipt.block_hash,
            block_time=receipt.block_time,
            account=bytes.fromhex(account.address[2:]),
            binding=binding,
            verification_method=identity.verification_method,
        )
        anchored = with_anchor_proof(documents[cid], proof.to_proof_json())
        texts[cid] = json.dumps(anchored, ensure_ascii=False, indent=2)
    # The embedded chain commits when open_chain's block ends; until then a crash
    # loses the block and leaves this batch pending, to be sent again.
    chain.commit()
    store.complete_anchor_batch(
        root_hex, tx="0x" + receipt.tx.hex(), block=receipt.block, texts=texts
    )
    return AnchorReport(
        count=len(credential_ids),
        root=root_hex,
        tx="0x" + receipt.tx.hex(),
        block=receipt.block,
        block_time=receipt.block_time,
        chain_id=chain.chain_id,
        contract=contract,
        gas_used=receipt.gas_used,
        account=account.address,
        deployed=deployed,
    )


def _find_anchor(chain: Chain, contract: str, root: bytes, block: int, sender: str) -> Receipt:
    from anchor.chain import Receipt
    from anchor.web3chain import Web3Chain

    if not isinstance(chain, Web3Chain):
        raise ContractError("cannot look up an earlier anchor on this chain")
    registry = chain._registry(contract)
    logs = registry.events.Anchored.get_logs(
        argument_filters={"root": root, "sender": sender}, from_block=block, to_block=block
    )
    if not logs:
        raise ContractError(
            f"root 0x{root.hex()} is anchored but its event is not in block {block}"
        )
    log = logs[0]
    mined = chain.w3.eth.get_block(block)
    receipt = chain.w3.eth.get_transaction_receipt(log["transactionHash"])
    return Receipt(
        tx=bytes(log["transactionHash"]),
        block=block,
        block_hash=bytes(mined["hash"]),
        block_time=int(mined["timestamp"]),
        gas_used=int(receipt["gasUsed"]),
    )
