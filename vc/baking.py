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
Extraction only returns the credential text: checking it is the verifier's job. The PNG
side lives in :mod:`vc._baking_png`, the SVG side in :mod:`vc._baking_svg`, the error
and the size cap they share in :mod:`vc._baking_error`; every name is imported from here.

>>> from vc.baking import bake_png, unbake
>>> tiny = bytes.fromhex(
...     "89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
...     "0000000a49444154789c636000000002000148afa4710000000049454e44ae426082"
... )
>>> unbake(bake_png(tiny, '{"id": "urn:example"}'))
'{"id": "urn:example"}'
"""

from __future__ import annotations

from dataclasses import dataclass

from vc._baking_error import MAX_IMAGE_BYTES, BakingError
from vc._baking_png import (
    MAX_CHUNKS,
    MAX_TEXT_CHUNK_BYTES,
    OB2_PNG_KEYWORD,
    PNG_KEYWORD,
    PNG_SIGNATURE,
    _chunk_text,
    _chunks,
    _credential_chunks,
    _ob2_chunks,
    bake_png,
    unbake_png,
)
from vc._baking_svg import (
    _ASSERTION_TAG,
    OB2_NAMESPACE,
    OB_NAMESPACE,
    _credential_elements,
    _parse_svg,
    _svg_payload_text,
    bake_svg,
    unbake_svg,
)
from vc._baking_svg import SVG_NAMESPACE as SVG_NAMESPACE

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


@dataclass(frozen=True)
class BakedPayload:
    """One payload found in a badge image: its kind (``ob3`` or ``ob2``) and its text.

    An OB 2.0 payload is the assertion JSON, a compact JWS (a signed badge) or the
    URL of a hosted assertion.
    """

    kind: str
    text: str


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
