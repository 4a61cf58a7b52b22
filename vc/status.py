"""W3C Bitstring Status List v1.0: entries, lists and their compressed encoding.

Pure functions and values, no I/O: fetching the list credential and verifying its
proof belong to the verifier. Errors carry the specification's error name
(`StatusListError.error`) and a laurel check reason (`StatusListError.reason`).

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

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeGuard

from vc.errors import LaurelError
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

# Bitstring Status List, "Bitstring Generation Algorithm": at least 131,072 entries
# so that one credential hides among many (herd privacy).
MIN_ENTRIES = 131_072
# A hard cap on the inflated list: a gzip bomb stops here, not at the end of memory.
MAX_INFLATED_BYTES = 16 * 1024 * 1024
MAX_STATUS_SIZE = 8

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
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*")
_URL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+")
# A gzip of at most MAX_INFLATED_BYTES never needs much more room than that, base64-encoded.
_MAX_ENCODED_CHARS = 2 * MAX_INFLATED_BYTES

_REASONS = {
    "STATUS_LIST_LENGTH_ERROR": "list_too_short",
    "RANGE_ERROR": "range",
    "MALFORMED_VALUE_ERROR": "malformed",
    "STATUS_VERIFICATION_ERROR": "list_invalid",
}


class StatusListError(LaurelError):
    """A status entry or status list violates Bitstring Status List v1.0.

    `error` is the specification's error name (``STATUS_LIST_LENGTH_ERROR``,
    ``RANGE_ERROR``, ``MALFORMED_VALUE_ERROR``, ``STATUS_VERIFICATION_ERROR``);
    `reason` is laurel's check reason (``list_too_short``, ``range``, ``malformed``,
    ``list_too_large``, ``purpose_mismatch``, ``list_invalid``), by default derived
    from `error`.
    """

    hint = "The credential's status entry or its issuer's status list is not usable."

    def __init__(
        self,
        message: str,
        *,
        error: str,
        reason: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.error = error
        self.reason = reason if reason is not None else _REASONS.get(error, "list_invalid")


def _malformed(message: str, *, reason: str = "malformed") -> StatusListError:
    return StatusListError(message, error="MALFORMED_VALUE_ERROR", reason=reason)


def _list_invalid(message: str) -> StatusListError:
    return StatusListError(message, error="STATUS_VERIFICATION_ERROR", reason="list_invalid")


def _check_status_size(status_size: object) -> int:
    if isinstance(status_size, bool) or not isinstance(status_size, int):
        raise TypeError("status_size must be an int")
    if not 1 <= status_size <= MAX_STATUS_SIZE:
        raise ValueError(f"status_size must be 1..{MAX_STATUS_SIZE}, not {status_size}")
    return status_size


class Bitstring:
    """A status list: `entries` values of `status_size` bits, index 0 left-most in byte 0."""

    __slots__ = ("_data", "_entries", "_status_size")

    def __init__(self, data: bytearray, status_size: int) -> None:
        """Wrap `data` as-is; use `new`, `from_bytes` or `decode` instead."""
        self._data = data
        self._status_size = status_size
        self._entries = len(data) * 8 // status_size

    @classmethod
    def new(cls, entries: int = MIN_ENTRIES, status_size: int = 1) -> Bitstring:
        """An all-zero list of `entries` entries of `status_size` bits each.

        Raises:
            StatusListError: STATUS_LIST_LENGTH_ERROR if `entries` < MIN_ENTRIES.
            TypeError, ValueError: `entries` or `status_size` is not a valid int.
        """
        status_size = _check_status_size(status_size)
        if isinstance(entries, bool) or not isinstance(entries, int):
            raise TypeError("entries must be an int")
        _check_length(entries)
        return cls(bytearray((entries * status_size + 7) // 8), status_size)

    @classmethod
    def from_bytes(cls, data: bytes, *, status_size: int = 1) -> Bitstring:
        """The list held by the raw (inflated) bytes `data`.

        Raises:
            StatusListError: STATUS_LIST_LENGTH_ERROR if it holds < MIN_ENTRIES entries.
        """
        status_size = _check_status_size(status_size)
        _check_length(len(data) * 8 // status_size)
        return cls(bytearray(data), status_size)

    @classmethod
    def decode(cls, encoded_list: str, *, status_size: int = 1) -> Bitstring:
        """Decode an `encodedList`: 'u' multibase base64url (no padding) of a GZIP stream.

        '=' padding is tolerated. Inflation stops at MAX_INFLATED_BYTES.

        Raises:
            StatusListError: MALFORMED_VALUE_ERROR (reason ``malformed``) for a bad
                prefix, alphabet or gzip stream, or trailing data; reason
                ``list_too_large`` beyond MAX_INFLATED_BYTES; STATUS_LIST_LENGTH_ERROR
                for fewer than MIN_ENTRIES entries.
        """
        return cls.from_compressed(_unbase(encoded_list), status_size=status_size)

    @classmethod
    def from_compressed(cls, compressed: bytes, *, status_size: int = 1) -> Bitstring:
        """The list held by a GZIP stream (inflation stops at MAX_INFLATED_BYTES).

        Raises:
            StatusListError: as :meth:`decode`, for the stream and the length.
        """
        return cls.from_bytes(_inflate(compressed), status_size=status_size)

    def encode(self) -> str:
        """The `encodedList`: 'u' + base64url(gzip(bytes, mtime=0)) without padding."""
        compressed = gzip.compress(bytes(self._data), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    def to_bytes(self) -> bytes:
        """The raw (inflated) bytes of the list."""
        return bytes(self._data)

    @property
    def entries(self) -> int:
        """How many entries the list holds."""
        return self._entries

    @property
    def status_size(self) -> int:
        """How many bits each entry holds."""
        return self._status_size

    def _position(self, index: int) -> int:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError("index must be an int")
        if not 0 <= index < self._entries:
            raise StatusListError(
                f"status index {index} is outside the list's {self._entries} entries",
                error="RANGE_ERROR",
                reason="range",
            )
        return index * self._status_size

    def get(self, index: int) -> int:
        """The value of entry `index` (most significant bit first).

        Raises:
            StatusListError: RANGE_ERROR if `index` is not within the list.
        """
        position = self._position(index)
        value = 0
        for bit in range(position, position + self._status_size):
            value = (value << 1) | ((self._data[bit >> 3] >> (7 - (bit & 7))) & 1)
        return value

    def set(self, index: int, value: int) -> None:
        """Set entry `index` to `value` (0 .. 2**status_size - 1).

        Raises:
            StatusListError: RANGE_ERROR if `index` is not within the list.
            ValueError: `value` does not fit in `status_size` bits.
        """
        position = self._position(index)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("value must be an int")
        if not 0 <= value < (1 << self._status_size):
            raise ValueError(f"value {value} does not fit in {self._status_size} bits")
        for offset in range(self._status_size):
            bit = position + offset
            mask = 0x80 >> (bit & 7)
            if (value >> (self._status_size - 1 - offset)) & 1:
                self._data[bit >> 3] |= mask
            else:
                self._data[bit >> 3] &= ~mask & 0xFF

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bitstring):
            return NotImplemented
        return self._status_size == other._status_size and self._data == other._data

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Bitstring(entries={self._entries}, status_size={self._status_size})"


def _check_length(entries: int) -> None:
    if entries < MIN_ENTRIES:
        raise StatusListError(
            f"the status list holds {entries} entries; at least {MIN_ENTRIES} are required",
            error="STATUS_LIST_LENGTH_ERROR",
            reason="list_too_short",
        )


def _unbase(encoded_list: object) -> bytes:
    if not isinstance(encoded_list, str):
        raise _malformed("encodedList must be a string")
    if len(encoded_list) > _MAX_ENCODED_CHARS:
        raise _malformed("encodedList is too long", reason="list_too_large")
    if not encoded_list.startswith("u"):
        raise _malformed("encodedList must be multibase base64url (start with 'u')")
    body = encoded_list[1:]
    stripped = body.rstrip("=")
    # Tolerated: the spec says no padding, but some issuers pad; correct padding only.
    if len(body) - len(stripped) > 2 or (len(body) != len(stripped) and len(body) % 4):
        raise _malformed("encodedList has bad '=' padding")
    if not _B64URL_RE.fullmatch(stripped) or len(stripped) % 4 == 1:
        raise _malformed("encodedList is not base64url")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _malformed("encodedList is not base64url") from exc


def _inflate(compressed: bytes) -> bytes:
    # 16 + MAX_WBITS: a GZIP header and trailer only (not raw deflate or zlib).
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(compressed, MAX_INFLATED_BYTES + 1)
    except zlib.error as exc:
        raise _malformed("encodedList is not a GZIP stream") from exc
    if len(data) > MAX_INFLATED_BYTES:
        raise _malformed(
            f"the status list inflates beyond {MAX_INFLATED_BYTES} bytes", reason="list_too_large"
        )
    if not inflater.eof:
        raise _malformed("encodedList is a truncated GZIP stream")
    if inflater.unused_data:
        raise _malformed("encodedList has data after its GZIP stream")
    return data


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


def read_list_credential(credential: JSONObject, *, status_size: int = 1) -> StatusList:
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
