"""What badge a text holds, read without verifying: its format and the document it carries.

For storing and showing a badge that was verified (or is being verified) elsewhere:
`laurel import` keeps the credential for listing and the original text for export.

    >>> read_badge(b'{"@context": ["https://www.w3.org/ns/credentials/v2"], '
    ...            b'"type": ["VerifiableCredential"]}').format
    'data-integrity'
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from vc.errors import MalformedDocumentError
from vc.formats.detect import detect
from vc.jsontext import parse_document
from vc.types import JSONObject

__all__ = ["BADGE_FORMATS", "ReadBadge", "read_badge"]

#: How a badge is secured: Data Integrity JSON, a VC-JWT, or an Open Badges 2.0 assertion.
BADGE_FORMATS = ("data-integrity", "vc-jwt", "ob2-hosted", "ob2-signed")


@dataclass(frozen=True, slots=True)
class ReadBadge:
    """A badge's format, the credential or assertion it carries, and its original text."""

    format: str
    document: JSONObject
    text: str


def _jws_payload(token: str) -> JSONObject:
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedDocumentError("not a compact JWS", code="ob2_malformed")
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        return parse_document(base64.urlsafe_b64decode(padded))
    except (ValueError, binascii.Error) as exc:
        raise MalformedDocumentError("the JWS payload is not JSON", code="ob2_malformed") from exc


def read_badge(data: bytes) -> ReadBadge:
    """The badge in `data`: JSON (Data Integrity, or an OB 2.0 hosted assertion), a VC-JWT, a JWS.

    Raises:
        MalformedDocumentError: not a badge laurel keeps (``unsupported``, naming
            what it is), or unreadable.
    """
    detected = detect(data)
    text = data.decode("utf-8", "replace").strip()
    if detected.kind == "vc-jwt":
        from vc.formats.jwt import credential_of

        return ReadBadge("vc-jwt", credential_of(text), text)
    if detected.kind == "ob2-signed" and not text.startswith("{"):
        return ReadBadge("ob2-signed", _jws_payload(text), text)
    if detected.kind == "ob2-hosted":
        return ReadBadge("ob2-hosted", parse_document(data), text)
    if text.startswith(("{", "[")) or detected.kind in ("json-invalid", "empty"):
        # A credential or presentation as JSON (whatever else it is, its checks say).
        return ReadBadge("data-integrity", parse_document(data), text)
    raise MalformedDocumentError(
        f"this is {detected.description}, not a badge laurel keeps", code="unsupported"
    )
