"""The status list documents beside Bitstring Status List JSON: VC-JWT lists, StatusList2021.

Kept apart from :mod:`verifier.status_lists` (fetching, verifying, caching) so that the
list formats of issue #13 read as one module:

- a list published as a VC-JWT (openbadgeslib publishes only those): the JWT's
  signature by the list issuer's key stands for the Data Integrity proof;
- a ``StatusList2021Credential`` (W3C CCG StatusList2021, DCC's issuers): read by
  :mod:`vc.status2021`, its dates ``issuanceDate``/``expirationDate``.
"""

from __future__ import annotations

import datetime as dt

from vc.did import DidResolver
from vc.errors import LaurelError
from vc.jsontext import parse_document
from vc.status import StatusList, read_list_credential
from vc.status2021 import read_status_list_2021_credential
from vc.types import JSONObject, JSONValue

__all__ = ["STATUS_LIST_2021", "UnreadableList", "list_dates", "list_document", "read_any_list"]

STATUS_LIST_2021 = "StatusList2021Credential"


class UnreadableList(LaurelError):
    """A fetched list laurel cannot use: why, and the failed check ids when it verified a JWT."""

    def __init__(self, why: str, checks: tuple[str, ...] = ()) -> None:
        super().__init__(why)
        self.checks = checks


def _types(value: JSONValue) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [t for t in items if isinstance(t, str)]


def list_document(
    body: bytes, *, resolver: DidResolver, now: dt.datetime
) -> tuple[JSONObject, bool]:
    """A fetched list's credential, and whether its proof is already verified (a VC-JWT).

    Raises:
        UnreadableList: neither JSON nor a VC-JWT status list that verifies.
    """
    try:
        return parse_document(body), False
    except LaurelError as exc:
        text = body.strip()
        if not (text[:2] == b"ey" and text.count(b".") == 2 and b"{" not in text):
            raise UnreadableList(f"it is not a readable document: {exc.message}") from exc
    from vc.formats.jwt import verify_status_list_jwt

    result = verify_status_list_jwt(text, resolver=resolver, now=now)
    failed = result.failures()
    if failed or result.credential is None:
        first = next((c for c in result.checks if c.id in failed), None)
        why = f"{first.message} ({first.id})" if first else "the JWT carries no list"
        raise UnreadableList(why, failed)
    return result.credential, True


def read_any_list(document: JSONObject) -> StatusList:
    """The list of a Bitstring Status List or a StatusList2021 credential (structure checked).

    Raises:
        vc.status.StatusListError: as :func:`vc.status.read_list_credential`.
    """
    if STATUS_LIST_2021 in _types(document.get("type")):
        return read_status_list_2021_credential(document)
    return read_list_credential(document)


def list_dates(document: JSONObject) -> tuple[str | None, str | None]:
    """A list credential's validity: ``validFrom``/``validUntil``, or a VC 1.1 list's dates."""
    start = document.get("validFrom", document.get("issuanceDate"))
    end = document.get("validUntil", document.get("expirationDate"))
    return (
        start if isinstance(start, str) else None,
        end if isinstance(end, str) else None,
    )
