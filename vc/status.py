"""W3C Bitstring Status List v1.0: status entries and list credentials, read and written.

The list's bits and their compressed encoding (`Bitstring`) live in
:mod:`vc._status_bitstring`, the error (`StatusListError`) in :mod:`vc._status_errors`;
both are imported from here. Pure functions and values, no I/O: fetching the list
credential and verifying its proof belong to the verifier. Errors carry the
specification's error name (`StatusListError.error`) and a laurel check reason
(`StatusListError.reason`).

>>> bits = Bitstring.new()
>>> bits.set(94567, 1)
>>> again = Bitstring.decode(bits.encode())
>>> again.get(94567), again.get(94566), again.entries
(1, 0, 131072)
>>> entry = parse_status_entry(
...     status_entry(list_url="https://example.com/status/3", index=94567, purpose="revocation")
... )
>>> entry.index, entry.purpose, entry.status_size
(94567, 'revocation', 1)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeGuard

from vc._status_bitstring import MAX_INFLATED_BYTES, MAX_STATUS_SIZE, MIN_ENTRIES, Bitstring
from vc._status_errors import StatusListError, _list_invalid, _malformed
from vc.types import JSONObject, JSONValue

__all__ = [
    "MAX_INFLATED_BYTES",
    "MAX_STATUS_SIZE",
    "MIN_ENTRIES",
    "STATUS_LIST_CONTEXT_TYPES",
    "Bitstring",
    "StatusEntry",
    "StatusList",
    "StatusListError",
    "build_list_credential",
    "parse_status_entry",
    "read_list_credential",
    "status_entry",
]


_CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
_STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"
_STATUS_TYPES = frozenset(
    {"BitstringStatusListCredential", "BitstringStatusList", "BitstringStatusListEntry"}
)
STATUS_LIST_CONTEXT_TYPES: Mapping[str, frozenset[str]] = MappingProxyType(
    {_CREDENTIALS_V2: _STATUS_TYPES, _STATUS_V1: _STATUS_TYPES}
)
"""The contexts that define the BitstringStatusList* terms (VC v2 already does)."""

# At most 12 digits: an index never needs more, and int() of a huge string is slow.
_INDEX_RE = re.compile(r"0|[1-9][0-9]{0,11}")
_URL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+")


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """A parsed BitstringStatusListEntry."""

    list_url: str
    index: int
    purpose: str
    status_size: int


def _types(value: JSONValue | None) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(t, str) for t in value):
        return [t for t in value if isinstance(t, str)]
    return None


def _is_url(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and _URL_RE.fullmatch(value) is not None


def parse_status_entry(entry: object) -> StatusEntry:
    """Parse and check one `credentialStatus` entry of type BitstringStatusListEntry.

    Raises:
        StatusListError: MALFORMED_VALUE_ERROR (reason ``malformed``) on any violation.
    """
    if not isinstance(entry, dict):
        raise _malformed("a status entry must be a JSON object")
    types = _types(entry.get("type"))
    if types is None or "BitstringStatusListEntry" not in types:
        raise _malformed("the status entry's type must include BitstringStatusListEntry")
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise _malformed("the status entry's statusPurpose must be a non-empty string")
    index = entry.get("statusListIndex")
    # Bitstring Status List, "BitstringStatusListEntry": statusListIndex is a string
    # of a non-negative decimal integer. Check the text before int(): never int("9"*5000).
    if not isinstance(index, str) or _INDEX_RE.fullmatch(index) is None:
        raise _malformed(
            "statusListIndex must be a string of decimal digits (at most 12, no leading zeros)"
        )
    list_url = entry.get("statusListCredential")
    if not _is_url(list_url):
        raise _malformed("statusListCredential must be a URL")
    if "id" in entry:
        entry_id = entry["id"]
        if not isinstance(entry_id, str) or not entry_id:
            raise _malformed("the status entry's id must be a non-empty string")
        if entry_id == list_url:
            raise _malformed("the status entry's id must not be the status list's URL")
    status_size = entry.get("statusSize", 1)
    if (
        isinstance(status_size, bool)
        or not isinstance(status_size, int)
        or not 1 <= status_size <= MAX_STATUS_SIZE
    ):
        raise _malformed(f"statusSize must be an integer 1..{MAX_STATUS_SIZE}")
    return StatusEntry(
        list_url=list_url, index=int(index), purpose=purpose, status_size=status_size
    )


def status_entry(*, list_url: str, index: int, purpose: str) -> JSONObject:
    """A BitstringStatusListEntry pointing at entry `index` of the list at `list_url`.

    Raises:
        ValueError: `index` is negative or `purpose` is empty.
    """
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError("index must be an int")
    if index < 0:
        raise ValueError("index must not be negative")
    if not purpose:
        raise ValueError("purpose must not be empty")
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def build_list_credential(
    *,
    list_url: str,
    issuer: str | JSONObject,
    purpose: str,
    bitstring: Bitstring,
    valid_from: str,
    ttl_ms: int | None = 300_000,
    valid_until: str | None = None,
) -> JSONObject:
    """An unsigned BitstringStatusListCredential publishing `bitstring` at `list_url`.

    Raises:
        ValueError: `purpose` is empty or `ttl_ms` is negative.
    """
    if not purpose:
        raise ValueError("purpose must not be empty")
    if ttl_ms is not None and ttl_ms < 0:
        raise ValueError("ttl_ms must not be negative")
    subject: JSONObject = {
        "id": f"{list_url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": bitstring.encode(),
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    credential: JSONObject = {
        "@context": [_CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
    }
    if valid_until is not None:
        credential["validUntil"] = valid_until
    credential["credentialSubject"] = subject
    return credential


@dataclass(frozen=True, slots=True)
class StatusList:
    """A BitstringStatusListCredential's content, structure-checked and decoded."""

    url: str
    purposes: tuple[str, ...]
    bitstring: Bitstring
    ttl_ms: int | None
    valid_from: str | None
    valid_until: str | None
    issuer: str | None


def _optional_str(credential: JSONObject, key: str) -> str | None:
    value = credential.get(key)
    if value is None and key not in credential:
        return None
    if not isinstance(value, str):
        raise _list_invalid(f"the status list credential's {key} must be a string")
    return value


def read_list_credential(credential: object, *, status_size: int = 1) -> StatusList:
    """Check the structure of a BitstringStatusListCredential and decode its list.

    The proof is not verified here (the verifier does that).

    Raises:
        StatusListError: STATUS_VERIFICATION_ERROR (reason ``list_invalid``) for a
            malformed credential; the errors of `Bitstring.decode` for its list.
    """
    if not isinstance(credential, dict):
        raise _list_invalid("the status list credential must be a JSON object")
    context = credential.get("@context")
    contexts = [context] if isinstance(context, str) else context
    if not isinstance(contexts, list) or not any(
        isinstance(c, str) and c in STATUS_LIST_CONTEXT_TYPES for c in contexts
    ):
        raise _list_invalid(f"the status list credential's @context must include {_CREDENTIALS_V2}")
    types = _types(credential.get("type"))
    if types is None or not {"VerifiableCredential", "BitstringStatusListCredential"} <= set(types):
        raise _list_invalid(
            "the status list credential's type must include BitstringStatusListCredential"
        )
    url = credential.get("id")
    if not _is_url(url):
        raise _list_invalid("the status list credential's id must be a URL")
    issuer_value = credential.get("issuer")
    issuer = issuer_value.get("id") if isinstance(issuer_value, dict) else issuer_value
    if not isinstance(issuer, str) or not issuer:
        raise _list_invalid("the status list credential has no issuer id")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        raise _list_invalid("the status list credential's credentialSubject must be an object")
    subject_types = _types(subject.get("type"))
    if subject_types is None or "BitstringStatusList" not in subject_types:
        raise _list_invalid("the credentialSubject's type must include BitstringStatusList")
    purpose = subject.get("statusPurpose")
    raw_purposes = [purpose] if isinstance(purpose, str) else purpose
    if (
        not isinstance(raw_purposes, list)
        or not raw_purposes
        or not all(isinstance(p, str) and p for p in raw_purposes)
    ):
        raise _list_invalid("the list's statusPurpose must be a string or a list of strings")
    purposes = tuple(p for p in raw_purposes if isinstance(p, str))
    ttl = subject.get("ttl")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0):
        raise _list_invalid("the list's ttl must be a non-negative integer of milliseconds")
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise _list_invalid("the list's encodedList must be a string")
    return StatusList(
        url=url,
        purposes=purposes,
        bitstring=Bitstring.decode(encoded, status_size=status_size),
        ttl_ms=ttl,
        valid_from=_optional_str(credential, "validFrom"),
        valid_until=_optional_str(credential, "validUntil"),
        issuer=issuer,
    )
