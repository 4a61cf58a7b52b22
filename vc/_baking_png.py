"""Baked PNGs: the chunk walker and the Open Badges text chunks it finds.

Open Badges 3.0 bakes one ``iTXt`` chunk with the keyword ``openbadgecredential``; Open
Badges 2.0 (read only) an ``iTXt`` or (OB 1.x) ``tEXt`` chunk with the keyword
``openbadges``. The walker checks every length against what is left before reading it,
every CRC, the number of chunks and the size of text chunks, and inflates a compressed
``iTXt`` with a cap.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from typing import Final

from vc._baking_error import BakingError, _check_size, only_credential

__all__ = [
    "PNG_KEYWORD",
    "OB2_PNG_KEYWORD",
    "MAX_TEXT_CHUNK_BYTES",
    "MAX_CHUNKS",
    "PNG_SIGNATURE",
    "bake_png",
    "unbake_png",
]

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD: Final = "openbadgecredential"
"""The ``iTXt`` keyword of an Open Badges 3.0 baked PNG."""
OB2_PNG_KEYWORD: Final = "openbadges"
"""The PNG text-chunk keyword of an Open Badges 2.0 (and 1.x) baked image."""

MAX_TEXT_CHUNK_BYTES: Final = 1024 * 1024
"""The largest PNG text chunk, and the largest credential once inflated."""
MAX_CHUNKS: Final = 10_000
"""The most PNG chunks walked before the image is refused."""

_TEXT_CHUNKS: Final = frozenset({b"iTXt", b"tEXt", b"zTXt"})


@dataclass(frozen=True)
class _Chunk:
    """One PNG chunk: its type, where it starts in the file, and its data."""

    type: bytes
    offset: int
    data: bytes


def _chunks(image: bytes) -> list[_Chunk]:
    """Walk every chunk up to and including ``IEND``, checking lengths, CRCs and limits."""
    _check_size(image)
    if not image.startswith(PNG_SIGNATURE):
        raise BakingError("the image is not a PNG (bad signature)", code="not_png")
    chunks: list[_Chunk] = []
    pos = len(PNG_SIGNATURE)
    while True:
        if len(chunks) >= MAX_CHUNKS:
            raise BakingError(f"the PNG has more than {MAX_CHUNKS} chunks", code="too_many_chunks")
        if pos + 8 > len(image):
            if pos == len(image):
                raise BakingError("the PNG has no IEND chunk", code="no_iend")
            raise BakingError("the PNG ends inside a chunk header", code="truncated")
        length, ctype = struct.unpack_from(">I4s", image, pos)
        if not re.fullmatch(rb"[A-Za-z]{4}", ctype):
            raise BakingError("the PNG has a chunk with an invalid type", code="malformed")
        if ctype in _TEXT_CHUNKS and length > MAX_TEXT_CHUNK_BYTES:
            raise BakingError(
                f"a {ctype.decode()} chunk declares {length} bytes, over the "
                f"{MAX_TEXT_CHUNK_BYTES}-byte limit",
                code="too_large",
            )
        end = pos + 8 + length
        if end + 4 > len(image):
            raise BakingError(
                f"the {ctype.decode()} chunk declares {length} bytes but the file ends first",
                code="truncated",
            )
        data = image[pos + 8 : end]
        (crc,) = struct.unpack_from(">I", image, end)
        if zlib.crc32(ctype + data) != crc:
            raise BakingError(f"the {ctype.decode()} chunk has a bad CRC", code="bad_crc")
        chunks.append(_Chunk(ctype, pos, data))
        pos = end + 4
        if ctype == b"IEND":
            return chunks


def _split_keyword(data: bytes) -> tuple[bytes, bytes]:
    keyword, sep, rest = data.partition(b"\0")
    if not sep or not 1 <= len(keyword) <= 79:
        raise BakingError("a PNG text chunk has no valid keyword", code="malformed")
    return keyword, rest


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_TEXT_CHUNK_BYTES + 1)
    except zlib.error as exc:
        raise BakingError("the compressed credential is not valid zlib", code="malformed") from exc
    if len(out) > MAX_TEXT_CHUNK_BYTES or inflater.unconsumed_tail:
        raise BakingError(
            f"the compressed credential inflates past {MAX_TEXT_CHUNK_BYTES} bytes",
            code="bomb",
        )
    if not inflater.eof:
        raise BakingError("the compressed credential is truncated", code="truncated")
    return out


def _itxt_text(rest: bytes) -> str:
    """The text of an ``iTXt`` chunk, given its data after the keyword's NUL."""
    if len(rest) < 2:
        raise BakingError("an iTXt chunk is truncated", code="malformed")
    flag, method = rest[0], rest[1]
    fields = rest[2:].split(b"\0", 2)
    if len(fields) != 3 or flag not in (0, 1) or (flag == 1 and method != 0):
        raise BakingError("an iTXt chunk is malformed", code="malformed")
    text = _inflate(fields[2]) if flag == 1 else fields[2]
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("the baked credential is not UTF-8 text", code="malformed") from exc


def _keyword_chunks(chunks: list[_Chunk], keyword: str, types: frozenset[bytes]) -> list[_Chunk]:
    found: list[_Chunk] = []
    for chunk in chunks:
        if chunk.type not in _TEXT_CHUNKS:
            continue
        try:
            name, _ = _split_keyword(chunk.data)
        except BakingError:
            continue  # an unrelated, malformed text chunk: not ours to judge
        if name == keyword.encode():
            if chunk.type not in types:
                raise BakingError(
                    f"an {keyword} chunk must be {' or '.join(t.decode() for t in sorted(types))}, "
                    f"not {chunk.type.decode()}",
                    code="malformed",
                )
            found.append(chunk)
    return found


def _credential_chunks(chunks: list[_Chunk]) -> list[_Chunk]:
    return _keyword_chunks(chunks, PNG_KEYWORD, frozenset({b"iTXt"}))


def _ob2_chunks(chunks: list[_Chunk]) -> list[_Chunk]:
    return _keyword_chunks(chunks, OB2_PNG_KEYWORD, frozenset({b"iTXt", b"tEXt"}))


def _chunk_text(chunk: _Chunk) -> str:
    _, rest = _split_keyword(chunk.data)
    if chunk.type == b"iTXt":
        return _itxt_text(rest)
    return rest.decode("latin-1")  # PNG, "tEXt": Latin-1 text


def bake_png(image: bytes, credential_json: str) -> bytes:
    """Return `image` with `credential_json` in an ``openbadgecredential`` ``iTXt`` chunk.

    The chunk (uncompressed, empty language tag and translated keyword) goes just before
    ``IEND``; every other byte of the image is kept as it was.

    Raises:
        BakingError: the image is not a well-formed PNG (``not_png``, ``bad_crc``...),
            already carries a credential (``already_baked``) or the credential is over
            :data:`MAX_TEXT_CHUNK_BYTES` (``too_large``).
    """
    chunks = _chunks(image)
    if _credential_chunks(chunks):
        raise BakingError("the PNG already carries a credential", code="already_baked")
    data = PNG_KEYWORD.encode() + b"\0\0\0\0\0" + credential_json.encode("utf-8")
    if len(data) > MAX_TEXT_CHUNK_BYTES:
        raise BakingError("the credential is too large to bake", code="too_large")
    body = b"iTXt" + data
    chunk = struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    iend = chunks[-1].offset
    return image[:iend] + chunk + image[iend:]


def unbake_png(image: bytes) -> str:
    """Return the credential text baked in a PNG's ``openbadgecredential`` chunk.

    Raises:
        BakingError: the PNG is malformed or over a limit, carries no credential
            (``not_baked``) or several (``ambiguous``).
    """
    chunks = _chunks(image)
    found = _credential_chunks(chunks)
    one = only_credential(found, bool(_ob2_chunks(chunks)), "PNG")
    _, rest = _split_keyword(one.data)
    return _itxt_text(rest)
