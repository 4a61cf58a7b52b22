"""The store's status lists, their index allocations and credentials' states (see wallet.status)."""

from __future__ import annotations

from dataclasses import dataclass

from vc.timestamps import format_datetime_stamp
from wallet.store._core import StoreCore


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


class StatusLists(StoreCore):
    """The status_lists, status_allocations and credential_status tables (see :class:`Store`)."""

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
