"""The reversible rewrite of a JSON tree into CBOR items, and back, for :mod:`vc.envelope`.

Two rewrites, both exact (the decoded JSON is byte for byte the one encoded):

- **Terms** (every envelope version). An object key found in :data:`KEY_TERMS` becomes the
  unsigned integer of its index (``"@context"`` -> ``0``); every other key stays a CBOR
  text string. JSON keys are always strings, so an integer key can only come from the
  table. A string *value* exactly equal to an entry of :data:`VALUE_TERMS` becomes
  ``CBOR tag 6`` wrapping its index. Plain integers stay plain integers, so ``0`` and
  ``"...credentials/v2"`` never meet.
- **Typed values** (``LV2`` and later). Strings that are binary data or dates spelled in
  text become their bytes or their number under a tag of their own, since a compressor
  spends 6 to 8 bits on each character of a base58 signature, but the signature itself is
  64 bytes: the random parts of a credential (signatures, keys, UUIDs) are what a QR code
  cannot compress.

  ========  =============================================  ===============================
  tag       the string                                     the CBOR content
  ========  =============================================  ===============================
  7         ``z`` + base58btc (multibase), >= 16 bytes     the bytes
  8         ``did:key:z...``                               the multibase value's bytes
  9         ``did:key:zK#zK`` (a did:key's own key)        the bytes of ``zK``
  10        ``urn:uuid:`` + a lowercase RFC 9562 UUID      its 16 bytes
  11        ``YYYY-MM-DDThh:mm:ssZ`` (years 0001-9999)     seconds since 1970 (an integer)
  12        ``u`` + base64url (multibase), >= 16 bytes     the bytes
  ========  =============================================  ===============================

  A string becomes a typed value only when rendering the value gives back exactly that
  string (``z1`` + leading zeros, padded base64, uppercase UUIDs, leap seconds stay text).

The decoder accepts only the canonical form, checked twice: here (a text key or value
that the table would have rewritten, an integer key outside the table, an unknown tag,
or a CBOR item with no JSON meaning is refused), and by :mod:`vc.envelope`, which
re-encodes the decoded document and requires the very same bytes.

Tags 6-12 are unassigned in the IANA CBOR tag registry; they are private to this format.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
import uuid
from typing import Final, TypeGuard

import base58
import cbor2

from vc.jsontext import MAX_ARRAY_LENGTH, MAX_DEPTH, MAX_STRING_LENGTH
from vc.types import JSONValue

__all__ = [
    "KEY_TERMS",
    "VALUE_TERMS",
    "TERM_TAG",
    "TYPED_TAGS",
    "TreeError",
    "Budget",
    "to_cbor",
    "from_cbor",
]

TERM_TAG: Final = 6
TAG_BASE58: Final = 7
TAG_DID_KEY: Final = 8
TAG_DID_KEY_URL: Final = 9
TAG_UUID_URN: Final = 10
TAG_DATETIME: Final = 11
TAG_BASE64URL: Final = 12
TYPED_TAGS: Final = frozenset(range(TAG_BASE58, TAG_BASE64URL + 1))

_MIN_BINARY: Final = 16  # shorter multibase strings are words as often as data
# base58 is quadratic in the length; keys and signatures are 34 and 64 bytes
_MAX_BASE58_BYTES: Final = 128
_MAX_BASE58_CHARS: Final = 176  # 128 bytes never take more
_MIN_INT: Final = -(2**64)
_MAX_INT: Final = 2**64 - 1

# Object keys, most frequent first (indexes 0-23 encode in one CBOR byte). Append-only is
# NOT enough: any change to this table or VALUE_TERMS needs a new envelope version.
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

_KEY_INDEX: Final = {key: index for index, key in enumerate(KEY_TERMS)}
_VALUE_INDEX: Final = {value: index for index, value in enumerate(VALUE_TERMS)}


class TreeError(ValueError):
    """A JSON value that cannot be rewritten, or a CBOR item that is not this format's."""


class Budget:
    """Every decoded node and character must have cost at least one inflated byte.

    CBOR value sharing (tags 28/29) and string references (tag 256) let a small input
    name one value many times; this bound refuses any such expansion, and cycles.
    """

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, amount: int) -> None:
        """Charge `amount`; raise :class:`TreeError` once more was spent than the input holds."""
        self.left -= amount
        if self.left < 0:
            raise TreeError("the CBOR data reuses values")


# --- typed values ------------------------------------------------------------------------

_DATETIME: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_FIRST_SECOND: Final = int((dt.datetime(1, 1, 1, tzinfo=dt.UTC) - _EPOCH).total_seconds())
_LAST_SECOND: Final = int(
    (dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC) - _EPOCH).total_seconds()
)


def _base58(text: str) -> bytes | None:
    if not text.isascii() or len(text) > _MAX_BASE58_CHARS:
        return None
    try:
        data = base58.b58decode(text)
    except ValueError:
        return None
    if len(data) > _MAX_BASE58_BYTES:
        return None
    return data if _render_base58(data) == text else None


def _base64url(text: str) -> bytes | None:
    if not text.isascii():
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if _render_base64url(data) == text else None


def _render_base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _render_base58(data: bytes) -> str:
    return base58.b58encode(data).decode("ascii")


def _render_datetime(seconds: int) -> str:
    when = _EPOCH + dt.timedelta(seconds=seconds)
    return (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
        f"T{when.hour:02d}:{when.minute:02d}:{when.second:02d}Z"
    )


def _typed(text: str) -> cbor2.CBORTag | None:
    """The typed value that renders back to exactly `text`, if there is one."""
    first = text[:1]
    if first == "z" and len(text) > 20:
        data = _base58(text[1:])
        if data is not None and len(data) >= _MIN_BINARY:
            return cbor2.CBORTag(TAG_BASE58, data)
    elif first == "d" and text.startswith("did:key:z"):
        value, hash_sign, fragment = text[8:].partition("#")
        data = _base58(value[1:])
        if data is not None and data:
            if not hash_sign:
                return cbor2.CBORTag(TAG_DID_KEY, data)
            if fragment == value:
                return cbor2.CBORTag(TAG_DID_KEY_URL, data)
    elif first == "u":
        if text.startswith("urn:uuid:") and len(text) == 45:
            try:
                parsed = uuid.UUID(text[9:])
            except ValueError:
                return None
            if str(parsed) == text[9:]:
                return cbor2.CBORTag(TAG_UUID_URN, parsed.bytes)
        elif len(text) > 21:
            data = _base64url(text[1:])
            if data is not None and len(data) >= _MIN_BINARY:
                return cbor2.CBORTag(TAG_BASE64URL, data)
    elif len(text) == 20 and _DATETIME.fullmatch(text):
        try:
            when = dt.datetime(
                int(text[0:4]), int(text[5:7]), int(text[8:10]),
                int(text[11:13]), int(text[14:16]), int(text[17:19]), tzinfo=dt.UTC,
            )  # fmt: skip
        except ValueError:
            return None
        seconds = int((when - _EPOCH).total_seconds())
        if _render_datetime(seconds) == text:
            return cbor2.CBORTag(TAG_DATETIME, seconds)
    return None


def _render(tag: cbor2.CBORTag) -> str:
    """The string a typed value stands for; :class:`TreeError` if its content is wrong."""
    content = tag.value
    if tag.tag == TAG_DATETIME:
        if type(content) is not int or not _FIRST_SECOND <= content <= _LAST_SECOND:
            raise TreeError("a date is not a number of seconds in years 0001-9999")
        return _render_datetime(content)
    if type(content) is not bytes:
        raise TreeError(f"CBOR tag {tag.tag} holds {type(content).__name__}, not bytes")
    if tag.tag == TAG_UUID_URN:
        if len(content) != 16:
            raise TreeError("a UUID is not 16 bytes")
        return f"urn:uuid:{uuid.UUID(bytes=content)}"
    if tag.tag == TAG_BASE64URL:
        return "u" + _render_base64url(content)
    if len(content) > _MAX_BASE58_BYTES:
        raise TreeError(f"base58 data over {_MAX_BASE58_BYTES} bytes is kept as text")
    text = _render_base58(content)
    if tag.tag == TAG_BASE58:
        return "z" + text
    if tag.tag == TAG_DID_KEY:
        return "did:key:z" + text
    return f"did:key:z{text}#z{text}"


# --- the two directions ------------------------------------------------------------------


def _is_scalar(value: object) -> TypeGuard[bool | int | float | None]:
    """Whether `value` is null, a boolean or a number; a number JSON cannot hold raises."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        if not _MIN_INT <= value <= _MAX_INT:
            raise TreeError("an integer is outside the 64-bit range")
        return True
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TreeError(f"{value} is not a JSON number")
        return True
    return False


def to_cbor(value: object, depth: int = 0, *, typed: bool) -> object:
    """The CBOR item for a JSON value, with terms (and typed values, if `typed`) rewritten.

    Raises:
        TreeError: not JSON (a non-string key, NaN, an integer beyond 64 bits, ...), or
            nested deeper than :data:`~vc.jsontext.MAX_DEPTH`.
    """
    if depth > MAX_DEPTH:
        raise TreeError(f"the document is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        index = _VALUE_INDEX.get(value)
        if index is not None:
            return cbor2.CBORTag(TERM_TAG, index)
        if typed:
            tagged = _typed(value)
            if tagged is not None:
                return tagged
        return value
    if _is_scalar(value):
        return value
    if isinstance(value, list):
        return [to_cbor(item, depth + 1, typed=typed) for item in value]
    if isinstance(value, dict):
        out: dict[object, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TreeError("an object key is not a string")
            out[_KEY_INDEX.get(key, key)] = to_cbor(item, depth + 1, typed=typed)
        return out
    raise TreeError(f"a {type(value).__name__} is not a JSON value")


def from_cbor(value: object, depth: int, budget: Budget, *, typed: bool) -> JSONValue:
    """The JSON value a decoded CBOR item stands for.

    Raises:
        TreeError: an item with no JSON meaning, a term spelled out, too deep, too long,
            or more output than `budget` allows.
    """
    budget.spend(1)
    if depth > MAX_DEPTH:
        raise TreeError(f"the document is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        budget.spend(len(value))
        if len(value) > MAX_STRING_LENGTH:
            raise TreeError(f"a string is longer than {MAX_STRING_LENGTH}")
        if value in _VALUE_INDEX:
            raise TreeError("a table term is spelled out (not canonical)")
        return value
    if _is_scalar(value):
        return value
    if isinstance(value, cbor2.CBORTag):
        return _from_tag(value, budget, typed=typed)
    if isinstance(value, list):
        if len(value) > MAX_ARRAY_LENGTH:
            raise TreeError(f"an array holds over {MAX_ARRAY_LENGTH} items")
        return [from_cbor(item, depth + 1, budget, typed=typed) for item in value]
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
                raise TreeError("an object key is not a string or a table term")
            if key in out:
                raise TreeError(f"duplicate key {key[:64]!r}")
            out[key] = from_cbor(item, depth + 1, budget, typed=typed)
        return out
    raise TreeError(f"a CBOR {type(value).__name__} is not a JSON value")


def _from_tag(tag: cbor2.CBORTag, budget: Budget, *, typed: bool) -> str:
    if tag.tag == TERM_TAG:
        index = tag.value
        if type(index) is not int or not 0 <= index < len(VALUE_TERMS):
            raise TreeError(f"CBOR tag {tag.tag} has no meaning here")
        return VALUE_TERMS[index]
    if not typed or tag.tag not in TYPED_TAGS:
        raise TreeError(f"CBOR tag {tag.tag} has no meaning here")
    content = tag.value
    budget.spend(len(content) if type(content) is bytes else 1)
    text = _render(tag)
    if len(text) > MAX_STRING_LENGTH:
        raise TreeError(f"a string is longer than {MAX_STRING_LENGTH}")
    return text
