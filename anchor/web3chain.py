"""The web3 plumbing both chains share: reads, registry look-ups, and sending a transaction.

:class:`Web3Chain` implements :class:`anchor.chain.Chain` over a ``Web3`` object; a
subclass (:class:`anchor.rpc.RpcChain`, :class:`anchor.embedded.EmbeddedChain`) gives it
the object, maps its errors and sets the fees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from anchor.chain import Lookup, Receipt, registry_artifact
from anchor.errors import (
    ChainError,
    ChainUnreachableError,
    ContractError,
    UnfundedAccountError,
)

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

__all__ = ["Web3Chain"]

_GAS_MARGIN = 1.2

T = TypeVar("T")


class Web3Chain:
    """The web3 plumbing both chains share; subclasses provide `w3` and error mapping."""

    def __init__(self, w3: Web3, *, receipt_timeout: float) -> None:
        self.w3 = w3
        self._receipt_timeout = receipt_timeout
        self._chain_id: int | None = None
        self._artifact = registry_artifact()
        self._errors = _error_selectors(self._artifact["abi"])

    label = "chain"
    final_on_mining = False

    def _call(self, what: str, func: Callable[[], T]) -> T:
        return func()

    @property
    def chain_id(self) -> int:
        """The chain's EIP-155 id (read once)."""
        if self._chain_id is None:
            self._chain_id = self._call("read the chain id", lambda: int(self.w3.eth.chain_id))
        return self._chain_id

    def head(self) -> int:
        """The latest block number."""
        return self._call("read the latest block", lambda: int(self.w3.eth.block_number))

    def finalized(self) -> int | None:
        """None: a chain has no ``finalized`` tag unless a subclass reads one."""
        return None

    def commit(self) -> None:
        """Nothing to make durable: a no-op unless a subclass keeps state."""
        return None

    def block_hash(self, number: int) -> bytes | None:
        """The canonical block hash at `number`, or None past the head."""
        from web3.exceptions import BlockNotFound

        try:
            return self._call(
                f"read block {number}", lambda: _hash32(self.w3.eth.get_block(number)["hash"])
            )
        except BlockNotFound:
            return None

    def has_code(self, address: str) -> bool:
        """Whether a contract is deployed at `address`."""
        checksummed = self._address(address)
        return self._call(
            "read the registry's code", lambda: len(bytes(self.w3.eth.get_code(checksummed))) > 0
        )

    def _address(self, address: str) -> Any:
        try:
            return self.w3.to_checksum_address(address)
        except ValueError as exc:
            raise ContractError(f"{address[:60]!r} is not an Ethereum address") from exc

    def _registry(self, address: str) -> Any:
        return self.w3.eth.contract(address=self._address(address), abi=self._artifact["abi"])

    def lookup(self, contract: str, root: bytes, leaf: bytes, *, sender: str) -> Lookup:
        """The registry's record for `leaf` of the root `sender` anchored (one eth_call)."""
        registry = self._registry(contract)
        account = self._address(sender)

        def read() -> Lookup:
            values = registry.functions.lookup(account, root, leaf).call()
            block, timestamp, batch_revoked, leaf_revoked, compromised = values
            return Lookup(
                sender=bytes.fromhex(account[2:]) if int(block) else bytes(20),
                block=int(block),
                timestamp=int(timestamp),
                batch_revoked_at=int(batch_revoked),
                leaf_revoked_at=int(leaf_revoked),
                compromised_since=int(compromised),
            )

        return self._call("read the registry", read)

    def deploy_registry(self, account: LocalAccount) -> Receipt:
        """Deploy AnchorRegistry from `account`; the receipt names the new address."""
        factory = self.w3.eth.contract(
            abi=self._artifact["abi"], bytecode=self._artifact["bytecode"]
        )
        return self._send(account, factory.constructor(), "deploy the registry")

    def transact(self, account: LocalAccount, contract: str, function: str, *args: Any) -> Receipt:
        """Send `function(*args)` to the registry at `contract` and wait for it to be mined."""
        call = getattr(self._registry(contract).functions, function)(*args)
        return self._send(account, call, f"call {function}")

    def _send(self, account: LocalAccount, call: Any, what: str) -> Receipt:
        from hexbytes import HexBytes
        from web3.exceptions import ContractCustomError, ContractLogicError, TimeExhausted

        self._before_send(account.address)
        try:
            nonce = self._call(
                "read the account's nonce",
                lambda: int(self.w3.eth.get_transaction_count(account.address, "pending")),
            )
            # Estimated without fees, so nodes do not cap the gas at what the balance
            # buys ("gas required exceeds allowance"): the balance is compared below.
            gas = self._call(
                f"prepare to {what}", lambda: int(call.estimate_gas({"from": account.address}))
            )
            fields = {
                "from": account.address,
                "nonce": nonce,
                "chainId": self.chain_id,
                "gas": int(gas * _GAS_MARGIN),
                **self._fees(),
            }
            tx = self._call(f"prepare to {what}", lambda: dict(call.build_transaction(fields)))
        except (ContractCustomError, ContractLogicError) as exc:
            raise ContractError(f"the registry refused to {what}: {self._reason(exc)}") from exc
        except UnfundedAccountError as exc:
            raise self._unfunded(account.address, what, exc) from exc
        price = int(tx.get("maxFeePerGas") or tx.get("gasPrice") or 0)
        balance = self._call(
            "read the account's balance", lambda: int(self.w3.eth.get_balance(account.address))
        )
        if balance < tx["gas"] * price:
            raise UnfundedAccountError(
                f"the anchoring account {account.address} holds {balance / 1e18:.6f} ETH on "
                f"{self.label}, less than the {tx['gas'] * price / 1e18:.6f} ETH this may cost"
            )
        signed = account.sign_transaction(tx)
        tx_hash = bytes(signed.hash)
        try:
            self._submit(f"send the transaction to {what}", signed.raw_transaction)
        except UnfundedAccountError as exc:
            raise self._unfunded(account.address, what, exc) from exc
        try:
            receipt = self._call(
                "wait for the transaction",
                lambda: self.w3.eth.wait_for_transaction_receipt(
                    HexBytes(tx_hash), timeout=self._receipt_timeout, poll_latency=0.5
                ),
            )
        except TimeExhausted as exc:
            raise ChainError(
                f"transaction 0x{tx_hash.hex()} was not mined within {self._receipt_timeout:g} s",
                hint="It may still be mined: run the command again later; nothing is sent twice.",
            ) from exc
        except ChainUnreachableError as exc:
            raise ChainUnreachableError(
                f"transaction 0x{tx_hash.hex()} was sent, but {exc.message}",
                hint="It may still be mined: run the command again later; nothing is sent twice.",
            ) from exc

        def mined() -> Receipt:
            if int(receipt["status"]) != 1:
                raise ContractError(f"the transaction to {what} was reverted (0x{tx_hash.hex()})")
            block = self.w3.eth.get_block(receipt["blockNumber"])
            address = receipt.get("contractAddress")
            return Receipt(
                tx=tx_hash,
                block=int(receipt["blockNumber"]),
                block_hash=_hash32(receipt["blockHash"]),
                block_time=int(block["timestamp"]),
                gas_used=int(receipt["gasUsed"]),
                contract_address=str(address) if address else None,
            )

        return self._call("read the block", mined)

    def _unfunded(self, address: str, what: str, exc: UnfundedAccountError) -> UnfundedAccountError:
        # The node's own "insufficient funds" (the balance moved since it was read).
        return UnfundedAccountError(
            f"the anchoring account {address} cannot pay to {what} on {self.label}: {exc.message}"
        )

    def _fees(self) -> dict[str, int]:
        """Fee fields to set on a transaction ({}: let web3 fill them in)."""
        return {}

    def _submit(self, what: str, raw: bytes) -> None:
        self._call(what, lambda: self.w3.eth.send_raw_transaction(raw))

    def _before_send(self, address: str) -> None:
        """A hook run before each transaction (the embedded chain funds the account)."""

    def _reason(self, exc: Exception) -> str:
        data = getattr(exc, "data", None)
        if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
            name = self._errors.get(data[2:10].lower())
            if name:
                return name
        return str(exc.args[0]) if exc.args else type(exc).__name__


def _hash32(value: Any) -> bytes:
    raw = bytes(value)
    if len(raw) != 32:
        raise ValueError(f"a block hash is 32 bytes, not {len(raw)}")
    return raw


def _error_selectors(abi: list[dict[str, Any]]) -> dict[str, str]:
    from eth_hash.auto import keccak

    selectors = {}
    for item in abi:
        if item.get("type") == "error":
            signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            selectors[keccak(signature.encode("ascii"))[:4].hex()] = item["name"]
    return selectors
