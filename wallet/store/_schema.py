"""The wallet database's layout: its tables, checking a file holds them, adding new ones."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

from wallet.errors import WalletCorruptError, WalletError

#: The version of the database layout this module reads and writes.
SCHEMA_VERSION: Final = 1


# "LARL" in the SQLite header's application_id field: `file(1)` and laurel can
# tell a laurel wallet from any other SQLite database without running SQL on it.
_APPLICATION_ID: Final = 0x4C41524C
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_HEADER_SIZE: Final = 100
_PAGE_SIZE: Final = 16384


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
    # The names an issuer's rosters gave its badges' recipients (a badge carries an
    # email only as a salted hash, and no name): for searching and for confirmations.
    # No foreign key, like status_allocations: rows are written in the badge's transaction.
    """
    CREATE TABLE IF NOT EXISTS recipient_names (
        credential_id TEXT PRIMARY KEY,
        name          TEXT NOT NULL
    )
    """,
    # Badges brought in as something other than Data Integrity JSON (a VC-JWT, an Open
    # Badges 2.0 assertion): the format and the exact text that was verified (the JWT
    # or JWS, or the hosted assertion as fetched), while `credentials` keeps the
    # credential it carries. Written in the badge's transaction.
    """
    CREATE TABLE IF NOT EXISTS credential_originals (
        credential_id TEXT PRIMARY KEY,
        format        TEXT NOT NULL,
        original      TEXT NOT NULL,
        hosts         TEXT
    )
    """,
)
_STATUS_OBJECTS: Final = frozenset(
    {
        "status_lists",
        "credential_status",
        "status_allocations_credential",
        "anchor_batches",
        "recipient_names",
        "credential_originals",
    }
)


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
