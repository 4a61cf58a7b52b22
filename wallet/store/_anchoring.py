"""The store's record of anchor batches: Merkle batches sent to a chain (see wallet.ledger)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from vc.jsontext import parse_document
from vc.timestamps import format_datetime_stamp
from wallet.errors import WalletError
from wallet.store._core import StoreCore


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


class AnchorBatches(StoreCore):
    """The anchor_batches table (see :class:`Store`)."""

    # --- anchoring -----------------------------------------------------------------

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
