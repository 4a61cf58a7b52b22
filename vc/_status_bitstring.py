"""A status list's bits: `Bitstring`, entries of 1..8 bits, and its ``encodedList`` form.

An ``encodedList`` is untrusted input: its prefix, alphabet and padding are checked
before it is decoded, and inflating it stops at `MAX_INFLATED_BYTES`.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib

from vc._status_errors import StatusListError, _malformed

__all__ = ["MAX_INFLATED_BYTES", "MAX_STATUS_SIZE", "MIN_ENTRIES", "Bitstring"]

# Bitstring Status List, "Bitstring Generation Algorithm": at least 131,072 entries
# so that one credential hides among many (herd privacy).
MIN_ENTRIES = 131_072
# A hard cap on the inflated list: a gzip bomb stops here, not at the end of memory.
MAX_INFLATED_BYTES = 16 * 1024 * 1024
MAX_STATUS_SIZE = 8

_B64URL_RE = re.compile(r"[A-Za-z0-9_-]*")
# A gzip of at most MAX_INFLATED_BYTES never needs much more room than that, base64-encoded.
_MAX_ENCODED_CHARS = 2 * MAX_INFLATED_BYTES


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
    def decode(cls, encoded_list: object, *, status_size: int = 1) -> Bitstring:
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
