"""Bitstring Status List: encodedList decoding and credentialStatus entries (vc/status.py, vc/_status_*.py)."""

from __future__ import annotations

from vc.errors import LaurelError
from vc.jsontext import parse_document
from vc.status import Bitstring, StatusListError, parse_status_entry

EXPECTED = (StatusListError, LaurelError)


def fuzz(data: bytes) -> None:
    """Byte 0 picks: an encodedList (with a status size), or a status entry's JSON."""
    if len(data) < 2:
        return
    if data[0] % 2 == 0:
        size = 1 << (data[1] % 4)
        bits = Bitstring.decode(data[2:].decode("utf-8", "replace"), status_size=size)
        assert Bitstring.decode(bits.encode(), status_size=size) == bits
        bits.get(bits.entries - 1)
    else:
        parse_status_entry(parse_document(data[2:]))


def seeds() -> list[bytes]:
    """An empty list, a list with entries set, an entry."""
    empty = Bitstring.new().encode().encode()
    set_ = Bitstring.new(status_size=2)
    set_.set(5, 3)
    entry = (
        b'{"id":"https://issuer.example/status/1#94567","type":"BitstringStatusListEntry",'
        b'"statusPurpose":"revocation","statusListIndex":"94567",'
        b'"statusListCredential":"https://issuer.example/status/1"}'
    )
    return [b"\x00\x00" + empty, b"\x00\x01" + set_.encode().encode(), b"\x01\x00" + entry]
