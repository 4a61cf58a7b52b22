"""The embedded chain: an in-process EVM (py-evm through eth-tester) persisted in one SQLite file.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from anchor.embedded import EmbeddedChain
    >>> path = Path(tempfile.mkdtemp()) / "chain.db"
    >>> with EmbeddedChain.open(path, writable=True) as chain:
    ...     chain.head() >= 0
    True

It keeps py-evm's key-value store in one SQLite file. A writer holds
the file's write lock (``BEGIN IMMEDIATE``) from opening to :meth:`EmbeddedChain.commit`,
so two processes never mine on the same head, and a crash before the commit leaves
the chain as it was (the transaction is simply not mined).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from anchor.errors import ChainUnreachableError, ContractError
from anchor.web3chain import Web3Chain

if TYPE_CHECKING:
    from web3 import Web3

__all__ = ["EMBEDDED_CHAIN_ID", "EmbeddedChain"]

#: eth-tester's chain id, which the embedded chain keeps.
EMBEDDED_CHAIN_ID = 131277322940537
_EMBEDDED_FUNDING = 10**21  # 1,000 ETH of test money, topped up when it runs low

T = TypeVar("T")


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


class EmbeddedChain(Web3Chain):
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
