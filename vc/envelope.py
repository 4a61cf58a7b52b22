"""A compact, versioned, self-describing envelope for a credential or presentation in a QR code.

Format ``LV2`` (the version lives in the prefix; any change below needs a new prefix)::

    payload = "LV2:" + base45( deflate( cbor( rewrite(document) ), level 9, zdict=zdict_v2() )
                                + crc32( cbor(...) ) )

- **rewrite** (:mod:`vc.envelope_terms`): a reversible rewrite of the JSON tree before
  CBOR. Keys and values found in the term tables become small integers; signatures, keys,
  UUIDs and dates written as text become their bytes or their number under a tag of their
  own, since the random parts of a credential are what no compressor can shrink, and
  base58 text costs a compressor a third more than the bytes it spells.
- **cbor**: RFC 8949 via cbor2, deterministic for a given document. Object members keep
  their order (cbor2's ``canonical`` mode would sort keys, and the JSON would then not
  round-trip byte for byte); integers are limited to CBOR's native 64-bit range; floats
  are always 8-byte IEEE 754, so every float round-trips exactly.
- **deflate**: RFC 1951 at level 9 with a preset dictionary (:mod:`vc.envelope_dict`):
  the rewritten CBOR of a badge and of a presentation as laurel lays them out, so the
  structure of a real one costs a few back-references. Then the CRC-32 (big-endian) of
  the CBOR, so a bit flipped anywhere is refused instead of decoding to another document.
  (``LV1`` used the zlib wrapper, whose header and dictionary id cost 6 bytes more: the
  prefix already names the version, and so the dictionary.)
- **base45** (RFC 9285): its alphabet is the QR alphanumeric set, so a QR code holds it
  at 5.5 bits per character.

One document, one encoding: the decoder re-encodes what it decoded and requires the very
same bytes, so duplicate keys, indefinite lengths, shared values, alternative number forms
or a typed value spelled as text are all refused, and no two parsers can disagree.

``LV1`` (laurel before typed values) is still read, and never written: no typed values,
the dictionary :data:`~vc.envelope_dict.ZDICT_V1`, and RFC 1950 zlib (Adler-32) around
the DEFLATE data.

Limits (SECURITY.md Q01-Q03): a payload is at most :data:`MAX_PAYLOAD_CHARS`; inflation
stops at :data:`MAX_INFLATED_BYTES` or at :data:`MAX_RATIO` times the compressed size;
bytes after the zlib stream are refused; the tree is bounded like any JSON document
(:mod:`vc.jsontext`), and a CBOR value shared or referenced several times cannot expand it.

Other prefixes reuse a pipeline for other kinds of document (:func:`encode_payload`,
:func:`decode_payload`): ``LR1:`` is a presentation request (:mod:`vc.request`), in the
``LV1`` pipeline. A decoder accepts its own prefixes only, so one kind can never be read
as another.

**Links** (:func:`link_to`, :func:`payload_from_link`): ``BASE_URL#payload`` opens a
verifier page with the payload in the URL fragment, which a browser never sends to the
server; the page's own script reads it. A fragment may not hold a space or a bare ``%``,
the two base45 characters that are escaped (``%20``, ``%25``); the rest stays in the QR
alphanumeric set. Reading a link never fetches it.

    >>> payload = encode_envelope({"@context": ["https://www.w3.org/ns/credentials/v2"]})
    >>> payload[:4]
    'LV2:'
    >>> decode_envelope(payload)
    {'@context': ['https://www.w3.org/ns/credentials/v2']}
    >>> payload_from_link(link_to("https://verify.example/", payload)) == payload
    True
"""

from __future__ import annotations

import dataclasses
import io
import urllib.parse
import zlib
from collections.abc import Callable
from typing import Final, Literal

import cbor2

from vc.envelope_dict import ZDICT_V1, zdict_v2
from vc.envelope_terms import KEY_TERMS, VALUE_TERMS, Budget, TreeError, from_cbor, to_cbor
from vc.errors import MalformedDocumentError
from vc.types import JSONObject

__all__ = [
    "EnvelopeError",
    "EnvelopeStage",
    "encode_envelope",
    "decode_envelope",
    "encode_payload",
    "decode_payload",
    "link_to",
    "payload_from_link",
    "is_link",
    "b45encode",
    "b45decode",
    "PREFIX",
    "LEGACY_PREFIX",
    "KEY_TERMS",
    "VALUE_TERMS",
    "ZDICT_V1",
    "MAX_PAYLOAD_CHARS",
    "MAX_INFLATED_BYTES",
    "MAX_RATIO",
]

PREFIX: Final = "LV2:"
LEGACY_PREFIX: Final = "LV1:"
MAX_PAYLOAD_CHARS: Final = 8 * 1024
MAX_INFLATED_BYTES: Final = 256 * 1024
MAX_RATIO: Final = 100

EnvelopeStage = Literal["link", "unprefix", "base45", "inflate", "cbor", "parse"]


@dataclasses.dataclass(frozen=True)
class _Pipeline:
    zdict: Callable[[], bytes]
    typed: bool
    wbits: int  # 15: RFC 1950 zlib (Adler-32 inside); -15: raw DEFLATE, then a CRC-32

    @property
    def crc(self) -> bool:
        return self.wbits < 0


_V1: Final = _Pipeline(zdict=lambda: ZDICT_V1, typed=False, wbits=15)
_PIPELINES: Final = {
    PREFIX: _Pipeline(zdict=zdict_v2, typed=True, wbits=-15),
    LEGACY_PREFIX: _V1,
    "LR1:": _V1,
}


def _pipeline(prefix: str) -> _Pipeline:
    try:
        return _PIPELINES[prefix]
    except KeyError:
        raise ValueError(f"no envelope format has the prefix {prefix!r}") from None


_B45: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_INDEX: Final = {char: index for index, char in enumerate(_B45)}


class EnvelopeError(MalformedDocumentError):
    """A QR payload that is not a valid envelope, or a document that cannot be one.

    `stage` names where it failed (``link``, ``unprefix``, ``base45``, ``inflate``,
    ``cbor``, ``parse``), as EU DCC verifiers do; `code` is ``envelope_malformed`` or
    ``envelope_too_large``.
    """

    hint = "Scan the QR code again, or ask the holder to present it again."

    def __init__(
        self, message: str, *, stage: EnvelopeStage, code: str = "envelope_malformed"
    ) -> None:
        super().__init__(f"{message} (envelope stage: {stage})", code=code)
        self.stage: EnvelopeStage = stage


# --- base45 (RFC 9285) -------------------------------------------------------------------


def b45encode(data: bytes) -> str:
    """Encode bytes in base45 (RFC 9285).

    >>> b45encode(b"AB")
    'BB8'
    """
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (_B45[c], _B45[d], _B45[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (_B45[c], _B45[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Decode base45 (RFC 9285), refusing foreign characters and out-of-range groups.

    >>> b45decode("BB8")
    b'AB'

    Raises:
        EnvelopeError: at stage ``base45``.
    """
    if len(text) % 3 == 1:
        raise EnvelopeError(f"base45 text of length {len(text)} is truncated", stage="base45")
    try:
        digits = [_B45_INDEX[char] for char in text]
    except KeyError as exc:
        raise EnvelopeError(f"{exc.args[0]!r} is not a base45 character", stage="base45") from None
    out = bytearray()
    for i in range(0, len(digits), 3):
        group = digits[i : i + 3]
        if len(group) == 3:
            n = group[0] + group[1] * 45 + group[2] * 45 * 45
            if n > 0xFFFF:
                raise EnvelopeError(f"base45 group {i // 3} is out of range", stage="base45")
            out += n.to_bytes(2, "big")
        else:
            n = group[0] + group[1] * 45
            if n > 0xFF:
                raise EnvelopeError("the last base45 group is out of range", stage="base45")
            out.append(n)
    return bytes(out)


# --- the envelope ------------------------------------------------------------------------


def encode_envelope(document: JSONObject) -> str:
    """Encode a JSON object (a credential or presentation) as an ``LV2:`` QR payload.

    Raises:
        EnvelopeError: `document` is not JSON (stage ``parse``), or the payload would
            exceed :data:`MAX_PAYLOAD_CHARS` (code ``envelope_too_large``).
    """
    return encode_payload(document, prefix=PREFIX)


def _cbor_of(document: JSONObject, pipeline: _Pipeline) -> bytes:
    try:
        return cbor2.dumps(to_cbor(document, typed=pipeline.typed))
    except TreeError as exc:
        raise EnvelopeError(str(exc), stage="parse") from None
    except (UnicodeError, ValueError, cbor2.CBOREncodeError) as exc:
        raise EnvelopeError(f"cannot encode the document: {exc}", stage="parse") from None


def encode_payload(document: JSONObject, *, prefix: str, max_chars: int = MAX_PAYLOAD_CHARS) -> str:
    """Encode a JSON object in the pipeline that `prefix` names (``LV2:``, ``LR1:``).

    Raises:
        EnvelopeError: as :func:`encode_envelope`, with `max_chars` as the limit.
        ValueError: no format has that prefix.
    """
    pipeline = _pipeline(prefix)
    if not isinstance(document, dict):
        raise EnvelopeError("an envelope holds a JSON object", stage="parse")
    data = _cbor_of(document, pipeline)
    compressor = zlib.compressobj(level=9, wbits=pipeline.wbits, memLevel=9, zdict=pipeline.zdict())
    packed = compressor.compress(data) + compressor.flush()
    if pipeline.crc:
        packed += zlib.crc32(data).to_bytes(4, "big")
    payload = prefix + b45encode(packed)
    if len(payload) > max_chars:
        raise EnvelopeError(
            f"the payload would be {len(payload)} characters (limit {max_chars})",
            stage="unprefix",
            code="envelope_too_large",
        )
    return payload


def _inflate(data: bytes, max_inflated: int, pipeline: _Pipeline) -> bytes:
    limit = min(max_inflated, MAX_RATIO * len(data))
    inflater = zlib.decompressobj(wbits=pipeline.wbits, zdict=pipeline.zdict())
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise EnvelopeError(f"the compressed data is corrupt: {exc}", stage="inflate") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise EnvelopeError(
            f"the data inflates beyond {limit} bytes "
            f"(limits: {max_inflated} bytes, {MAX_RATIO}x the compressed size)",
            stage="inflate",
            code="envelope_too_large",
        )
    if not inflater.eof:
        raise EnvelopeError("the compressed data is truncated", stage="inflate")
    trailer = inflater.unused_data
    if pipeline.crc:
        if len(trailer) < 4:
            raise EnvelopeError("the CRC-32 after the compressed data is cut", stage="inflate")
        if int.from_bytes(trailer[:4], "big") != zlib.crc32(out):
            raise EnvelopeError("the CRC-32 does not match: the data is damaged", stage="inflate")
        trailer = trailer[4:]
    if trailer:
        raise EnvelopeError(f"{len(trailer)} bytes follow the compressed data", stage="inflate")
    return out


def decode_envelope(payload: str) -> JSONObject:
    """Decode an ``LV2:`` (or ``LV1:``) QR payload back to the exact JSON object encoded.

    Raises:
        EnvelopeError: with the failing `stage`; code ``envelope_too_large`` for a
            payload over :data:`MAX_PAYLOAD_CHARS` or data that inflates too far.
    """
    return decode_payload(payload, prefix=(PREFIX, LEGACY_PREFIX))


def decode_payload(
    payload: str,
    *,
    prefix: str | tuple[str, ...],
    max_chars: int = MAX_PAYLOAD_CHARS,
    max_inflated: int = MAX_INFLATED_BYTES,
) -> JSONObject:
    """Decode a payload written by :func:`encode_payload` under `prefix` (or one of them).

    Raises:
        EnvelopeError: as :func:`decode_envelope`, with the limits given.
        ValueError: no format has one of those prefixes.
    """
    accepted = (prefix,) if isinstance(prefix, str) else prefix
    pipelines = {each: _pipeline(each) for each in accepted}
    if len(payload) > max_chars:
        raise EnvelopeError(
            f"the payload is {len(payload)} characters (limit {max_chars})",
            stage="unprefix",
            code="envelope_too_large",
        )
    found = next((each for each in accepted if payload.startswith(each)), None)
    if found is None:
        shown = payload.split(":", 1)[0][:8] if ":" in payload else payload[:8]
        readable = " and ".join(map(repr, accepted))
        raise EnvelopeError(
            f"unknown envelope version {shown!r} (this laurel reads {readable})", stage="unprefix"
        )
    pipeline = pipelines[found]
    data = _inflate(b45decode(payload[len(found) :]), max_inflated, pipeline)
    stream = io.BytesIO(data)
    try:
        tree = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, RecursionError, ValueError, MemoryError) as exc:
        raise EnvelopeError(f"the CBOR data is invalid: {exc}", stage="cbor") from None
    if stream.tell() != len(data):
        raise EnvelopeError(f"{len(data) - stream.tell()} bytes follow the CBOR item", stage="cbor")
    if not isinstance(tree, dict):
        raise EnvelopeError("the envelope does not hold a JSON object", stage="parse")
    try:
        document = from_cbor(tree, 0, Budget(len(data)), typed=pipeline.typed)
    except TreeError as exc:
        raise EnvelopeError(str(exc), stage="parse") from None
    assert isinstance(document, dict)  # noqa: S101 - a dict maps to a dict
    if _cbor_of(document, pipeline) != data:
        # duplicate keys (cbor2 keeps the last), indefinite or over-long lengths, half floats,
        # shared values, a typed value left as text...: one document, one encoding
        raise EnvelopeError("the CBOR data is not in the form this format writes", stage="cbor")
    return document


# --- links -------------------------------------------------------------------------------

# RFC 3986 "Fragment": of the base45 alphabet only the space and "%" need escaping.
_FRAGMENT_ESCAPES: Final = str.maketrans({"%": "%25", " ": "%20"})


def is_link(text: str) -> bool:
    """Whether `text` is an http(s) link (which laurel reads, and never fetches).

    >>> is_link("HTTPS://verify.example/#LV1:..."), is_link("LV1:...")
    (True, False)
    """
    return text[:8].lower().startswith(("https://", "http://"))


def link_to(base_url: str, payload: str) -> str:
    """``base_url#payload``: a link that opens a verifier page holding the payload.

    >>> link_to("https://verify.example/", "LV1:A B%C")
    'https://verify.example/#LV1:A%20B%25C'

    Raises:
        ValueError: `base_url` is not an http(s) URL with a host, or has a fragment.
    """
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme.lower() not in ("https", "http") or not is_link(base_url):
        raise ValueError(f"the base URL must start with https:// or http://, not {base_url[:40]!r}")
    if not parts.hostname:
        raise ValueError("the base URL has no host")
    if "#" in base_url:
        raise ValueError("the base URL already has a fragment (#...)")
    if any(char.isspace() or not char.isprintable() for char in base_url):
        raise ValueError("the base URL holds spaces or control characters")
    return f"{base_url}#{payload.translate(_FRAGMENT_ESCAPES)}"


def payload_from_link(link: str) -> str:
    """The payload in a link's fragment (see :func:`link_to`); the link is never fetched.

    Raises:
        EnvelopeError: at stage ``link``: not an http(s) link, or no payload in its fragment.
    """
    if not is_link(link):
        raise EnvelopeError("not an http(s) link", stage="link")
    fragment = urllib.parse.urlsplit(link.strip()).fragment
    if not fragment:
        raise EnvelopeError(
            "the link has no fragment (#...) holding a payload; laurel never fetches links",
            stage="link",
        )
    try:
        payload = urllib.parse.unquote(fragment, errors="strict")
    except UnicodeDecodeError:
        raise EnvelopeError("the link's fragment is not a payload", stage="link") from None
    if not payload.isascii() or not payload.isprintable():
        raise EnvelopeError("the link's fragment is not a payload", stage="link")
    return payload
