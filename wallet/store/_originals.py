"""Badges kept in another format than Data Integrity JSON: the signed original and its format.

A VC-JWT's signature covers the JWT, and an Open Badges 2.0 signed assertion's the
JWS: the credential JSON alone would no longer verify. The wallet keeps, beside the
credential (for listing, searching and display), the exact text that was verified and
its format, and gives that text back on export and in presentations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from wallet.store._core import StoreCore

#: Formats a badge may be kept in besides Data Integrity JSON ("data-integrity").
ORIGINAL_FORMATS: Final = frozenset({"vc-jwt", "ob2-hosted", "ob2-signed"})


@dataclass(frozen=True, slots=True)
class Original:
    """The text a badge was verified as, its format, and the hosts it depends on."""

    format: str
    text: str
    hosts: tuple[str, ...] = ()


class Originals(StoreCore):
    """The credential_originals table (see :class:`wallet.store.Store`)."""

    def set_original(
        self, credential_id: str, fmt: str, text: str, hosts: tuple[str, ...] = ()
    ) -> None:
        """Record the original of a stored badge (in the caller's transaction, if any).

        Raises:
            ValueError: `fmt` is not one of :data:`ORIGINAL_FORMATS`.
            WalletBusyError: another process held the database past the busy timeout.
        """
        if fmt not in ORIGINAL_FORMATS:
            raise ValueError(f"format must be one of {sorted(ORIGINAL_FORMATS)}, not {fmt!r}")
        with self._writing(), self._translated():
            self._conn.execute(
                "INSERT OR REPLACE INTO credential_originals "
                "(credential_id, format, original, hosts) VALUES (?, ?, ?, ?)",
                (credential_id, fmt, text, json.dumps(list(hosts)) if hosts else None),
            )

    def original_of(self, credential_id: str) -> Original | None:
        """The original of a badge kept in another format, or None (Data Integrity JSON)."""
        rows = self._query(
            "SELECT format, original, hosts FROM credential_originals WHERE credential_id = ?",
            (credential_id,),
        )
        if not rows:
            return None
        fmt, text, hosts = rows[0]
        hosts_list = json.loads(hosts) if isinstance(hosts, str) else []
        return Original(str(fmt), str(text), tuple(h for h in hosts_list if isinstance(h, str)))

    def credential_formats(self) -> dict[str, str]:
        """Every badge kept in another format: credential id -> format."""
        rows = self._query("SELECT credential_id, format FROM credential_originals")
        return {str(cid): str(fmt) for cid, fmt in rows}

    def _forget_original(self, credential_id: str) -> None:
        with self._translated():
            self._conn.execute(
                "DELETE FROM credential_originals WHERE credential_id = ?", (credential_id,)
            )
