"""Ed25519Signature2018: a Linked Data Signature carried as a detached, unencoded JWS.

The plugfest badges of 2022-2023 and many Open Badges 3.0 issuers of the VC 1.1 era
sign with this suite. Its ``jws`` is ``BASE64URL(header) + ".." + BASE64URL(signature)``
(RFC 7515 detached content, RFC 7797 ``"b64": false``), and the JWS signing input is
``ASCII(BASE64URL(header) + ".")`` followed by the raw 64 bytes of
``SHA-256(canonical proof options) || SHA-256(canonical document)``, both canonicalized
with URDNA2015 (= RDFC-1.0) under the document's ``@context``.

The header must be exactly ``{"alg": "EdDSA", "b64": false, "crit": ["b64"]}``: any other
algorithm, an encoded payload or an extra member is refused, whatever the signature.
Called by :func:`vc.proofs.verify_signature`, which has already checked the key type.
"""

from __future__ import annotations

import base64
import binascii

from vc._proof_suites import ED25519_SIGNATURE_2018, SignatureCheck, hash_data
from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document
from vc.keys import Ed25519PublicKey, PublicKey
from vc.types import JSONObject

__all__ = ["EXPECTED_HEADER", "signing_input", "verify"]

#: The one JOSE header Ed25519Signature2018 uses (jsonld-signatures' JwsLinkedDataSignature).
EXPECTED_HEADER: JSONObject = {"alg": "EdDSA", "b64": False, "crit": ["b64"]}
_MAX_HEADER_CHARS = 512


def _b64url_decode(value: str) -> bytes:
    if "=" in value or not value.isascii():
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def signing_input(encoded_header: str, hash_data: bytes) -> bytes:
    """The bytes Ed25519 signs for a ``b64: false`` detached JWS (RFC 7797, "Unencoded Payload")."""
    return encoded_header.encode("ascii") + b"." + hash_data


def verify(
    document: JSONObject,
    proof: JSONObject,
    public_key: PublicKey,
    prepared: tuple[JSONObject, JSONObject] | SignatureCheck,
) -> SignatureCheck:
    """Check an Ed25519Signature2018 proof's ``jws`` over `prepared` (unsecured doc, proof options)."""

    def invalid(reason: str, message: str) -> SignatureCheck:
        return SignatureCheck(False, reason, message)

    jws = proof.get("jws")
    if not isinstance(jws, str):
        return invalid(
            "malformed_value", "an Ed25519Signature2018 proof carries its signature in 'jws'"
        )
    parts = jws.split(".")
    if len(parts) != 3 or parts[1] != "" or len(parts[0]) > _MAX_HEADER_CHARS:
        return invalid("malformed_value", "jws is not a detached compact JWS ('header..signature')")
    try:
        header = parse_document(_b64url_decode(parts[0]), max_bytes=_MAX_HEADER_CHARS)
        signature = _b64url_decode(parts[2])
    except (ValueError, binascii.Error, MalformedDocumentError):
        return invalid("malformed_value", "jws is not base64url-encoded JSON and signature")
    if header != EXPECTED_HEADER or header["b64"] is not False:
        return invalid(
            "unsupported_header",
            'the JWS header must be exactly {"alg":"EdDSA","b64":false,"crit":["b64"]}',
        )
    if not isinstance(public_key, Ed25519PublicKey) or len(signature) != 64:
        return invalid("malformed_value", "an Ed25519Signature2018 signature is 64 Ed25519 bytes")
    if isinstance(prepared, SignatureCheck):
        return prepared
    unsecured, options = prepared
    data = hash_data(ED25519_SIGNATURE_2018, unsecured, options)
    if not public_key.verify(signature, signing_input(parts[0], data)):
        return invalid("signature_invalid", "the signature does not match the document")
    return SignatureCheck(True, message="Ed25519Signature2018 signature is valid")
