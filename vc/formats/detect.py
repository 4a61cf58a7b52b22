"""Say what an input is, so that input laurel cannot verify is named, never "not valid JSON".

    >>> from vc.formats.detect import detect
    >>> detect(b'{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",'
    ...        b' "verification": {"type": "hosted"}}').description
    'an Open Badges 2.0 hosted assertion'
    >>> detect(b"eyJhbGciOiJFUzI1NiIsInR5cCI6InZjK3NkLWp3dCJ9.e30.c2ln~WyJzIiwibiIsInYiXQ~").kind
    'sd-jwt-vc'

:func:`detect` looks only at the shape of the bytes (magic numbers, JOSE headers,
``@context`` and ``type``): it verifies nothing, fetches nothing, and never raises.
Its `kind` is a stable identifier for the pipeline to dispatch on; its `description`
is a phrase for messages ("laurel cannot read a CBOR credential yet: this is ...").
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from vc.errors import MalformedDocumentError
from vc.formats.ob2_contexts import OB2_CONTEXTS
from vc.jsontext import parse_document
from vc.types import JSONObject, JSONValue

__all__ = ["KINDS", "Detected", "detect", "detect_document"]

#: Every kind :func:`detect` may answer, with its description.
KINDS: dict[str, str] = {
    "vc-2.0": "a Data Integrity VC 2.0 credential",
    "vc-1.1": "a VC 1.1 credential",
    "vp-2.0": "a VC 2.0 presentation",
    "vp-1.1": "a VC 1.1 presentation",
    "vc-jwt": "a VC-JWT",
    "vp-jwt": "a presentation as a JWT",
    "sd-jwt-vc": "an SD-JWT VC",
    "jwe": "an encrypted JWT (JWE)",
    "jwt": "a JWT that carries no credential",
    "ob2-hosted": "an Open Badges 2.0 hosted assertion",
    "ob2-signed": "an Open Badges 2.0 signed assertion",
    "ob2-badge-class": "an Open Badges 2.0 BadgeClass (a badge's description, not an award)",
    "ob2-issuer": "an Open Badges 2.0 Issuer profile",
    "ob2-key": "an Open Badges 2.0 CryptographicKey",
    "ob2-revocation-list": "an Open Badges 2.0 revocation list",
    "vc-unknown": "a credential whose data model context laurel does not know",
    "ob1": "an Open Badges 1.x assertion",
    "status-list": "a status list credential",
    "did-document": "a DID document",
    "baked-png": "a baked PNG",
    "baked-svg": "a baked SVG",
    "png": "a PNG image",
    "svg": "an SVG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "pdf": "a PDF document",
    "cbor": "CBOR data (maybe an ISO mdoc or a COSE credential)",
    "url": "a link",
    "qr-envelope": "a laurel QR payload",
    "json": "a JSON document that is not a credential",
    "json-invalid": "text that looks like JSON but is not valid JSON",
    "empty": "empty input",
    "text": "text that is not a credential",
    "binary": "binary data of an unknown kind",
}

_JWT = re.compile(rb"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_JWE = re.compile(
    rb"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"
)
_SD_JWT = re.compile(rb"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(~[A-Za-z0-9_.-]*)+~?")
_V2 = "https://www.w3.org/ns/credentials/v2"
_V1 = "https://www.w3.org/2018/credentials/v1"
_SNIFF_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Detected:
    """What an input is: a stable `kind` (a key of :data:`KINDS`) and how to say it."""

    kind: str

    @property
    def description(self) -> str:
        """The phrase for messages, e.g. ``"a VC-JWT"``."""
        return KINDS[self.kind]


def _strings(value: JSONValue) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _b64_json(part: bytes) -> JSONObject | None:
    try:
        return parse_document(
            base64.urlsafe_b64decode(part + b"=" * (-len(part) % 4)), max_bytes=_SNIFF_BYTES
        )
    except (ValueError, binascii.Error, MalformedDocumentError):
        return None


def _json_kind(document: JSONObject) -> str:
    contexts = _strings(document.get("@context"))
    types = set(_strings(document.get("type")))
    ob2 = any(c in OB2_CONTEXTS for c in contexts) or isinstance(document.get("@context"), dict)
    if ob2 or ("Assertion" in types and "badge" in document):
        if "Assertion" in types:
            verification = document.get("verification")
            declared = verification.get("type") if isinstance(verification, dict) else None
            return "ob2-signed" if declared in ("signed", "SignedBadge") else "ob2-hosted"
        if "BadgeClass" in types:
            return "ob2-badge-class"
        if types & {"Issuer", "Profile"}:
            return "ob2-issuer"
        if "CryptographicKey" in types:
            return "ob2-key"
        if "RevocationList" in types:
            return "ob2-revocation-list"
    if "recipient" in document and "badge" in document and "verify" in document:
        return "ob1"
    if types & {"BitstringStatusListCredential", "StatusList2021Credential"}:
        return "status-list"
    version = "2.0" if _V2 in contexts else "1.1" if _V1 in contexts else None
    if version is not None and "VerifiablePresentation" in types:
        return f"vp-{version}"
    if version is not None and "VerifiableCredential" in types:
        return f"vc-{version}"
    if "VerifiableCredential" in types:
        return "vc-unknown"
    if str(document.get("id", "")).startswith("did:") and (
        "verificationMethod" in document or "assertionMethod" in document
    ):
        return "did-document"
    return "json"


def detect_document(document: JSONObject) -> Detected:
    """Name what a parsed JSON document is (as :func:`detect` does for its bytes)."""
    return Detected(_json_kind(document))


def _jwt_kind(token: bytes) -> str:
    header_part, payload_part, _ = token.split(b".", 2)
    header = _b64_json(header_part)
    payload = _b64_json(payload_part)
    if header is None or payload is None:
        return "text"
    typ = str(header.get("typ", "")).lower()
    if typ in ("vc+sd-jwt", "dc+sd-jwt"):
        return "sd-jwt-vc"
    if "vp" in payload or typ in ("vp+jwt", "vp+ld+json+jwt"):
        return "vp-jwt"
    if "vc" in payload or "VerifiableCredential" in _strings(payload.get("type")):
        return "vc-jwt"
    if "badge" in payload and "recipient" in payload:
        return "ob2-signed"
    return "jwt"


def detect(data: bytes) -> Detected:
    """Name what `data` is, from its shape alone (never raises, never fetches)."""
    head = data[:16]
    if not data.strip():
        return Detected("empty")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("baked-png" if _baked(data) else "png")
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("jpeg")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Detected("gif")
    if head.startswith(b"%PDF-"):
        return Detected("pdf")
    text = data.strip().lstrip(b"\xef\xbb\xbf")
    if text[:1] == b"<" and b"<svg" in text[:4096]:
        return Detected("baked-svg" if _baked(data) else "svg")
    if text[:1] in (b"{", b"["):
        try:
            document = parse_document(data, max_bytes=_SNIFF_BYTES)
        except MalformedDocumentError:
            return Detected("json-invalid")
        return Detected(_json_kind(document))
    if _SD_JWT.fullmatch(text):
        return Detected("sd-jwt-vc")
    if _JWE.fullmatch(text):
        return Detected("jwe")
    if _JWT.fullmatch(text):
        return Detected(_jwt_kind(text))
    if text[:8].lower().startswith((b"https://", b"http://")):
        return Detected("url")
    if text[:3] in (b"LV1", b"LV2") or text.startswith(b"laurel:"):
        return Detected("qr-envelope")
    if text[:1] and (text[0] >> 5) in (4, 5, 6) and not text.isascii():
        return Detected("cbor")  # a CBOR array, map or tag (major types 4-6)
    if text.isascii():
        return Detected("text")
    return Detected("binary")


def _baked(data: bytes) -> bool:
    from vc.baking import BakingError, unbake_all

    try:
        return bool(unbake_all(data))
    except BakingError:
        return False
