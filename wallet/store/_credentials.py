"""The store's credentials: each kept as its exact JSON text, with a summary for listing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document
from vc.timestamps import format_datetime_stamp
from vc.types import JSONObject, JSONValue
from wallet.errors import CredentialNotFoundError, WalletCorruptError, WalletError
from wallet.store._anchoring import AnchorBatches

_ORIGINS: Final = frozenset({"issued", "imported"})


_COLUMNS: Final = (
    "id, text, origin, verified, added_at, name, issuer, recipient, valid_from, anchored"
)


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


class Credentials(AnchorBatches):
    """The credentials table (see :class:`Store`); deleting one consults the anchor batches."""

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
            # A VC-JWT's or OB 2.0 badge's original goes with it (store._originals).
            self._conn.execute(
                "DELETE FROM credential_originals WHERE credential_id = ?", (credential_id,)
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

    def unanchored_issued(self) -> list[StoredCredential]:
        """Credentials this wallet issued that are neither anchored nor in a pending batch.

        VC-JWT badges are left out: an anchor is a Data Integrity proof.

        Raises:
            WalletBusyError: another process held the database past the busy timeout.
        """
        pending: set[str] = set()
        for batch in self.anchor_batches("pending"):
            pending.update(batch.credential_ids)
        # A VC-JWT carries no Data Integrity proof set for an anchor proof to join.
        rows = self._query(
            f"SELECT {_COLUMNS} FROM credentials WHERE origin = 'issued' AND anchored = 0 "  # noqa: S608 (constant column list)
            "AND id NOT IN (SELECT credential_id FROM credential_originals) ORDER BY seq"
        )
        return [c for c in map(self._row_to_credential, rows) if c.id not in pending]


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
