"""StatusList2021 (W3C CCG draft), the predecessor of Bitstring Status List still in use.

DCC's issuers and many VC 1.1-era badges publish ``StatusList2021Credential``s and point
at them with ``StatusList2021Entry``. The list is the same GZIP bitstring as Bitstring
Status List's (one bit per credential, index 0 the left-most bit of byte 0, at least
131,072 entries), but ``encodedList`` is plain base64url, without the multibase ``u``,
and the credential uses the VC 1.1 context with ``https://w3id.org/vc/status-list/2021/v1``.

    >>> from vc.status import Bitstring
    >>> bits = Bitstring.new(); bits.set(42, 1)
    >>> entry = parse_status_list_2021_entry({"id": "https://s.example/1#42",
    ...     "type": "StatusList2021Entry", "statusPurpose": "revocation",
    ...     "statusListIndex": "42", "statusListCredential": "https://s.example/1"})
    >>> entry.index
    42

Fetching the list and verifying its proof are the verifier's job, as for
:mod:`vc.status`; the errors are the same :class:`vc.status.StatusListError`.
"""

from __future__ import annotations

import base64
import binascii

from vc.status import (
    MAX_INFLATED_BYTES,
    Bitstring,
    StatusEntry,
    StatusList,
    StatusListError,
    parse_status_entry,
)
from vc.types import JSONObject, JSONValue

__all__ = [
    "STATUS_LIST_2021_CONTEXT",
    "parse_status_list_2021_entry",
    "read_status_list_2021_credential",
]

STATUS_LIST_2021_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"
_PURPOSES = frozenset({"revocation", "suspension"})


def _types(value: JSONValue | None) -> set[str]:
    if isinstance(value, str):
        return {value}
    return {t for t in value if isinstance(t, str)} if isinstance(value, list) else set()


def _invalid(message: str) -> StatusListError:
    return StatusListError(message, error="STATUS_VERIFICATION_ERROR", reason="list_invalid")


def parse_status_list_2021_entry(entry: object) -> StatusEntry:
    """Parse one ``StatusList2021Entry`` (single-bit: revocation or suspension).

    Raises:
        StatusListError: MALFORMED_VALUE_ERROR (reason ``malformed``) on any violation.
    """
    if not isinstance(entry, dict) or "StatusList2021Entry" not in _types(entry.get("type")):
        raise StatusListError(
            "the status entry's type must include StatusList2021Entry",
            error="MALFORMED_VALUE_ERROR",
            reason="malformed",
        )
    if entry.get("statusPurpose") not in _PURPOSES:
        raise StatusListError(
            "a StatusList2021Entry's statusPurpose is revocation or suspension",
            error="MALFORMED_VALUE_ERROR",
            reason="malformed",
        )
    # The entry's members are those of a BitstringStatusListEntry (single-bit).
    as_bitstring = {**entry, "type": "BitstringStatusListEntry"}
    as_bitstring.pop("statusSize", None)
    return parse_status_entry(as_bitstring)


def _decode(encoded: object) -> Bitstring:
    if not isinstance(encoded, str) or len(encoded) > 2 * MAX_INFLATED_BYTES:
        raise StatusListError(
            "encodedList must be a base64url string",
            error="MALFORMED_VALUE_ERROR",
            reason="malformed",
        )
    stripped = encoded.rstrip("=")
    try:
        compressed = base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError) as exc:
        raise StatusListError(
            "encodedList is not base64url", error="MALFORMED_VALUE_ERROR", reason="malformed"
        ) from exc
    return Bitstring.from_compressed(compressed)


def read_status_list_2021_credential(credential: JSONObject) -> StatusList:
    """Check the structure of a ``StatusList2021Credential`` and decode its list.

    The proof is not verified here (the verifier does that). ``validFrom`` and
    ``validUntil`` of the result hold ``issuanceDate`` and ``expirationDate``.

    Raises:
        StatusListError: STATUS_VERIFICATION_ERROR (reason ``list_invalid``) for a
            malformed credential; the decoding errors of :class:`vc.status.Bitstring`.
    """
    if not isinstance(credential, dict):
        raise _invalid("the status list credential must be a JSON object")
    if STATUS_LIST_2021_CONTEXT not in _types(credential.get("@context")):
        raise _invalid(
            f"a StatusList2021Credential's @context must include {STATUS_LIST_2021_CONTEXT}"
        )
    if not {"VerifiableCredential", "StatusList2021Credential"} <= _types(credential.get("type")):
        raise _invalid("the credential's type must include StatusList2021Credential")
    url = credential.get("id")
    issuer_value = credential.get("issuer")
    issuer = issuer_value.get("id") if isinstance(issuer_value, dict) else issuer_value
    subject = credential.get("credentialSubject")
    if not isinstance(url, str) or not isinstance(issuer, str) or not isinstance(subject, dict):
        raise _invalid("the status list credential needs an id, an issuer and a subject")
    if "StatusList2021" not in _types(subject.get("type")):
        raise _invalid("the credentialSubject's type must be StatusList2021")
    purpose = subject.get("statusPurpose")
    if purpose not in _PURPOSES:
        raise _invalid("the list's statusPurpose is revocation or suspension")
    dates = {
        name: credential.get(name)
        for name in ("issuanceDate", "expirationDate", "validFrom", "validUntil")
    }
    start = dates["validFrom"] or dates["issuanceDate"]
    end = dates["validUntil"] or dates["expirationDate"]
    return StatusList(
        url=url,
        purposes=(str(purpose),),
        bitstring=_decode(subject.get("encodedList")),
        ttl_ms=None,
        valid_from=start if isinstance(start, str) else None,
        valid_until=end if isinstance(end, str) else None,
        issuer=issuer,
    )
