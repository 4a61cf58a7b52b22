"""Chains the registry lives on: an embedded py-evm chain on disk, or any JSON-RPC node.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from anchor.chain import EmbeddedChain
    >>> path = Path(tempfile.mkdtemp()) / "chain.db"
    >>> with EmbeddedChain.open(path, writable=True) as chain:
    ...     chain.head() >= 0
    True

Both speak web3 (the embedded one through eth-tester's ``EthereumTesterProvider``), so
anchoring and checking run the same code against either. This is the only module that
imports web3 (~0.3 s); the verifier reaches it only for a document with an anchor proof.

The embedded chain keeps py-evm's key-value store in one SQLite file. A writer holds
the file's write lock (``BEGIN IMMEDIATE``) from opening to :meth:`EmbeddedChain.commit`,
so two processes never mine on the same head, and a crash before the commit leaves
the chain as it was (the transaction is simply not mined).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from anchor.errors import (
    ChainError,
    ChainUnreachableError,
    ContractError,
    UnfundedAccountError,
    WrongChainError,
)

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

__all__ = [
    "EMBEDDED_CHAIN_ID",
    "FINALITY_DEPTH",
    "Chain",
    "EmbeddedChain",
    "Lookup",
    "Receipt",
    "RpcChain",
    "registry_artifact",
    "rpc_deadline",
]

#: eth-tester's chain id, which the embedded chain keeps.
EMBEDDED_CHAIN_ID = 131277322940537
#: Blocks deep an anchor must be on a node that has no ``finalized`` tag (SECURITY.md §2).
FINALITY_DEPTH = 64

_ARTIFACT = Path(__file__).with_name("contracts") / "AnchorRegistry.json"
_EMBEDDED_FUNDING = 10**21  # 1,000 ETH of test money, topped up when it runs low
_GAS_MARGIN = 1.2
_DEFAULT_TIP = 10**9  # 1 gwei, for a node that cannot suggest a priority fee

T = TypeVar("T")

# When the JSON-RPC requests of this thread (context) must be done, by time.monotonic().
_RPC_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "laurel_rpc_deadline", default=None
)


@contextlib.contextmanager
def rpc_deadline(seconds: float) -> Iterator[None]:
    """Every JSON-RPC request made inside shares one budget of `seconds`.

    Each request's timeout is cut to what is left, and a request with nothing left is
    not sent (:class:`~anchor.errors.ChainUnreachableError`), so a node that answers
    slowly, request after request, cannot hold one check for longer. Nested budgets
    keep the earlier deadline.
    """
    deadline = time.monotonic() + seconds
    outer = _RPC_DEADLINE.get()
    token = _RPC_DEADLINE.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _RPC_DEADLINE.reset(token)


class RpcAnswerError(ValueError):
    """A JSON-RPC response that does not answer the request sent (wrong id or version)."""


@functools.cache
def _checked_http_provider() -> type[Any]:
    """web3's HTTPProvider, holding requests to the deadline and answers to their ids.

    web3 accepts a response whatever its ``id`` (SECURITY.md A12): a proxy or a
    confused node could answer one request with another's result.
    """
    from requests.exceptions import Timeout
    from web3 import HTTPProvider

    class CheckedHTTPProvider(HTTPProvider):
        def get_request_kwargs(self) -> dict[str, Any]:
            kwargs = dict(super().get_request_kwargs())
            deadline = _RPC_DEADLINE.get()
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout("the time allowed for this check ran out")
                kwargs["timeout"] = min(float(kwargs.get("timeout", left)), left)
            return kwargs

        def make_request(self, method: Any, params: Any) -> Any:
            request = self.encode_rpc_request(method, params)
            sent = json.loads(request)["id"]
            response: object = self.decode_rpc_response(self._make_request(method, request))
            if not isinstance(response, dict) or response.get("jsonrpc") != "2.0":
                raise RpcAnswerError(f"the answer to {method} is not a JSON-RPC 2.0 response")
            if response.get("id") != sent:
                raise RpcAnswerError(
                    f"the answer to request {sent} ({method}) carries id "
                    f"{str(response.get('id'))[:40]!r}"
                )
            return response

    return CheckedHTTPProvider


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


class _Web3Chain:
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
        if self._chain_id is None:
            self._chain_id = self._call("read the chain id", lambda: int(self.w3.eth.chain_id))
        return self._chain_id

    def head(self) -> int:
        return self._call("read the latest block", lambda: int(self.w3.eth.block_number))

    def finalized(self) -> int | None:
        return None

    def commit(self) -> None:
        return None

    def block_hash(self, number: int) -> bytes | None:
        from web3.exceptions import BlockNotFound

        try:
            return self._call(
                f"read block {number}", lambda: _hash32(self.w3.eth.get_block(number)["hash"])
            )
        except BlockNotFound:
            return None

    def has_code(self, address: str) -> bool:
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
        factory = self.w3.eth.contract(
            abi=self._artifact["abi"], bytecode=self._artifact["bytecode"]
        )
        return self._send(account, factory.constructor(), "deploy the registry")

    def transact(self, account: LocalAccount, contract: str, function: str, *args: Any) -> Receipt:
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


def _base_fee(block: Any) -> int | None:
    value = block.get("baseFeePerGas")
    return None if value is None else int(value)


def _quantity(value: object) -> int:
    """A JSON-RPC quantity ("0x…" hex)."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ValueError(f"not a JSON-RPC quantity: {value!r:.40}")
    return int(value, 16)


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


class RpcChain(_Web3Chain):
    """Any Ethereum JSON-RPC node (anvil on loopback, a public testnet, mainnet)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        receipt_timeout: float = 180.0,
    ) -> None:
        """Connect lazily to `url`; each request times out after `timeout` seconds.

        Raises:
            ValueError: `url` is not http(s).
        """
        from requests.exceptions import ConnectionError as RequestsConnectionError
        from requests.exceptions import Timeout
        from web3 import Web3
        from web3.providers.rpc.utils import ExceptionRetryConfiguration

        if not url.startswith(("http://", "https://")):
            raise ValueError(f"an RPC URL is http:// or https://, not {url[:40]!r}")
        provider = _checked_http_provider()(
            url,
            request_kwargs={"timeout": timeout},
            exception_retry_configuration=ExceptionRetryConfiguration(
                errors=(RequestsConnectionError, Timeout), retries=retries, backoff_factor=0.5
            )
            if retries
            else None,
        )
        super().__init__(Web3(provider), receipt_timeout=receipt_timeout)
        self.url = url
        self.label = url

    def _call(self, what: str, func: Callable[[], T]) -> T:
        from requests.exceptions import RequestException
        from web3.exceptions import (
            BlockNotFound,
            ContractLogicError,
            TimeExhausted,
            Web3Exception,
            Web3RPCError,
        )

        try:
            return func()
        except (BlockNotFound, ContractLogicError, TimeExhausted):
            raise  # answers the callers read: no block there, a revert, still pending
        except RequestException as exc:
            raise ChainUnreachableError(
                f"could not {what}: the node at {self.url} did not answer ({type(exc).__name__})"
            ) from exc
        except Web3RPCError as exc:
            message = str(exc)
            if "insufficient funds" in message.lower():
                raise UnfundedAccountError(f"could not {what}: {message[:200]}") from exc
            raise ChainError(f"could not {what}: the node said {message[:200]}") from exc
        except (Web3Exception, ValueError, TypeError, AttributeError, KeyError) as exc:
            # What web3 raises for an answer that is not JSON-RPC, or a result of the
            # wrong shape (null, a string for a block, a short hash).
            raise ChainError(
                f"could not {what}: the node at {self.url} answered nonsense ({exc!s:.120})"
            ) from exc

    def finalized(self) -> int | None:
        """The node's ``finalized`` block, or None where it has no such tag."""
        from web3.exceptions import BlockNotFound

        try:
            return self._call(
                "read the finalized block",
                lambda: int(self.w3.eth.get_block("finalized")["number"]),
            )
        except ChainUnreachableError:
            raise
        except (BlockNotFound, ChainError):
            return None

    def _fees(self) -> dict[str, int]:
        """EIP-1559 fees: twice the latest base fee plus the node's tip; legacy gasPrice without."""
        from web3.types import RPCEndpoint

        base = self._call(
            "read the latest block", lambda: _base_fee(self.w3.eth.get_block("latest"))
        )
        if base is None:  # a chain without EIP-1559 (London)
            return {
                "gasPrice": self._call("read the gas price", lambda: int(self.w3.eth.gas_price))
            }
        try:
            tip = self._call(
                "read the priority fee",
                lambda: _quantity(
                    self.w3.manager.request_blocking(RPCEndpoint("eth_maxPriorityFeePerGas"), [])
                ),
            )
        except ChainUnreachableError:
            raise
        except ChainError:
            tip = _DEFAULT_TIP  # a node without eth_maxPriorityFeePerGas
        return {"maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip}

    def _submit(self, what: str, raw: bytes) -> None:
        try:
            self._call(what, lambda: self.w3.eth.send_raw_transaction(raw))
        except ChainUnreachableError:
            raise
        except ChainError as exc:
            # A retried send the node already holds (the first answer was lost): the
            # same signed transaction, so wait for it rather than fail.
            if "already known" not in exc.message.lower():
                raise

    def expect_chain_id(self, expected: int) -> None:
        """Check that the node serves chain `expected`.

        Raises:
            WrongChainError: it serves another.
            ChainUnreachableError: it cannot be reached.
        """
        if self.chain_id != expected:
            raise WrongChainError(
                f"the node at {self.url} serves chain {self.chain_id}, not {expected}"
            )


class _SqliteKeyValue:
    """py-evm's BaseDB over one SQLite table (the writes of one open are one transaction)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection

    def __getitem__(self, key: bytes) -> bytes:
        row = self._conn.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return bytes(row[0])

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._conn.execute("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", (key, value))

    def __delitem__(self, key: bytes) -> None:
        if self._conn.execute("DELETE FROM kv WHERE k = ?", (key,)).rowcount == 0:
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        return self._conn.execute("SELECT 1 FROM kv WHERE k = ?", (key,)).fetchone() is not None


def _sqlite_db(connection: sqlite3.Connection) -> Any:
    from eth.db.atomic import AtomicDB
    from eth.db.backends.base import BaseDB

    class SqliteDB(_SqliteKeyValue, BaseDB):
        pass

    return AtomicDB(SqliteDB(connection))


class EmbeddedChain(_Web3Chain):
    """An in-process EVM (py-evm through eth-tester) persisted in one SQLite file."""

    final_on_mining = True

    def __init__(self, path: Path, connection: sqlite3.Connection, w3: Web3, funder: Any) -> None:
        super().__init__(w3, receipt_timeout=30.0)
        self.path = path
        self.label = f"the embedded chain ({path})"
        self._conn = connection
        self._funder = funder

    @classmethod
    def open(cls, path: Path, *, writable: bool = False) -> EmbeddedChain:
        """Open the chain at `path`; a writer creates it (0600) and holds its write lock.

        Raises:
            ChainUnreachableError: there is no chain at `path` (reader), or it is
                damaged or locked by another process for longer than 10 s.
        """
        from eth_tester import EthereumTester, PyEVMBackend
        from web3 import EthereumTesterProvider, Web3

        path = Path(path)
        if not writable and not path.exists():
            raise ChainUnreachableError(
                f"there is no embedded chain at {path}",
                hint="Anchor a badge first (`laurel anchor`), or name a node with --rpc URL.",
            )
        try:
            if writable and not path.exists():
                path.touch(mode=0o600)
            uri = f"file:{path}?mode={'rw' if writable else 'ro'}"
            connection = sqlite3.connect(uri, uri=True, timeout=10.0, isolation_level=None)
            if writable:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID"
                )
            fresh = connection.execute("SELECT count(*) FROM kv").fetchone()[0] == 0
        except sqlite3.Error as exc:
            raise ChainUnreachableError(f"cannot open the embedded chain {path}: {exc}") from exc
        if fresh and not writable:
            connection.close()
            raise ChainUnreachableError(f"the embedded chain {path} is empty")
        state = PyEVMBackend.generate_genesis_state(num_accounts=1)
        backend = PyEVMBackend(genesis_state=state)
        chain_class = type(backend.chain)
        db = _sqlite_db(connection)
        if fresh:
            from eth_tester.backends.pyevm.main import get_default_genesis_params

            backend.chain = chain_class.from_genesis(db, get_default_genesis_params(), state)
        else:
            backend.chain = chain_class(db)
        w3 = Web3(EthereumTesterProvider(EthereumTester(backend)))
        return cls(path, connection, w3, backend.account_keys[0])

    def _call(self, what: str, func: Callable[[], T]) -> T:
        from eth_tester.exceptions import TransactionFailed

        try:
            return func()
        except TransactionFailed as exc:
            raise ContractError(
                f"could not {what}: the registry refused ({self._revert_name(exc)})"
            ) from exc
        except sqlite3.Error as exc:
            raise ChainUnreachableError(f"could not {what}: {self.path}: {exc}") from exc

    def _revert_name(self, exc: Exception) -> str:
        data = exc.args[0] if exc.args else b""
        if isinstance(data, str):
            # web3's EthereumTesterProvider re-raises py-evm's revert as the text
            # "execution reverted: b'<revert data>'" (a bytes literal): read it back.
            import ast

            literal = data.removeprefix("execution reverted: ")
            if literal.startswith(("b'", 'b"')):
                with contextlib.suppress(ValueError, SyntaxError):
                    data = ast.literal_eval(literal)
        if isinstance(data, bytes) and len(data) >= 4:
            return self._errors.get(data[:4].hex(), "reverted")
        return "reverted"

    def _before_send(self, address: str) -> None:
        # Test money: the embedded chain's own funded account tops the sender up.
        if self.w3.eth.get_balance(self.w3.to_checksum_address(address)) >= _EMBEDDED_FUNDING // 10:
            return
        from eth_account import Account

        funder = Account.from_key(self._funder.to_bytes())
        tx = {
            "to": address,
            "value": _EMBEDDED_FUNDING,
            "gas": 21000,
            "nonce": self.w3.eth.get_transaction_count(funder.address),
            "chainId": self.chain_id,
            "maxFeePerGas": 2 * self.w3.eth.get_block("latest")["baseFeePerGas"] + 10**9,
            "maxPriorityFeePerGas": 10**9,
        }
        self.w3.eth.send_raw_transaction(funder.sign_transaction(tx).raw_transaction)

    def finalized(self) -> int | None:
        """The head: a mined block of the embedded chain is final."""
        return self.head()

    def commit(self) -> None:
        """Make everything mined since opening durable; a writer keeps its write lock."""
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")
            self._conn.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        """Close the file; what was not committed is rolled back."""
        with contextlib.suppress(sqlite3.Error):
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        self._conn.close()

    def __enter__(self) -> EmbeddedChain:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
