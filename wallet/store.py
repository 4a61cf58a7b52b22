"""The wallet's SQLite database: settings, credentials and status allocations.

Every write a `laurel` process makes goes through :class:`Store`, inside a
``BEGIN IMMEDIATE`` transaction, so each operation is all or nothing (SECURITY.md
W05) and two processes on the same wallet take turns (W06).

    >>> import tempfile
    >>> from pathlib import Path
    >>> from wallet.store import Store
    >>> path = Path(tempfile.mkdtemp()) / "wallet.db"
    >>> with Store.create(path) as store:
    ...     stored = store.add_credential({"id": "urn:uuid:1", "name": "Badge"}, origin="issued")
    ...     [c.name for c in store.list_credentials()]
    ['Badge']

The journal mode is ``DELETE`` (a rollback journal), not WAL: the whole wallet
is then always one self-contained file once a command ends, so a backup or a
copy of ``wallet.db`` alone is complete; WAL would keep committed rows in a
``-wal`` file beside it until a checkpoint and needs a ``-shm`` file even to
read (so a wallet on read-only media could not be opened). laurel is a
command-line tool with one writer at a time, so WAL's concurrent readers buy
nothing here. SQLite creates the ``-journal`` file with the database file's own
permissions, so it is 0600 too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Final

from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document
from vc.timestamps import format_datetime_stamp
from vc.types import JSONObject, JSONValue
from wallet.errors import (
    CredentialNotFoundError,
    WalletBusyError,
    WalletCorruptError,
    WalletError,
    WalletExistsError,
    WalletNotFoundError,
)

__all__ = [
    "SCHEMA_VERSION",
    "AnchorBatchRow",
    "StatusListRow",
    "StoredCredential",
    "Store",
]

#: The version of the database layout this module reads and writes.
SCHEMA_VERSION: Final = 1

#: Seconds a command waits for another `laurel` process to finish writing (W06).
DEFAULT_BUSY_TIMEOUT: Final = 10.0

# "LARL" in the SQLite header's application_id field: `file(1)` and laurel can
# tell a laurel wallet from any other SQLite database without running SQL on it.
_APPLICATION_ID: Final = 0x4C41524C
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_HEADER_SIZE: Final = 100
_PAGE_SIZE: Final = 16384

_ORIGINS: Final = frozenset({"issued", "imported"})

_SCHEMA: Final = (
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    # `seq` fixes the "oldest first" order: VACUUM may renumber the implicit rowid
    # of a table without an INTEGER PRIMARY KEY, and added_at has whole seconds only.
    """
    CREATE TABLE credentials (
        seq        INTEGER PRIMARY KEY,
        id         TEXT NOT NULL UNIQUE CHECK (id <> ''),
        text       TEXT NOT NULL,
        origin     TEXT NOT NULL CHECK (origin IN ('issued', 'imported')),
        verified   INTEGER NOT NULL CHECK (verified IN (0, 1)),
        added_at   TEXT NOT NULL,
        name       TEXT,
        issuer     TEXT,
        recipient  TEXT,
        valid_from TEXT,
        roster_key TEXT UNIQUE,
        anchored   INTEGER NOT NULL DEFAULT 0 CHECK (anchored IN (0, 1))
    )
    """,
    # No foreign key to credentials on purpose: an index is allocated before the
    # credential is signed and stored (W11), and deleting a credential must never
    # free its index for reuse.
    """
    CREATE TABLE status_allocations (
        list_id       TEXT NOT NULL,
        purpose       TEXT NOT NULL,
        idx           INTEGER NOT NULL CHECK (idx >= 0),
        credential_id TEXT NOT NULL,
        PRIMARY KEY (list_id, purpose, idx)
    )
    """,
)

_TABLES: Final = frozenset({"meta", "settings", "credentials", "status_allocations"})

# Added after schema version 1 shipped: created (if missing) at create and at open,
# so wallets made before them gain them without a version change.
_STATUS_SCHEMA: Final = (
    # One row per status list: its purpose, its URL, its bits (left-most bit is
    # index 0) and the list credential as last signed (NULL until first signed).
    """
    CREATE TABLE IF NOT EXISTS status_lists (
        list_id     TEXT PRIMARY KEY,
        purpose     TEXT NOT NULL,
        url         TEXT NOT NULL UNIQUE,
        entries     INTEGER NOT NULL CHECK (entries > 0),
        bits        BLOB NOT NULL,
        signed_text TEXT,
        updated_at  TEXT
    )
    """,
    # The state a credential was given for a purpose (1 set, 0 cleared) and why.
    """
    CREATE TABLE IF NOT EXISTS credential_status (
        credential_id TEXT NOT NULL,
        purpose       TEXT NOT NULL,
        state         INTEGER NOT NULL CHECK (state IN (0, 1)),
        reason        TEXT,
        PRIMARY KEY (credential_id, purpose)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS status_allocations_credential
        ON status_allocations (credential_id, purpose)
    """,
    # One row per Merkle batch sent to a chain: recorded (pending) before its
    # transaction is sent, so a crash between sending and storing the proofs is
    # finished by the next `laurel anchor`; the credential ids in leaf order.
    """
    CREATE TABLE IF NOT EXISTS anchor_batches (
        root           TEXT PRIMARY KEY,
        chain_id       INTEGER NOT NULL,
        contract       TEXT NOT NULL,
        credential_ids TEXT NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('pending', 'anchored')),
        tx             TEXT,
        block          INTEGER,
        created_at     TEXT NOT NULL
    )
    """,
)
_STATUS_OBJECTS: Final = frozenset(
    {"status_lists", "credential_status", "status_allocations_credential", "anchor_batches"}
)

_COLUMNS: Final = (
    "id, text, origin, verified, added_at, name, issuer, recipient, valid_from, anchored"
)

# SQLite primary result codes (the low byte of the extended code).
_SQLITE_PERM: Final = 3
_SQLITE_BUSY: Final = 5
_SQLITE_LOCKED: Final = 6
_SQLITE_READONLY: Final = 8
_SQLITE_IOERR: Final = 10
_SQLITE_CORRUPT: Final = 11
_SQLITE_FULL: Final = 13
_SQLITE_CANTOPEN: Final = 14
_SQLITE_NOTADB: Final = 26

_WRITE_HINT: Final = (
    "Free some disk space or make the wallet folder writable, then run the command "
    "again; the transaction was rolled back and the wallet was not changed."
)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class StoredCredential:
    """One credential as the wallet holds it.

    `text` is the exact JSON stored (export gives back these bytes); `document`
    is parsed from it. `name`, `issuer`, `recipient` and `valid_from` are copies
    taken from the document for `laurel list`, None when the document does not
    have them in a recognisable shape.
    """

    id: str
    document: JSONObject
    text: str
    origin: str
    verified: bool
    added_at: str
    name: str | None
    issuer: str | None
    recipient: str | None
    valid_from: str | None
    anchored: bool


@dataclass(frozen=True, slots=True)
class AnchorBatchRow:
    """One Merkle batch as the wallet records it (hex root; credential ids in leaf order)."""

    root: str
    chain_id: int
    contract: str
    credential_ids: tuple[str, ...]
    state: str
    tx: str | None
    block: int | None


@dataclass(frozen=True, slots=True)
class StatusListRow:
    """One status list as the wallet holds it (see :mod:`wallet.status`).

    `bits` is the raw bitstring (left-most bit is index 0); `signed_text` the list
    credential as last signed, None until it is first signed.
    """

    list_id: str
    purpose: str
    url: str
    entries: int
    bits: bytes
    signed_text: str | None


class Store:
    """An open wallet database; make one with :meth:`create` or :meth:`open`.

    Reads and writes are atomic: a write outside :meth:`transaction` runs in a
    short transaction of its own. Use it as a context manager, or :meth:`close` it.
    """

    def __init__(
        self,
        path: Path,
        connection: sqlite3.Connection,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self._path = path
        self._conn = connection
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._in_transaction = False

    # --- opening and closing -----------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> Store:
        """Create a new, empty wallet database at `path`, mode 0600 whatever the umask.

        Args:
            path: the database file to create; it must not exist.
            clock: gives the UTC time stamped as a credential's `added_at`.
            busy_timeout: seconds to wait for another process's write to finish.

        Raises:
            WalletExistsError: `path` already exists (it is left as it is).
            WalletError: the file cannot be created or written.
        """
        path = Path(path)
        try:
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
            )
        except FileExistsError as exc:
            raise WalletExistsError(f"{path} already exists; laurel will not overwrite it") from exc
        except OSError as exc:
            raise WalletError(f"cannot create {path}: {exc.strerror}", hint=_WRITE_HINT) from exc
        try:
            # The umask can only remove bits, but fchmod makes the intent explicit.
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
        connection: sqlite3.Connection | None = None
        try:
            with _translated(str(path), busy_timeout):
                connection = _connect(path, busy_timeout, read_only=False)
                # Credentials are JSON of 1-5 KB: 16 KiB pages hold several each, where
                # the default 4 KiB holds one, so the file (and every backup) is ~40 %
                # smaller and a 10,000-badge insert faster.
                connection.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
                for statement in (*_SCHEMA, *_STATUS_SCHEMA):
                    connection.execute(statement)
                connection.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
                connection.execute("COMMIT")
            _fsync_directory(path.parent)
        except BaseException:
            # The file is ours and holds nothing yet: remove it rather than leave a
            # half-made wallet that `open` would then (rightly) call corrupt.
            if connection is not None:
                connection.close()
            for leftover in (path, _journal_path(path)):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
            raise
        return cls(path, connection, clock=clock, busy_timeout=busy_timeout)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> Store:
        """Open an existing wallet database; never creates or re-initialises one.

        A rollback journal left by a crashed process is rolled back by SQLite here,
        which restores the database to its last committed state.

        Args:
            path: the database file.
            clock: gives the UTC time stamped as a credential's `added_at`.
            busy_timeout: seconds to wait for another process's write to finish.

        Raises:
            WalletNotFoundError: `path` does not exist.
            WalletCorruptError: `path` is not a laurel database, is truncated or
                damaged, or has a schema version this laurel does not know.
            WalletBusyError: another process held the database past `busy_timeout`.
            WalletError: the file cannot be read.
        """
        path = Path(path)
        if not path.exists():
            raise WalletNotFoundError(f"{path} does not exist")
        _check_header(path, str(path))
        with _translated(str(path), busy_timeout):
            connection = _connect(path, busy_timeout, read_only=False)
            try:
                _check_contents(connection, str(path))
                _add_status_tables(connection)
            except BaseException:
                connection.close()
                raise
        return cls(path, connection, clock=clock, busy_timeout=busy_timeout)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    def close(self) -> None:
        """Close the database (an open transaction is rolled back by SQLite)."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- transactions ------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one ``BEGIN IMMEDIATE`` transaction: commit, or roll back on error.

        Raises:
            RuntimeError: a transaction is already open on this store (no nesting).
            WalletBusyError: another process held the database past the busy timeout.
            WalletError: the commit could not be written (disk full, read-only).
        """
        if self._in_transaction:
            raise RuntimeError("a Store transaction is already open; they do not nest")
        with self._translated():
            self._conn.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                with self._translated():
                    self._conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        finally:
            self._in_transaction = False

    @property
    def in_transaction(self) -> bool:
        """Whether a :meth:`transaction` is open on this store."""
        return self._in_transaction

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        if self._in_transaction:
            yield
        else:
            with self.transaction():
                yield

    def _rollback(self) -> None:
        # After an I/O error (disk full) SQLite ends the transaction itself but
        # leaves the journal hot: its next read plays the journal back, so one is
        # done here and the file is as it was when the command ends. Should that
        # fail too, the next open rolls back; the original error is the one raised.
        with contextlib.suppress(sqlite3.Error):
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()

    def _translated(self) -> contextlib.AbstractContextManager[None]:
        return _translated(str(self._path), self._busy_timeout)

    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        # fetchall() runs each statement to completion, so no read lock outlives
        # the call and blocks another process's commit.
        with self._translated():
            rows: list[tuple[object, ...]] = self._conn.execute(sql, params).fetchall()
        return rows

    # --- settings ----------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        """The value stored for `key` (wallet name, DID, base URL...), or None.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
        """
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_setting(self, key: str, value: str) -> None:
        """Store `value` under `key`, replacing any previous value.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
            WalletError: the change could not be written.
        """
        with self._writing(), self._translated():
            self._conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # --- credentials -------------------------------------------------------------

    def add_credential(
        self,
        document: JSONObject,
        *,
        origin: str,
        verified: bool = True,
        roster_key: str | None = None,
        text: str | None = None,
    ) -> StoredCredential:
        """Store a credential under its ``id`` and return it as stored.

        Args:
            document: the credential.
            origin: ``"issued"`` or ``"imported"``.
            verified: False only for an import stored despite failing verification.
            roster_key: a caller's key for resumable roster issuance; unique.
            text: the exact JSON to keep (it must parse to `document`); by default
                `document` as indented UTF-8 JSON.

        Raises:
            ValueError: `origin` is unknown, or `text` does not parse to `document`.
            WalletError: the credential has no string ``id``, a credential with the
                same ``id`` or `roster_key` is already in the wallet, or the write failed.
            MalformedDocumentError: `document` cannot be stored as JSON laurel reads back.
            WalletBusyError: another process held the database past the busy timeout.
        """
        if origin not in _ORIGINS:
            raise ValueError(f"origin must be 'issued' or 'imported', not {origin!r}")
        credential_id = document.get("id")
        if not isinstance(credential_id, str) or not credential_id:
            raise WalletError(
                "the credential has no id; the wallet keeps credentials by their id",
                hint="Only credentials with an `id` can be stored in the wallet.",
            )
        text_given = text
        if text is None:
            try:
                text = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)
            except ValueError as exc:
                raise MalformedDocumentError(str(exc), code="invalid_json") from exc
        # Parse what will be stored, so that whatever goes in comes back out, and the
        # returned document is not an alias of the caller's mutable dict.
        parsed = parse_document(text)
        if parsed != document:
            raise ValueError(
                "the document does not survive a JSON round trip"
                if text_given is None
                else "text does not parse to the given document"
            )
        added_at = format_datetime_stamp(self._clock())
        fields = _summary(parsed)
        with self._writing():
            if self._query("SELECT 1 FROM credentials WHERE id = ?", (credential_id,)):
                raise WalletError(
                    f"credential {_shown(credential_id)} is already in the wallet",
                    hint="See it with `laurel list`; nothing was changed.",
                )
            if roster_key is not None and self._query(
                "SELECT 1 FROM credentials WHERE roster_key = ?", (roster_key,)
            ):
                raise WalletError(
                    f"roster entry {_shown(roster_key)} already has a credential",
                    hint="Nothing was changed; re-running a roster skips entries already issued.",
                )
            with self._translated():
                self._conn.execute(
                    "INSERT INTO credentials (id, text, origin, verified, added_at, name, "
                    "issuer, recipient, valid_from, roster_key) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        credential_id,
                        text,
                        origin,
                        int(bool(verified)),
                        added_at,
                        *fields,
                        roster_key,
                    ),
                )
        return StoredCredential(
            id=credential_id,
            document=parsed,
            text=text,
            origin=origin,
            verified=bool(verified),
            added_at=added_at,
            name=fields[0],
            issuer=fields[1],
            recipient=fields[2],
            valid_from=fields[3],
            anchored=False,
        )

    def get_credential(self, credential_id: str) -> StoredCredential:
        """The credential stored under `credential_id`.

        Raises:
            CredentialNotFoundError: there is none.
            WalletCorruptError: its stored JSON no longer parses.
            WalletBusyError: another process held the database past the busy timeout.
        """
        rows = self._query(f"SELECT {_COLUMNS} FROM credentials WHERE id = ?", (credential_id,))  # noqa: S608 (constant column list)
        if not rows:
            raise CredentialNotFoundError(f"no credential {_shown(credential_id)} in {self._path}")
        return self._row_to_credential(rows[0])

    def list_credentials(self) -> list[StoredCredential]:
        """Every stored credential, oldest first.

        Raises:
            WalletCorruptError: a stored JSON text no longer parses.
            WalletBusyError: another process held the database past the busy timeout.
        """
        rows = self._query(f"SELECT {_COLUMNS} FROM credentials ORDER BY seq")  # noqa: S608 (constant column list)
        return [self._row_to_credential(row) for row in rows]

    def delete_credential(self, credential_id: str) -> None:
        """Remove the credential stored under `credential_id` (its status index stays used).

        Raises:
            CredentialNotFoundError: there is none.
            WalletBusyError: another process held the database past the busy timeout.
            WalletError: the change could not be written, or the credential is in a
                pending anchor batch (whose root needs every one of its badges).
        """
        with self._writing(), self._translated():
            if any(credential_id in b.credential_ids for b in self.anchor_batches("pending")):
                raise WalletError(
                    f"{_shown(credential_id)} is in an anchor batch an interrupted "
                    "`laurel anchor` left pending",
                    hint="Run `laurel anchor` to finish the batch, then delete the badge.",
                )
            cursor = self._conn.execute("DELETE FROM credentials WHERE id = ?", (credential_id,))
            if cursor.rowcount == 0:
                raise CredentialNotFoundError(
                    f"no credential {_shown(credential_id)} in {self._path}"
                )

    def credential_for_roster_key(self, roster_key: str) -> StoredCredential | None:
        """The credential stored for `roster_key`, or None.

        Raises:
            WalletCorruptError: its stored JSON no longer parses.
            WalletBusyError: another process held the database past the busy timeout.
        """
        rows = self._query(
            f"SELECT {_COLUMNS} FROM credentials WHERE roster_key = ?",  # noqa: S608 (constant column list)
            (roster_key,),
        )
        return self._row_to_credential(rows[0]) if rows else None

    def count_credentials(self) -> int:
        """How many credentials the wallet holds.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
        """
        rows = self._query("SELECT count(*) FROM credentials")
        count = rows[0][0]
        assert isinstance(count, int)  # noqa: S101 (count(*) is an integer; narrows for mypy)
        return count

    def _row_to_credential(self, row: tuple[object, ...]) -> StoredCredential:
        credential_id, text, origin, verified, added_at, name, issuer, recipient, valid_from = row[
            :9
        ]
        anchored = row[9]
        if not (
            isinstance(credential_id, str)
            and isinstance(text, str)
            and isinstance(origin, str)
            and isinstance(added_at, str)
        ):
            raise WalletCorruptError(f"{self._path} holds a credential row of the wrong shape")
        try:
            document = parse_document(text)
        except MalformedDocumentError as exc:
            raise WalletCorruptError(
                f"credential {_shown(credential_id)} in {self._path} is not valid JSON: {exc}"
            ) from exc
        return StoredCredential(
            id=credential_id,
            document=document,
            text=text,
            origin=origin,
            verified=bool(verified),
            added_at=added_at,
            name=name if isinstance(name, str) else None,
            issuer=issuer if isinstance(issuer, str) else None,
            recipient=recipient if isinstance(recipient, str) else None,
            valid_from=valid_from if isinstance(valid_from, str) else None,
            anchored=bool(anchored),
        )

    # --- anchoring -----------------------------------------------------------------

    def unanchored_issued(self) -> list[StoredCredential]:
        """Credentials this wallet issued that are neither anchored nor in a pending batch.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
        """
        pending: set[str] = set()
        for batch in self.anchor_batches("pending"):
            pending.update(batch.credential_ids)
        rows = self._query(
            f"SELECT {_COLUMNS} FROM credentials WHERE origin = 'issued' AND anchored = 0 "  # noqa: S608 (constant column list)
            "ORDER BY seq"
        )
        return [c for c in map(self._row_to_credential, rows) if c.id not in pending]

    def add_anchor_batch(
        self, root: str, chain_id: int, contract: str, credential_ids: list[str]
    ) -> None:
        """Record a batch as pending, before its transaction is sent.

        Raises:
            WalletError: the batch is already recorded, or the write failed.
        """
        with self._writing(), self._translated():
            if self._query("SELECT 1 FROM anchor_batches WHERE root = ?", (root,)):
                raise WalletError(f"batch {root} is already recorded")
            self._conn.execute(
                "INSERT INTO anchor_batches (root, chain_id, contract, credential_ids, state, "
                "created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
                (
                    root,
                    chain_id,
                    contract,
                    json.dumps(credential_ids),
                    format_datetime_stamp(self._clock()),
                ),
            )

    def anchor_batches(self, state: str | None = None) -> list[AnchorBatchRow]:
        """The recorded batches (all, or those in `state`), oldest first.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
        """
        sql = (
            "SELECT root, chain_id, contract, credential_ids, state, tx, block FROM anchor_batches"
        )
        params: tuple[object, ...] = ()
        if state is not None:
            sql += " WHERE state = ?"
            params = (state,)
        rows = self._query(sql + " ORDER BY created_at, root", params)
        return [_anchor_batch_row(row) for row in rows]

    def anchor_batch_of(self, credential_id: str) -> AnchorBatchRow | None:
        """The anchored batch holding `credential_id`, or None.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
        """
        for batch in self.anchor_batches("anchored"):
            if credential_id in batch.credential_ids:
                return batch
        return None

    def complete_anchor_batch(
        self, root: str, *, tx: str, block: int, texts: dict[str, str]
    ) -> None:
        """Store each credential's anchored text and mark the batch anchored, atomically.

        `texts` maps credential id -> its JSON text with the anchor proof; a
        credential deleted meanwhile is skipped.

        Raises:
            WalletError: the batch is not pending, or the write failed.
        """
        with self._writing(), self._translated():
            rows = self._query("SELECT state FROM anchor_batches WHERE root = ?", (root,))
            if not rows or rows[0][0] != "pending":
                raise WalletError(f"batch {root} is not pending")
            for credential_id, text in texts.items():
                parse_document(text)
                self._conn.execute(
                    "UPDATE credentials SET text = ?, anchored = 1 WHERE id = ?",
                    (text, credential_id),
                )
            self._conn.execute(
                "UPDATE anchor_batches SET state = 'anchored', tx = ?, block = ? WHERE root = ?",
                (tx, block, root),
            )

    # --- status lists ------------------------------------------------------------

    def status_lists(self, purpose: str | None = None) -> list[StatusListRow]:
        """The status lists, all or those of one `purpose`, ordered by list id.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
        """
        sql = "SELECT list_id, purpose, url, entries, bits, signed_text FROM status_lists"
        params: tuple[object, ...] = ()
        if purpose is not None:
            sql += " WHERE purpose = ?"
            params = (purpose,)
        rows = self._query(sql + " ORDER BY list_id", params)
        return [_status_list_row(row) for row in rows]

    def status_list(self, list_id: str) -> StatusListRow | None:
        """The status list `list_id`, or None.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
        """
        rows = self._query(
            "SELECT list_id, purpose, url, entries, bits, signed_text FROM status_lists "
            "WHERE list_id = ?",
            (list_id,),
        )
        return _status_list_row(rows[0]) if rows else None

    def add_status_list(
        self, list_id: str, *, purpose: str, url: str, entries: int, bits: bytes
    ) -> None:
        """Store a new, not yet signed, status list.

        Raises:
            sqlite3.IntegrityError: the list id or the URL is taken.
            WalletError: the change could not be written.
        """
        with self._writing(), self._translated():
            self._conn.execute(
                "INSERT INTO status_lists (list_id, purpose, url, entries, bits, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (list_id, purpose, url, entries, bits, format_datetime_stamp(self._clock())),
            )

    def update_status_list(self, list_id: str, *, bits: bytes, signed_text: str) -> None:
        """Replace a status list's bits and its signed list credential (together).

        Raises:
            WalletError: the change could not be written.
        """
        with self._writing(), self._translated():
            self._conn.execute(
                "UPDATE status_lists SET bits = ?, signed_text = ?, updated_at = ? "
                "WHERE list_id = ?",
                (bits, signed_text, format_datetime_stamp(self._clock()), list_id),
            )

    def add_status_allocation(
        self, list_id: str, purpose: str, index: int, credential_id: str
    ) -> None:
        """Record that `index` of a list is `credential_id`'s; an index is never reused.

        Raises:
            sqlite3.IntegrityError: that index was allocated before (the primary key).
            WalletError: the change could not be written.
        """
        with self._writing(), self._translated():
            self._conn.execute(
                "INSERT INTO status_allocations (list_id, purpose, idx, credential_id) "
                "VALUES (?, ?, ?, ?)",
                (list_id, purpose, index, credential_id),
            )

    def status_allocation(self, credential_id: str, purpose: str) -> tuple[str, int] | None:
        """The (list id, index) allocated to a credential for `purpose`, or None.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
        """
        rows = self._query(
            "SELECT list_id, idx FROM status_allocations WHERE credential_id = ? AND purpose = ? "
            "ORDER BY list_id, idx LIMIT 1",
            (credential_id, purpose),
        )
        return (str(rows[0][0]), int(str(rows[0][1]))) if rows else None

    def status_index_used(self, list_id: str, purpose: str, index: int) -> bool:
        """Whether `index` of a list was ever allocated."""
        rows = self._query(
            "SELECT 1 FROM status_allocations WHERE list_id = ? AND purpose = ? AND idx = ?",
            (list_id, purpose, index),
        )
        return bool(rows)

    def status_indexes_used(self, list_id: str, purpose: str) -> set[int]:
        """Every index of a list ever allocated."""
        rows = self._query(
            "SELECT idx FROM status_allocations WHERE list_id = ? AND purpose = ?",
            (list_id, purpose),
        )
        return {int(str(row[0])) for row in rows}

    def count_status_allocations(self, list_id: str, purpose: str) -> int:
        """How many indexes of a list were allocated."""
        rows = self._query(
            "SELECT count(*) FROM status_allocations WHERE list_id = ? AND purpose = ?",
            (list_id, purpose),
        )
        return int(str(rows[0][0]))

    def credential_status(self, credential_id: str, purpose: str) -> tuple[bool, str | None]:
        """A credential's state for `purpose` (set or not) and the reason given, if any."""
        rows = self._query(
            "SELECT state, reason FROM credential_status WHERE credential_id = ? AND purpose = ?",
            (credential_id, purpose),
        )
        if not rows:
            return False, None
        reason = rows[0][1]
        return bool(rows[0][0]), (str(reason) if reason is not None else None)

    def set_credential_status(
        self, credential_id: str, purpose: str, state: bool, reason: str | None
    ) -> None:
        """Record a credential's state for `purpose` and why.

        Raises:
            WalletError: the change could not be written.
        """
        with self._writing(), self._translated():
            self._conn.execute(
                "INSERT INTO credential_status (credential_id, purpose, state, reason) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (credential_id, purpose) "
                "DO UPDATE SET state = excluded.state, reason = excluded.reason",
                (credential_id, purpose, int(state), reason),
            )

    # --- whole-file snapshots ----------------------------------------------------

    def snapshot(self) -> bytes:
        """A consistent copy of the whole database file, for a backup.

        Uses SQLite's online backup API into a private temporary file beside the
        database, so the copy is one committed state even while others write.

        Raises:
            RuntimeError: called inside :meth:`transaction` (it would copy uncommitted rows).
            WalletBusyError: another process held the database past the busy timeout.
            WalletError: the temporary copy could not be written.
        """
        if self._in_transaction:
            raise RuntimeError("take a snapshot outside a transaction")
        fd, name = _make_temp(self._path, ".snapshot")
        os.close(fd)
        temp = Path(name)
        try:
            with self._translated():
                target = sqlite3.connect(temp, isolation_level=None)
                try:
                    self._conn.backup(target)
                finally:
                    target.close()
            try:
                return temp.read_bytes()
            except OSError as exc:
                raise WalletError(f"cannot read the snapshot of {self._path}: {exc}") from exc
        finally:
            for leftover in (temp, _journal_path(temp)):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()

    @classmethod
    def restore_snapshot(
        cls, path: Path, data: bytes, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    ) -> None:
        """Replace the database at `path` by `data`, a :meth:`snapshot`, atomically.

        `data` is written to a temporary file and checked (a laurel database of a
        known schema version, ``PRAGMA quick_check`` ok) *before* anything at `path`
        changes; it then replaces `path` with ``os.replace`` and the folder is
        synced, so after a crash `path` is either the old file or the new one.
        A laurel process using the old file is waited for (up to `busy_timeout`).

        Raises:
            WalletCorruptError: `data` is not a valid laurel database; `path` is untouched.
            WalletBusyError: another process held the old database past `busy_timeout`.
            WalletError: the new file could not be written (disk full, read-only);
                `path` is untouched.
        """
        path = Path(path)
        label = f"the snapshot for {path}"
        fd, name = _make_temp(path, ".restore")
        temp = Path(name)
        try:
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise WalletError(
                    f"cannot write the restored copy of {path}: {exc.strerror}", hint=_WRITE_HINT
                ) from exc
            _check_header(temp, label)
            with _translated(label, busy_timeout):
                check = _connect(temp, busy_timeout, read_only=True)
                try:
                    _check_contents(check, label)
                finally:
                    check.close()
            with _locked_for_replacement(path, busy_timeout):
                try:
                    os.replace(temp, path)
                    _fsync_directory(path.parent)
                except OSError as exc:
                    raise WalletError(
                        f"cannot replace {path}: {exc.strerror}", hint=_WRITE_HINT
                    ) from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


# --- helpers -------------------------------------------------------------------------


def _connect(path: Path, busy_timeout: float, *, read_only: bool) -> sqlite3.Connection:
    # mode=rw / mode=ro: SQLite must never create the file (open never re-initialises).
    mode = "ro" if read_only else "rw"
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    connection = sqlite3.connect(uri, uri=True, timeout=busy_timeout, isolation_level=None)
    try:
        # DELETE: see the module docstring. FULL: fsync the journal and the database
        # on every commit, so a power cut never loses a committed badge.
        connection.execute("PRAGMA journal_mode = DELETE").fetchall()
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        # Deleted credentials (with recipients' identifiers) are zeroed, not left in
        # free pages where a snapshot or a stolen file would still carry them.
        connection.execute("PRAGMA secure_delete = ON")
    except BaseException:
        connection.close()
        raise
    return connection


def _check_header(path: Path, label: str) -> None:
    """Refuse a file that is not a laurel SQLite database before SQLite touches it."""
    try:
        with path.open("rb") as handle:
            header = handle.read(_HEADER_SIZE)
    except OSError as exc:
        raise WalletError(f"cannot read {label}: {exc.strerror}") from exc
    if len(header) < _HEADER_SIZE:
        raise WalletCorruptError(f"{label} is empty or truncated ({len(header)} bytes)")
    if not header.startswith(_SQLITE_MAGIC):
        raise WalletCorruptError(f"{label} is not a laurel wallet database")
    if int.from_bytes(header[68:72], "big") != _APPLICATION_ID:
        raise WalletCorruptError(f"{label} is an SQLite database but not a laurel wallet")


def _check_contents(connection: sqlite3.Connection, label: str) -> None:
    """Check integrity and schema inside one read transaction."""
    connection.execute("BEGIN")
    try:
        problems = [str(row[0]) for row in connection.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise WalletCorruptError(f"{label} is damaged: {'; '.join(problems[:3])}")
        tables = {
            str(row[0])
            for row in connection.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table'"
            ).fetchall()
        }
        if not _TABLES.issubset(tables):
            raise WalletCorruptError(f"{label} lacks the tables of a laurel wallet")
        rows = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        version = str(rows[0][0]) if rows else None
        if version != str(SCHEMA_VERSION):
            raise WalletCorruptError(
                f"{label} has schema version {version}, which this laurel does not know",
                hint="Upgrade laurel, or restore a backup made by this version.",
            )
    finally:
        if connection.in_transaction:
            connection.execute("COMMIT")


def _anchor_batch_row(row: tuple[object, ...]) -> AnchorBatchRow:
    root, chain_id, contract, ids, state, tx, block = row
    parsed = json.loads(str(ids))
    return AnchorBatchRow(
        root=str(root),
        chain_id=int(str(chain_id)),
        contract=str(contract),
        credential_ids=tuple(str(i) for i in parsed),
        state=str(state),
        tx=str(tx) if tx is not None else None,
        block=int(str(block)) if block is not None else None,
    )


def _status_list_row(row: tuple[object, ...]) -> StatusListRow:
    list_id, purpose, url, entries, bits, signed_text = row
    return StatusListRow(
        list_id=str(list_id),
        purpose=str(purpose),
        url=str(url),
        entries=int(str(entries)),
        bits=bytes(bits) if isinstance(bits, bytes | bytearray | memoryview) else b"",
        signed_text=str(signed_text) if signed_text is not None else None,
    )


def _add_status_tables(connection: sqlite3.Connection) -> None:
    """Create the status tables of a wallet made before them (no write when all are there)."""
    present = {
        str(row[0])
        for row in connection.execute(
            "SELECT name FROM sqlite_schema WHERE type IN ('table', 'index')"
        ).fetchall()
    }
    if _STATUS_OBJECTS.issubset(present):
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        for statement in _STATUS_SCHEMA:
            connection.execute(statement)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


@contextlib.contextmanager
def _translated(path: str, busy_timeout: float) -> Iterator[None]:
    """Turn SQLite's I/O and corruption errors into wallet errors naming `path`.

    Other sqlite3 errors (bad SQL, misuse) are bugs and pass through unchanged.
    """
    try:
        yield
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if not isinstance(code, int):
            raise
        primary = code & 0xFF
        error: WalletError
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            error = WalletBusyError(
                f"{path} is in use by another laurel process (waited {busy_timeout:g} s)"
            )
        elif primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            error = WalletCorruptError(f"{path} is damaged: {exc}")
        elif primary == _SQLITE_FULL:
            error = WalletError(f"the disk is full; cannot write {path}", hint=_WRITE_HINT)
        elif primary in (_SQLITE_READONLY, _SQLITE_PERM, _SQLITE_IOERR, _SQLITE_CANTOPEN):
            error = WalletError(f"cannot write {path}: {exc}", hint=_WRITE_HINT)
        else:
            raise
        raise error from exc


@contextlib.contextmanager
def _locked_for_replacement(path: Path, busy_timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on the database being replaced, if it is one.

    This waits for a laurel process still writing it and rolls back any journal
    a crashed process left, so no stale journal is replayed onto the new file.
    """
    if not path.exists():
        yield
        return
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw",
            uri=True,
            timeout=busy_timeout,
            isolation_level=None,
        )
    except sqlite3.Error:
        connection = None
    locked = False
    if connection is not None:
        try:
            with _translated(str(path), busy_timeout):
                connection.execute("BEGIN EXCLUSIVE")
                connection.execute("SELECT count(*) FROM sqlite_schema").fetchall()
            locked = True
        except WalletCorruptError:
            pass  # The old file is damaged: that is why it is being replaced.
        except BaseException:
            connection.close()
            raise
    try:
        if not locked:
            # Its journal could not be rolled back; replayed onto the new file it
            # would corrupt it, and it belongs to the file being thrown away.
            with contextlib.suppress(FileNotFoundError):
                _journal_path(path).unlink()
        yield
    finally:
        if connection is not None:
            with contextlib.suppress(sqlite3.Error):
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
            connection.close()


def _make_temp(path: Path, suffix: str) -> tuple[int, str]:
    try:
        # mkstemp creates the file 0600, in the database's folder so os.replace is atomic.
        return tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise WalletError(
            f"cannot write a temporary file beside {path}: {exc.strerror}", hint=_WRITE_HINT
        ) from exc


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _journal_path(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def _shown(value: str) -> str:
    """A user-supplied id, quoted and cut short for a message."""
    return repr(value if len(value) <= 120 else value[:117] + "...")


def _text(value: JSONValue | None) -> str | None:
    """A plain string, or a JSON-LD value object's string, else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        inner = value.get("@value")
        if isinstance(inner, str):
            return inner
    return None


def _first_object(value: JSONValue | None) -> dict[str, JSONValue] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return None


def _summary(document: JSONObject) -> tuple[str | None, str | None, str | None, str | None]:
    """(name, issuer, recipient, valid_from) for `laurel list`; None where absent or odd."""
    subject = _first_object(document.get("credentialSubject"))
    name = _text(document.get("name"))
    if name is None and subject is not None:
        achievement = _first_object(subject.get("achievement"))
        if achievement is not None:
            name = _text(achievement.get("name"))
    issuer_value = document.get("issuer")
    issuer = issuer_value if isinstance(issuer_value, str) else None
    if isinstance(issuer_value, dict):
        issuer = _text(issuer_value.get("id"))
    recipient = None
    if subject is not None:
        recipient = _text(subject.get("id"))
        if recipient is None:
            # OB 3.0 "IdentityObject": a (usually hashed) email or other identifier.
            identifiers = subject.get("identifier")
            candidates = identifiers if isinstance(identifiers, list) else [identifiers]
            for candidate in candidates:
                if isinstance(candidate, dict):
                    recipient = _text(candidate.get("identityHash"))
                    if recipient is not None:
                        break
    # VC 1.1 credentials (older OB 3.0 badges) carry issuanceDate instead.
    valid_from = _text(document.get("validFrom")) or _text(document.get("issuanceDate"))
    return name, issuer, recipient, valid_from
