"""Open Badges baking: a credential carried inside its badge image (PNG or SVG).

Open Badges 3.0: a PNG carries the credential in one ``iTXt`` chunk with the keyword
``openbadgecredential``; an SVG carries it in one ``<openbadges:credential>`` element
(namespace ``https://purl.imsglobal.org/ob/v3p0``) under the root ``<svg>``.

Open Badges 2.0 (read only, :func:`unbake_all`): a PNG ``iTXt`` (or, from OB 1.x, ``tEXt``)
chunk with the keyword ``openbadges``, and an SVG ``<openbadges:assertion>`` element
(namespace ``http://openbadges.org``) whose text is the assertion or whose ``verify``
attribute is its URL or signature. An image carrying both an OB 2.0 and an OB 3.0
payload is never read as one of them silently: :func:`unbake` refuses it as
``ambiguous``, :func:`unbake_all` returns both. Unrelated text chunks (a comment, an
editor's metadata) are skipped even when their own keyword is malformed; every size,
count and CRC limit still applies to them.

Everything here is bytes in, bytes (or text) out: nothing is fetched, rendered or
executed. Unbaking is for untrusted input (SECURITY.md Q04, Q07, Q08): the PNG chunk
walker checks every length against what is left before reading it, every CRC, the
number of chunks and the size of text chunks, and inflates a compressed ``iTXt`` with a
cap; SVGs are parsed by defusedxml with DTDs, entities and external references forbidden.
Extraction only returns the credential text: checking it is the verifier's job.

>>> from vc.baking import bake_png, unbake
>>> tiny = bytes.fromhex(
...     "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
...     "0000000a49444154789c636000000002000148afa4710000000049454e44ae426082"
... )
>>> unbake(bake_png(tiny, '{"id": "urn:example"}'))
'{"id": "urn:example"}'
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from typing import Final
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from vc.errors import LaurelError

__all__ = [
    "BakingError",
    "PNG_KEYWORD",
    "OB_NAMESPACE",
    "MAX_IMAGE_BYTES",
    "MAX_TEXT_CHUNK_BYTES",
    "MAX_CHUNKS",
    "bake_png",
    "unbake_png",
    "bake_svg",
    "unbake_svg",
    "unbake",
    "unbake_all",
    "BakedPayload",
    "OB2_PNG_KEYWORD",
    "OB2_NAMESPACE",
]

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD: Final = "openbadgecredential"
"""The ``iTXt`` keyword of an Open Badges 3.0 baked PNG."""
OB_NAMESPACE: Final = "https://purl.imsglobal.org/ob/v3p0"
"""The XML namespace of the ``<openbadges:credential>`` element of a baked SVG."""
SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"
OB2_PNG_KEYWORD: Final = "openbadges"
"""The PNG text-chunk keyword of an Open Badges 2.0 (and 1.x) baked image."""
OB2_NAMESPACE: Final = "http://openbadges.org"
"""The XML namespace of the ``<openbadges:assertion>`` element of an OB 2.0 baked SVG."""

MAX_IMAGE_BYTES: Final = 16 * 1024 * 1024
"""The largest image, PNG or SVG, that is baked or unbaked."""
MAX_TEXT_CHUNK_BYTES: Final = 1024 * 1024
"""The largest PNG text chunk, and the largest credential once inflated."""
MAX_CHUNKS: Final = 10_000
"""The most PNG chunks walked before the image is refused."""

_TEXT_CHUNKS: Final = frozenset({b"iTXt", b"tEXt", b"zTXt"})
_CREDENTIAL_TAG: Final = f"{{{OB_NAMESPACE}}}credential"
_ASSERTION_TAG: Final = f"{{{OB2_NAMESPACE}}}assertion"


@dataclass(frozen=True)
class BakedPayload:
    """One payload found in a badge image: its kind (``ob3`` or ``ob2``) and its text.

    An OB 2.0 payload is the assertion JSON, a compact JWS (a signed badge) or the
    URL of a hosted assertion.
    """

    kind: str
    text: str


class BakingError(LaurelError):
    """An image cannot be baked or unbaked.

    `code` is a stable reason: ``not_png``, ``not_svg``, ``unsupported``, ``too_large``,
    ``too_many_chunks``, ``truncated``, ``bad_crc``, ``no_iend``, ``malformed``,
    ``bomb``, ``unsafe_xml``, ``already_baked``, ``not_baked`` or ``ambiguous``.
    """

    hint = "Use a PNG or SVG badge image baked with one Open Badges 3.0 credential."

    def __init__(self, message: str, *, code: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


# --------------------------------------------------------------------------- PNG


@dataclass(frozen=True)
class _Chunk:
    """One PNG chunk: its type, where it starts in the file, and its data."""

    type: bytes
    offset: int
    data: bytes


def _check_size(data: bytes) -> None:
    if len(data) > MAX_IMAGE_BYTES:
        raise BakingError(
            f"the image is {len(data)} bytes, over the {MAX_IMAGE_BYTES}-byte limit",
            code="too_large",
        )


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
    ob2 = _ob2_chunks(chunks)
    if found and ob2:
        raise BakingError(
            "the PNG carries both an Open Badges 2.0 and an Open Badges 3.0 payload",
            code="ambiguous",
        )
    if not found and ob2:
        raise BakingError(
            "the PNG carries an Open Badges 2.0 assertion, not an Open Badges 3.0 credential",
            code="ob2",
        )
    if not found:
        raise BakingError("the PNG carries no Open Badges credential", code="not_baked")
    if len(found) > 1:
        raise BakingError("the PNG carries several credentials", code="ambiguous")
    _, rest = _split_keyword(found[0].data)
    return _itxt_text(rest)


# --------------------------------------------------------------------------- SVG


# A document type declaration with no internal subset, as SVG editors write
# (`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://...svg11.dtd">`): it declares
# nothing, and the external DTD is never loaded, so it is allowed. Any internal subset
# (entities, attribute defaults) is refused (SECURITY Q07).
_PLAIN_DOCTYPE: Final = re.compile(
    rb"<!DOCTYPE\s+svg(?:\s+PUBLIC\s+\"[^\"<>\[\]]*\"\s+\"[^\"<>\[\]]*\")?\s*>"
)


def _parse_svg(svg: bytes) -> Element:
    _check_size(svg)
    head = svg[: svg.find(b"<svg")] if b"<svg" in svg else svg
    plain = b"<!DOCTYPE" in head and _PLAIN_DOCTYPE.search(head) is not None
    plain = plain and head.count(b"<!") == 1 + head.count(b"<!--")
    try:
        root: Element = defusedxml.ElementTree.fromstring(
            svg, forbid_dtd=not plain, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as exc:
        raise BakingError(
            f"the SVG uses a forbidden XML feature ({type(exc).__name__})", code="unsafe_xml"
        ) from exc
    except ParseError as exc:
        raise BakingError(f"the SVG is not well-formed XML: {exc}", code="not_svg") from exc
    if root.tag not in (f"{{{SVG_NAMESPACE}}}svg", "svg"):
        raise BakingError("the XML root element is not <svg>", code="not_svg")
    return root


def _credential_elements(root: Element) -> list[Element]:
    return list(root.iter(_CREDENTIAL_TAG))


# The root start tag: a name, then attributes whose quoted values may hold '>' or '/'.
_START_TAG: Final = re.compile(
    r"<([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_PROLOG_ITEM: Final = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_OB_PREFIX: Final = re.compile(r"\sxmlns:openbadges\s*=\s*([\"'])(.*?)\1", re.DOTALL)


# XML 1.0, "Characters": Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(svg: bytes, credential_json: str) -> bytes:
    """Return `svg` with `credential_json` in an ``<openbadges:credential>`` element.

    The namespace is declared on the root ``<svg>`` and the element, holding the JSON in
    a CDATA section, is its first child; the rest of the document is kept byte for byte.

    Raises:
        BakingError: the input is not a UTF-8 SVG (``not_svg``), uses DTDs or entities
            (``unsafe_xml``) or already carries a credential (``already_baked``), or the
            text holds a character XML cannot carry (``not_xml_text``).
    """
    bad = _NOT_XML_CHAR.search(credential_json)
    if bad is not None:
        # Baked, it would make an SVG no XML parser (laurel's included) can read back.
        raise BakingError(
            f"the credential text holds U+{ord(bad.group()):04X}, which XML cannot carry",
            code="not_xml_text",
        )
    root = _parse_svg(svg)
    if _credential_elements(root):
        raise BakingError("the SVG already carries a credential", code="already_baked")
    try:
        text = svg.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("only UTF-8 SVGs can be baked", code="not_svg") from exc
    pos = 1 if text.startswith("\ufeff") else 0
    while match := _PROLOG_ITEM.match(text, pos):
        pos = match.end()
    tag = _START_TAG.match(text, pos)
    if tag is None:
        raise BakingError("the SVG root start tag cannot be located", code="not_svg")
    name, attributes, empty = tag.group(1), tag.group(2), tag.group(3)
    declared = _OB_PREFIX.search(attributes)
    if declared is not None and declared.group(2) != OB_NAMESPACE:
        raise BakingError(
            "the SVG binds the openbadges prefix to another namespace", code="not_svg"
        )
    if declared is None:
        attributes += f' xmlns:openbadges="{OB_NAMESPACE}"'
    element = f"<openbadges:credential>{_cdata(credential_json)}</openbadges:credential>"
    opening = f"<{name}{attributes}>"
    inserted = opening + element + (f"</{name}>" if empty else "")
    return (text[:pos] + inserted + text[tag.end() :]).encode("utf-8")


def unbake_svg(svg: bytes) -> str:
    """Return the credential text of an SVG's one ``<openbadges:credential>`` element.

    Nothing else in the document is looked at: scripts are not run, links not followed.

    Raises:
        BakingError: the SVG is too large, malformed, uses DTDs, entities or external
            references (``unsafe_xml``), or has no credential element (``not_baked``)
            or several (``ambiguous``).
    """
    root = _parse_svg(svg)
    found = _credential_elements(root)
    ob2 = list(root.iter(_ASSERTION_TAG))
    if found and ob2:
        raise BakingError(
            "the SVG carries both an Open Badges 2.0 and an Open Badges 3.0 payload",
            code="ambiguous",
        )
    if not found and ob2:
        raise BakingError(
            "the SVG carries an Open Badges 2.0 assertion, not an Open Badges 3.0 credential",
            code="ob2",
        )
    if not found:
        raise BakingError("the SVG carries no Open Badges credential", code="not_baked")
    if len(found) > 1:
        raise BakingError("the SVG carries several credentials", code="ambiguous")
    return _svg_payload_text(found[0])


def unbake(data: bytes) -> str:
    """Return the credential baked in a PNG or SVG image, sniffing which it is.

    Raises:
        BakingError: ``unsupported`` for anything but a PNG or XML, or any error of
            :func:`unbake_png` / :func:`unbake_svg`.
    """
    if data.startswith(PNG_SIGNATURE):
        return unbake_png(data)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return unbake_svg(data)
    raise BakingError("the data is neither a PNG nor an SVG image", code="unsupported")


def _svg_payload_text(element: Element) -> str:
    if len(element):
        raise BakingError("the credential element holds markup, not text", code="malformed")
    text = (element.text or "").strip()
    verify = (element.get("verify") or "").strip()
    if not text and not verify:
        raise BakingError("the credential element is empty", code="malformed")
    # OB 3.0 and OB 2.0, "Baking": the text is the credential (JSON); a VC-JWT (OB 3.0)
    # or an OB 2.0 signed assertion or hosted URL sits in `verify`, and stands in for
    # the text when the element is empty.
    if text and verify and not text.startswith("{") and text != verify:
        raise BakingError("the assertion element's text and verify disagree", code="ambiguous")
    return text or verify


def unbake_all(data: bytes) -> list[BakedPayload]:
    """Every Open Badges payload in a PNG or SVG: OB 3.0 credentials and OB 2.0 assertions.

    For an image that may carry either (or, wrongly, both): the caller reports each
    payload or refuses the image; nothing is chosen silently.

    Raises:
        BakingError: ``unsupported`` for anything but a PNG or XML, ``not_baked`` when
            the image carries no payload, or the limit and format errors of
            :func:`unbake_png` / :func:`unbake_svg`.
    """
    payloads: list[BakedPayload] = []
    if data.startswith(PNG_SIGNATURE):
        chunks = _chunks(data)
        payloads += [BakedPayload("ob3", _chunk_text(c)) for c in _credential_chunks(chunks)]
        payloads += [BakedPayload("ob2", _chunk_text(c).strip()) for c in _ob2_chunks(chunks)]
    elif data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        root = _parse_svg(data)
        payloads += [BakedPayload("ob3", _svg_payload_text(e)) for e in _credential_elements(root)]
        payloads += [BakedPayload("ob2", _svg_payload_text(e)) for e in root.iter(_ASSERTION_TAG)]
    else:
        raise BakingError("the data is neither a PNG nor an SVG image", code="unsupported")
    if not payloads:
        raise BakingError("the image carries no Open Badges payload", code="not_baked")
    return payloads
