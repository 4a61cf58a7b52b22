"""What anchoring and checking need of a chain: the :class:`Chain` protocol and its answers.

    >>> from anchor.chain import Lookup
    >>> Lookup(bytes(20), 0, 0, 0, 0, 0).anchored
    False

The registry lives on an embedded py-evm chain on disk (:mod:`anchor.embedded`) or on any
JSON-RPC node (:mod:`anchor.rpc`). Both speak web3 (:mod:`anchor.web3chain`; the embedded
one through eth-tester's ``EthereumTesterProvider``), so anchoring and checking run the
same code against either. Only those three modules import web3 (~0.3 s), and only inside
functions; the verifier reaches them only for a document with an anchor proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

__all__ = [
    "FINALITY_DEPTH",
    "Chain",
    "Lookup",
    "Receipt",
    "registry_artifact",
]

#: Blocks deep an anchor must be on a node that has no ``finalized`` tag (SECURITY.md §2).
FINALITY_DEPTH = 64

_ARTIFACT = Path(__file__).with_name("contracts") / "AnchorRegistry.json"


def registry_artifact() -> dict[str, Any]:
    """The committed ABI and bytecode of AnchorRegistry (anchor/contracts/AnchorRegistry.json)."""
    import json

    artifact: dict[str, Any] = json.loads(_ARTIFACT.read_text(encoding="utf-8"))
    return artifact


@dataclass(frozen=True, slots=True)
class Receipt:
    """A mined transaction: where, what it cost, and what it created."""

    tx: bytes
    block: int
    block_hash: bytes
    block_time: int
    gas_used: int
    contract_address: str | None = None


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the registry holds for one leaf of one sender's root (zeros: nothing recorded).

    `sender` is the account asked about when it anchored the root, else zero bytes.
    """

    sender: bytes
    block: int
    timestamp: int
    batch_revoked_at: int
    leaf_revoked_at: int
    compromised_since: int

    @property
    def anchored(self) -> bool:
        """Whether the root was anchored at all."""
        return self.sender != bytes(20)


@runtime_checkable
class Chain(Protocol):
    """What anchoring and checking need of a chain."""

    @property
    def chain_id(self) -> int:
        """The chain's EIP-155 id."""
        ...

    @property
    def final_on_mining(self) -> bool:
        """True when a mined block can never be reorganized away (the embedded chain)."""
        ...

    @property
    def label(self) -> str:
        """How to name this chain to a user (a URL, or the embedded chain's file)."""
        ...

    def head(self) -> int:
        """The latest block number."""
        ...

    def finalized(self) -> int | None:
        """The latest finalized block, or None where the node has no such tag."""
        ...

    def block_hash(self, number: int) -> bytes | None:
        """The canonical block hash at `number`, or None past the head."""
        ...

    def has_code(self, address: str) -> bool:
        """Whether a contract is deployed at `address`."""
        ...

    def lookup(self, contract: str, root: bytes, leaf: bytes, *, sender: str) -> Lookup:
        """The registry's record for `leaf` of the root `sender` anchored (one eth_call)."""
        ...

    def deploy_registry(self, account: LocalAccount) -> Receipt:
        """Deploy AnchorRegistry from `account`; the receipt names the new address."""
        ...

    def transact(self, account: LocalAccount, contract: str, function: str, *args: Any) -> Receipt:
        """Send `function(*args)` to the registry at `contract` and wait for it to be mined."""
        ...

    def commit(self) -> None:
        """Make what was mined durable (the embedded chain); a no-op for a node."""
        ...
