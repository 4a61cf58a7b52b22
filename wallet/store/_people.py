"""Finding badges as people name them: short ids, recipients' names, email addresses.

A badge id is ``urn:uuid:cc6e7a10-…``: nobody types it whole. Any unique prefix
works, with or without ``urn:uuid:`` (``cc6e7a``); an ambiguous one is refused with
the candidates named. An issuer keeps the names its rosters gave (the badges do not
carry them), so it can search by name; an email address is found by hashing it with
each badge's salt (OB 3.0 ``IdentityObject``), never stored in clear.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Final

from wallet.errors import CredentialNotFoundError, WalletError
from wallet.store._credentials import _COLUMNS, Credentials, StoredCredential

__all__ = ["AmbiguousIdError", "People", "short_id"]

#: The shortest prefix accepted (shorter ones match too much to mean anything).
MIN_PREFIX: Final = 4
_UUID_URN: Final = "urn:uuid:"
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class AmbiguousIdError(WalletError):
    """A short id that more than one badge starts with."""

    hint = "Give more of the id (see `laurel list`)."


def short_id(credential_id: str, length: int = 8) -> str:
    """The id as `laurel list` shows it: a UUID's first `length` hex digits, else the id.

    >>> short_id("urn:uuid:cc6e7a10-4f1b-4d59-9a57-1c0f4b3a9e10")
    'cc6e7a10'
    >>> short_id("https://example.org/badges/42")
    'https://example.org/badges/42'
    """
    if credential_id.startswith(_UUID_URN):
        return credential_id[len(_UUID_URN) : len(_UUID_URN) + length]
    return credential_id


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class People(Credentials):
    """Recipients' names and finding badges (see :class:`Store`)."""

    def resolve_id(self, given: str) -> str:
        """The full id of the one badge `given` names: its id, or a unique prefix of it.

        A prefix may leave out ``urn:uuid:``; it needs :data:`MIN_PREFIX` characters.

        Raises:
            CredentialNotFoundError: no badge has that id or prefix.
            AmbiguousIdError: several do (they are named in the message).
        """
        given = given.strip()
        if self._query("SELECT 1 FROM credentials WHERE id = ?", (given,)):
            return given
        if len(given.removeprefix(_UUID_URN)) < MIN_PREFIX:
            raise CredentialNotFoundError(
                f"no badge {given!r} in {self._path}",
                hint=f"Give the id, or at least its first {MIN_PREFIX} characters (`laurel list`).",
            )
        patterns = [_like(given) + "%"]
        if not given.startswith(_UUID_URN):
            patterns.append(_like(_UUID_URN + given) + "%")
        found: list[str] = []
        for pattern in patterns:
            rows = self._query(
                "SELECT id FROM credentials WHERE id LIKE ? ESCAPE '\\' ORDER BY seq LIMIT 6",
                (pattern,),
            )
            found.extend(str(row[0]) for row in rows if str(row[0]) not in found)
        if not found:
            raise CredentialNotFoundError(f"no badge starts with {given!r} in {self._path}")
        if len(found) > 1:
            shown = ", ".join(short_id(i, 12) for i in found[:5])
            raise AmbiguousIdError(f"{given!r} is the start of several badges: {shown}…")
        return found[0]

    def set_recipient_name(self, credential_id: str, name: str) -> None:
        """Remember the name an issuer gave a badge's recipient (a roster's name column).

        Raises:
            WalletError: the change could not be written.
        """
        name = " ".join(name.split())
        if not name:
            return
        with self._writing(), self._translated():
            self._conn.execute(
                "INSERT INTO recipient_names (credential_id, name) VALUES (?, ?) "
                "ON CONFLICT (credential_id) DO UPDATE SET name = excluded.name",
                (credential_id, name),
            )

    def recipient_name(self, credential_id: str) -> str | None:
        """The recipient's name the issuer gave, if any."""
        rows = self._query(
            "SELECT name FROM recipient_names WHERE credential_id = ?", (credential_id,)
        )
        return str(rows[0][0]) if rows else None

    def recipient_names(self) -> dict[str, str]:
        """Every recorded recipient name, by credential id."""
        rows = self._query("SELECT credential_id, name FROM recipient_names")
        return {str(row[0]): str(row[1]) for row in rows}

    def search_credentials(self, query: str, *, limit: int = 200) -> list[StoredCredential]:
        """Badges whose id, badge name or recipient's name holds `query`, or issued to that email.

        Case-insensitive; oldest first; at most `limit`.
        """
        query = query.strip()
        if not query:
            return self.list_credentials()[:limit]
        if _EMAIL.fullmatch(query):
            return self._by_email(query.lower(), limit)
        pattern = "%" + _like(query) + "%"
        rows = self._query(
            f"SELECT {_COLUMNS} FROM credentials "  # noqa: S608 (a constant column list)
            "WHERE id LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR recipient LIKE ? ESCAPE '\\' "
            "OR id IN (SELECT credential_id FROM recipient_names WHERE name LIKE ? ESCAPE '\\') "
            "ORDER BY seq LIMIT ?",
            (pattern, pattern, pattern, pattern, limit),
        )
        return [self._row_to_credential(row) for row in rows]

    def _by_email(self, email: str, limit: int) -> list[StoredCredential]:
        # OB 3.0 IdentityObject: identityHash = "sha256$" + hex(SHA-256(identity || salt)).
        rows = self._query(
            f"SELECT {_COLUMNS} FROM credentials WHERE recipient LIKE 'sha256$%' ORDER BY seq"  # noqa: S608
        )
        found: list[StoredCredential] = []
        for row in rows:
            text = row[1]
            try:
                document = json.loads(text) if isinstance(text, str) else None
            except ValueError:
                continue
            if _issued_to(document, email):
                found.append(self._row_to_credential(row))
                if len(found) >= limit:
                    break
        return found


def _issued_to(document: object, email: str) -> bool:
    if not isinstance(document, dict):
        return False
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    identifiers = subject.get("identifier") if isinstance(subject, dict) else None
    for identity in identifiers if isinstance(identifiers, list) else [identifiers]:
        if not isinstance(identity, dict) or identity.get("identityType") != "emailAddress":
            continue
        salt, hashed = identity.get("salt", ""), identity.get("identityHash")
        if not isinstance(salt, str) or not isinstance(hashed, str):
            continue
        digest = hashlib.sha256((email + salt).encode("utf-8")).hexdigest()
        if hashed.lower() == f"sha256${digest}":
            return True
    return False
