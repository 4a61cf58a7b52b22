"""A compact, versioned, self-describing envelope for a credential or presentation in a QR code.

Format ``LV1`` (the version lives in the prefix; any change below needs a new prefix)::

    payload = "LV1:" + base45( zlib( cbor( terms(document) ), level 9, zdict=ZDICT_V1 ) )

- **terms** (the "dictionary of terms"): a reversible rewrite of the JSON tree before CBOR.

  * An object key found in :data:`KEY_TERMS` becomes the unsigned integer of its index
    (``"@context"`` -> ``0``). Every other key stays a CBOR text string. JSON keys are
    always strings, so an integer key can only come from the table: no collision.
  * A string *value* exactly equal to an entry of :data:`VALUE_TERMS` becomes
    ``CBOR tag 6`` wrapping its index (``"https://www.w3.org/ns/credentials/v2"`` ->
    ``6(0)``). Plain integers stay plain integers, so ``0`` and ``"...credentials/v2"``
    never meet.
  * The decoder accepts only that canonical form: a text key or value that the table
    would have rewritten, an integer key outside the table, an unknown tag index, or a
    CBOR item with no JSON meaning (bytes, tags, undefined, NaN, ...) is refused; and
    the CBOR bytes must be exactly those the encoder writes for the decoded document
    (no duplicate keys, indefinite lengths, shared values or alternative number forms).

- **cbor**: RFC 8949 via cbor2, deterministic for a given document. Object members keep
  their order (cbor2's ``canonical`` mode would sort keys, and the JSON would then not
  round-trip byte for byte); integers are limited to CBOR's native 64-bit range; floats
  are always 8-byte IEEE 754, so every float round-trips exactly.
- **zlib**: RFC 1950 at level 9 with the preset dictionary :data:`ZDICT_V1` (common
  substrings of OB 3.0 / VC documents that the term table does not cover). The zlib
  wrapper, rather than raw DEFLATE, costs 10 bytes and buys an Adler-32 check, so a
  bit flipped anywhere is refused instead of decoding to another document, and the
  header's dictionary id names the dictionary in use.
- **base45** (RFC 9285): its alphabet is the QR alphanumeric set, so a QR code holds it
  at 5.5 bits per character.

Limits (SECURITY.md Q01-Q03): a payload is at most :data:`MAX_PAYLOAD_CHARS`; inflation
stops at :data:`MAX_INFLATED_BYTES` or at :data:`MAX_RATIO` times the compressed size;
bytes after the zlib stream are refused; the tree is bounded like any JSON document
(:mod:`vc.jsontext`), and a CBOR value shared or referenced several times cannot expand it.

Other prefixes reuse the same pipeline and tables for other kinds of document
(:func:`encode_payload`, :func:`decode_payload`): ``LR1:`` is a presentation request
(:mod:`vc.request`). A decoder accepts its own prefix only, so one kind can never be read
as another.

**Links** (:func:`link_to`, :func:`payload_from_link`): ``BASE_URL#payload`` opens a
verifier page with the payload in the URL fragment, which a browser never sends to the
server; the page's own script reads it. A fragment may not hold a space or a bare ``%``,
the two base45 characters that are escaped (``%20``, ``%25``); the rest stays in the QR
alphanumeric set. Reading a link never fetches it.

    >>> payload = encode_envelope({"@context": ["https://www.w3.org/ns/credentials/v2"]})
    >>> payload[:4]
    'LV1:'
    >>> decode_envelope(payload)
    {'@context': ['https://www.w3.org/ns/credentials/v2']}
    >>> payload_from_link(link_to("https://verify.example/", payload)) == payload
    True
"""

from __future__ import annotations

import io
import math
import urllib.parse
import zlib
from typing import Final, Literal

import cbor2

from vc.errors import MalformedDocumentError
from vc.jsontext import MAX_ARRAY_LENGTH, MAX_DEPTH, MAX_STRING_LENGTH
from vc.types import JSONObject, JSONValue

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
    "KEY_TERMS",
    "VALUE_TERMS",
    "ZDICT_V1",
    "MAX_PAYLOAD_CHARS",
    "MAX_INFLATED_BYTES",
    "MAX_RATIO",
]

PREFIX: Final = "LV1:"
MAX_PAYLOAD_CHARS: Final = 8 * 1024
MAX_INFLATED_BYTES: Final = 256 * 1024
MAX_RATIO: Final = 100
TERM_TAG: Final = 6  # unassigned in the IANA CBOR tag registry; private to this format

EnvelopeStage = Literal["link", "unprefix", "base45", "inflate", "cbor", "parse"]

# Object keys, most frequent first (indexes 0-23 encode in one CBOR byte). Append-only is
# NOT enough: any change to this table, VALUE_TERMS or ZDICT_V1 needs a new PREFIX.
KEY_TERMS: Final[tuple[str, ...]] = (
    "@context", "id", "type", "name", "description", "issuer", "validFrom", "validUntil",
    "credentialSubject", "achievement", "criteria", "narrative", "proof", "cryptosuite",
    "created", "verificationMethod", "proofPurpose", "proofValue", "challenge", "domain",
    "holder", "verifiableCredential", "credentialStatus", "image",
    # 24 and up: two CBOR bytes
    "statusPurpose", "statusListIndex", "statusListCredential", "credentialSchema", "url",
    "email", "achievementType", "alignment", "result", "resultDescription", "evidence",
    "identifier", "hashed", "salt", "identityHash", "identityType", "endorsement",
    "awardedDate", "caption", "creator", "tag", "inLanguage", "version", "previousProof",
    "nonce", "expires", "issuanceDate", "expirationDate", "termsOfUse", "refreshService",
    "@id", "@type", "@value", "@language", "phone", "address", "otherIdentifier", "source",
    "creditsAvailable", "creditsEarned", "humanCode", "fieldOfStudy", "specialization",
    "activityStartDate", "activityEndDate", "role", "term", "licenseNumber", "achievedLevel",
    "additionalName", "addressCountry", "addressCountryCode", "addressLocality",
    "addressRegion", "allowedValue", "audience", "dateOfBirth", "endorsementComment",
    "familyName", "familyNamePrefix", "genre", "geo", "givenName", "honorificPrefix",
    "honorificSuffix", "identifierType", "latitude", "level", "longitude", "official",
    "parentOrg", "patronymicName", "points", "postOfficeBoxNumber", "postalCode", "related",
    "requiredLevel", "requiredValue", "resultType", "rubricCriterionLevel", "status",
    "streetAddress", "targetCode", "targetDescription", "targetFramework", "targetName",
    "targetType", "targetUrl", "value", "valueMax", "valueMin", "encodedList",
    "statusMessage", "statusSize", "statusReference", "ttl",
)  # fmt: skip

# String values replaced by tag 6(index): the bundled context URLs, then common types and
# proof vocabulary.
VALUE_TERMS: Final[tuple[str, ...]] = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "VerifiableCredential", "OpenBadgeCredential", "VerifiablePresentation", "Profile",
    "AchievementSubject", "Achievement", "DataIntegrityProof", "eddsa-rdfc-2022",
    "eddsa-jcs-2022", "assertionMethod", "authentication", "AchievementCredential",
    "Criteria", "Image", "BitstringStatusListEntry", "revocation", "suspension",
    "Ed25519Signature2020", "Evidence", "IdentityObject", "Result", "ResultDescription",
    # 24 and up: three CBOR bytes
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    "https://www.w3.org/2018/credentials/v1",
    "https://www.w3.org/ns/credentials/examples/v2",
    "https://www.w3.org/2018/credentials/examples/v1",
    "https://www.w3.org/ns/credentials/undefined-terms/v2",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/security/multikey/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://w3id.org/security/suites/x25519-2020/v1",
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/v1",
    "https://w3id.org/security/v2",
    "https://www.w3.org/ns/credentials/status/v1",
    "https://w3id.org/vc/status-list/2021/v1",
    "EndorsementCredential", "EndorsementSubject", "Alignment", "Address", "GeoCoordinates",
    "IdentifierEntry", "Related", "RubricCriterionLevel", "BitstringStatusListCredential",
    "BitstringStatusList", "StatusList2021Entry", "StatusList2021Credential",
    "StatusList2021", "1EdTechJsonSchemaValidator2019", "JsonSchema", "emailAddress",
    "Badge", "Certificate", "Certification", "Competency", "Course", "Degree", "Diploma",
    "LearningProgram", "License", "Membership", "Skill", "Multikey", "capabilityInvocation",
)  # fmt: skip

# The preset dictionary: substrings that survive the term rewrite. zlib finds the nearest
# match cheapest, so the most frequent pieces come last.
ZDICT_V1: Final = (
    b"RubricCriterionLevelrubricCriterionLevelEndorsementSubjectendorsementComment"
    b"targetFrameworktargetDescriptiontargetCodetargetTypetargetNametargetUrl"
    b"https://purl.imsglobal.org/spec/ob/v3p0/https://example.edu/credentials/"
    b"https://example.org/did:web:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA"
    b"data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmci"
    b"Issued by Certificate of completion for the course in School District University"
    b"Designs and uses assessment to the and of Three lesson plans scored proficient on "
    b"the rubric.T00:00:00Z2025-2026-urn:uuid:did:key:z6Mkdid:key:z6Mk#z6Mk"
)

_KEY_INDEX: Final = {key: index for index, key in enumerate(KEY_TERMS)}
_VALUE_INDEX: Final = {value: index for index, value in enumerate(VALUE_TERMS)}
_MIN_INT: Final = -(2**64)
_MAX_INT: Final = 2**64 - 1

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


# --- the term rewrite --------------------------------------------------------------------


def _to_cbor(value: object, depth: int) -> object:
    if depth > MAX_DEPTH:
        raise EnvelopeError(f"the document is nested deeper than {MAX_DEPTH} levels", stage="parse")
    if isinstance(value, str):
        index = _VALUE_INDEX.get(value)
        return value if index is None else cbor2.CBORTag(TERM_TAG, index)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not _MIN_INT <= value <= _MAX_INT:
            raise EnvelopeError("an integer is outside the 64-bit range", stage="parse")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EnvelopeError(f"{value} is not a JSON number", stage="parse")
        return value
    if isinstance(value, list):
        return [_to_cbor(item, depth + 1) for item in value]
    if isinstance(value, dict):
        out: dict[object, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise EnvelopeError("an object key is not a string", stage="parse")
            out[_KEY_INDEX.get(key, key)] = _to_cbor(item, depth + 1)
        return out
    raise EnvelopeError(f"a {type(value).__name__} is not a JSON value", stage="parse")


class _Budget:
    """Every decoded node and character must have cost at least one inflated byte.

    CBOR value sharing (tags 28/29) and string references (tag 256) let a small input
    name one value many times; this bound refuses any such expansion, and cycles.
    """

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise EnvelopeError("the CBOR data reuses values", stage="parse")


def _from_cbor(value: object, depth: int, budget: _Budget) -> JSONValue:
    budget.spend(1)
    if depth > MAX_DEPTH:
        raise EnvelopeError(f"the document is nested deeper than {MAX_DEPTH} levels", stage="parse")
    if isinstance(value, str):
        budget.spend(len(value))
        if len(value) > MAX_STRING_LENGTH:
            raise EnvelopeError(f"a string is longer than {MAX_STRING_LENGTH}", stage="parse")
        if value in _VALUE_INDEX:
            raise EnvelopeError("a table term is spelled out (not canonical)", stage="parse")
        return value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not _MIN_INT <= value <= _MAX_INT:
            raise EnvelopeError("an integer is outside the 64-bit range", stage="parse")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EnvelopeError(f"{value} is not a JSON number", stage="parse")
        return value
    if isinstance(value, cbor2.CBORTag):
        index = value.value
        if value.tag != TERM_TAG or type(index) is not int or not 0 <= index < len(VALUE_TERMS):
            raise EnvelopeError(f"CBOR tag {value.tag} has no meaning here", stage="parse")
        return VALUE_TERMS[index]
    if isinstance(value, list):
        if len(value) > MAX_ARRAY_LENGTH:
            raise EnvelopeError(f"an array holds over {MAX_ARRAY_LENGTH} items", stage="parse")
        return [_from_cbor(item, depth + 1, budget) for item in value]
    if isinstance(value, dict):
        out: dict[str, JSONValue] = {}
        for raw_key, item in value.items():
            budget.spend(1)
            if type(raw_key) is int and 0 <= raw_key < len(KEY_TERMS):
                key = KEY_TERMS[raw_key]
            elif isinstance(raw_key, str) and raw_key not in _KEY_INDEX:
                budget.spend(len(raw_key))
                key = raw_key
            else:
                raise EnvelopeError("an object key is not a string or a table term", stage="parse")
            if key in out:
                raise EnvelopeError(f"duplicate key {key[:64]!r}", stage="parse")
            out[key] = _from_cbor(item, depth + 1, budget)
        return out
    raise EnvelopeError(f"a CBOR {type(value).__name__} is not a JSON value", stage="parse")


# --- the envelope ------------------------------------------------------------------------


def encode_envelope(document: JSONObject) -> str:
    """Encode a JSON object (a credential or presentation) as an ``LV1:`` QR payload.

    Raises:
        EnvelopeError: `document` is not JSON (stage ``parse``), or the payload would
            exceed :data:`MAX_PAYLOAD_CHARS` (code ``envelope_too_large``).
    """
    return encode_payload(document, prefix=PREFIX)


def encode_payload(document: JSONObject, *, prefix: str, max_chars: int = MAX_PAYLOAD_CHARS) -> str:
    """Encode a JSON object with this format's pipeline under another `prefix`.

    Raises:
        EnvelopeError: as :func:`encode_envelope`, with `max_chars` as the limit.
    """
    if not isinstance(document, dict):
        raise EnvelopeError("an envelope holds a JSON object", stage="parse")
    tree = _to_cbor(document, 0)
    try:
        data = cbor2.dumps(tree)
    except (UnicodeError, ValueError, cbor2.CBOREncodeError) as exc:
        raise EnvelopeError(f"cannot encode the document: {exc}", stage="parse") from None
    compressor = zlib.compressobj(level=9, wbits=15, memLevel=9, zdict=ZDICT_V1)
    payload = prefix + b45encode(compressor.compress(data) + compressor.flush())
    if len(payload) > max_chars:
        raise EnvelopeError(
            f"the payload would be {len(payload)} characters (limit {max_chars})",
            stage="unprefix",
            code="envelope_too_large",
        )
    return payload


def _inflate(data: bytes, max_inflated: int) -> bytes:
    limit = min(max_inflated, MAX_RATIO * len(data))
    inflater = zlib.decompressobj(wbits=15, zdict=ZDICT_V1)
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
    if inflater.unused_data:
        raise EnvelopeError(
            f"{len(inflater.unused_data)} bytes follow the compressed data", stage="inflate"
        )
    return out


def decode_envelope(payload: str) -> JSONObject:
    """Decode an ``LV1:`` QR payload back to the exact JSON object that was encoded.

    Raises:
        EnvelopeError: with the failing `stage`; code ``envelope_too_large`` for a
            payload over :data:`MAX_PAYLOAD_CHARS` or data that inflates too far.
    """
    return decode_payload(payload, prefix=PREFIX)


def decode_payload(
    payload: str,
    *,
    prefix: str,
    max_chars: int = MAX_PAYLOAD_CHARS,
    max_inflated: int = MAX_INFLATED_BYTES,
) -> JSONObject:
    """Decode a payload written by :func:`encode_payload` under exactly `prefix`.

    Raises:
        EnvelopeError: as :func:`decode_envelope`, with the limits given.
    """
    if len(payload) > max_chars:
        raise EnvelopeError(
            f"the payload is {len(payload)} characters (limit {max_chars})",
            stage="unprefix",
            code="envelope_too_large",
        )
    if not payload.startswith(prefix):
        shown = payload.split(":", 1)[0][:8] if ":" in payload else payload[:8]
        raise EnvelopeError(
            f"unknown envelope version {shown!r} (this laurel reads {prefix!r})", stage="unprefix"
        )
    data = _inflate(b45decode(payload[len(prefix) :]), max_inflated)
    stream = io.BytesIO(data)
    try:
        tree = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, RecursionError, ValueError, MemoryError) as exc:
        raise EnvelopeError(f"the CBOR data is invalid: {exc}", stage="cbor") from None
    if stream.tell() != len(data):
        raise EnvelopeError(f"{len(data) - stream.tell()} bytes follow the CBOR item", stage="cbor")
    if not isinstance(tree, dict):
        raise EnvelopeError("the envelope does not hold a JSON object", stage="parse")
    document = _from_cbor(tree, 0, _Budget(len(data)))
    assert isinstance(document, dict)  # noqa: S101 - a dict maps to a dict
    if cbor2.dumps(_to_cbor(document, 0)) != data:
        # duplicate keys (cbor2 keeps the last), indefinite or over-long lengths, half floats,
        # shared values...: one document, one encoding, so no two parsers can disagree
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
