"""did:key documents in each public key format the did:key method defines.

    >>> from vc.did_key import KeyFormatOptions, did_key_document
    >>> did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    >>> doc = did_key_document(did, KeyFormatOptions("JsonWebKey"))
    >>> doc["verificationMethod"][0]["publicKeyJwk"]["crv"]
    'Ed25519'

The did:key method, "Document Creation Algorithm" and "Signature Method Creation
Algorithm": the resolution options ``publicKeyFormat`` (default ``Multikey``) and
``enableExperimentalPublicKeyTypes`` (default false) choose how the key is written.
A format the method does not know is ``unsupportedPublicKeyType``; one it knows but
calls experimental, while experimental types are off, is ``invalidPublicKeyType``.
The key-agreement method is written in the X25519 counterpart of the chosen format.
Verification in laurel always reads the Multikey form (:class:`vc.did.DidResolver`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import base58

from vc.did import DidResolver
from vc.errors import DidResolutionError
from vc.keys import MultibaseError, decode_multibase_btc
from vc.types import JSONObject, JSONValue

__all__ = ["KNOWN_FORMATS", "KeyFormatOptions", "did_key_document"]

_DID_V1 = "https://www.w3.org/ns/did/v1"
# Each format: the signature type, its key-agreement counterpart, and the contexts
# that define them (did:key, "Context Creation Algorithm").
_FORMATS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Multikey": ("Multikey", "Multikey", ("https://w3id.org/security/multikey/v1",)),
    "JsonWebKey": ("JsonWebKey", "JsonWebKey", ("https://w3id.org/security/jwk/v1",)),
    "Ed25519VerificationKey2020": (
        "Ed25519VerificationKey2020",
        "X25519KeyAgreementKey2020",
        (
            "https://w3id.org/security/suites/ed25519-2020/v1",
            "https://w3id.org/security/suites/x25519-2020/v1",
        ),
    ),
    "X25519KeyAgreementKey2020": (
        "Ed25519VerificationKey2020",
        "X25519KeyAgreementKey2020",
        (
            "https://w3id.org/security/suites/ed25519-2020/v1",
            "https://w3id.org/security/suites/x25519-2020/v1",
        ),
    ),
    # Experimental: only with enableExperimentalPublicKeyTypes.
    "Ed25519VerificationKey2018": (
        "Ed25519VerificationKey2018",
        "X25519KeyAgreementKey2019",
        (
            "https://w3id.org/security/suites/ed25519-2018/v1",
            "https://w3id.org/security/suites/x25519-2019/v1",
        ),
    ),
    "X25519KeyAgreementKey2019": (
        "Ed25519VerificationKey2018",
        "X25519KeyAgreementKey2019",
        (
            "https://w3id.org/security/suites/ed25519-2018/v1",
            "https://w3id.org/security/suites/x25519-2019/v1",
        ),
    ),
    "JsonWebKey2020": (
        "JsonWebKey2020",
        "JsonWebKey2020",
        ("https://w3id.org/security/suites/jws-2020/v1",),
    ),
}
#: Every publicKeyFormat laurel can write.
KNOWN_FORMATS = frozenset(_FORMATS)
# did:key, "Signature Method Creation Algorithm" and "Encryption Method Creation
# Algorithm": the types allowed while experimental types are off.
_SIGNATURE_TYPES = frozenset({"Multikey", "JsonWebKey", "Ed25519VerificationKey2020"})
_ENCRYPTION_TYPES = frozenset({"Multikey", "JsonWebKey", "X25519KeyAgreementKey2020"})


@dataclass(frozen=True, slots=True)
class KeyFormatOptions:
    """The did:key resolution options laurel reads."""

    public_key_format: str = "Multikey"
    enable_experimental_public_key_types: bool = False


def _jwk(crv: str, raw: bytes) -> JSONObject:
    # RFC 8037, "Octet Key Pair": kty OKP, the curve, x in base64url without padding.
    return {"kty": "OKP", "crv": crv, "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}


def _method(entry: JSONObject, vm_type: str, crv: str) -> JSONObject:
    multibase = entry.get("publicKeyMultibase")
    if not isinstance(multibase, str):
        raise DidResolutionError("a did:key method lacks its key", code="invalidDidDocument")
    try:
        raw = decode_multibase_btc(multibase)[2:]  # after the two-byte multicodec header
    except MultibaseError as exc:
        raise DidResolutionError(f"a did:key key cannot be read: {exc}", code="invalidDid") from exc
    method: JSONObject = {"id": entry["id"], "type": vm_type, "controller": entry["controller"]}
    if vm_type in ("Multikey", "Ed25519VerificationKey2020", "X25519KeyAgreementKey2020"):
        method["publicKeyMultibase"] = multibase
    elif vm_type in ("JsonWebKey", "JsonWebKey2020"):
        method["publicKeyJwk"] = _jwk(crv, raw)
    else:  # the 2018/2019 suites write the raw key in base58
        method["publicKeyBase58"] = base58.b58encode(raw).decode("ascii")
    return method


def did_key_document(did: str, options: KeyFormatOptions | None = None) -> JSONObject:
    """The DID document of `did` with its keys written in ``options.public_key_format``.

    Raises:
        DidResolutionError: ``invalidDid``, ``invalidPublicKeyLength``,
            ``invalidPublicKey`` (the DID), ``unsupportedPublicKeyType`` (an unknown
            format) or ``invalidPublicKeyType`` (an experimental one, not enabled).
    """
    options = options or KeyFormatOptions()
    document = DidResolver().resolve(did).to_json()  # invalidDid & co. for a bad DID
    chosen = options.public_key_format
    if chosen not in _FORMATS:
        raise DidResolutionError(
            f"publicKeyFormat {chosen[:60]!r} is not known; laurel writes {', '.join(sorted(_FORMATS))}",
            code="unsupportedPublicKeyType",
        )
    signature_type, agreement_type, contexts = _FORMATS[chosen]
    if not options.enable_experimental_public_key_types and (
        signature_type not in _SIGNATURE_TYPES or agreement_type not in _ENCRYPTION_TYPES
    ):
        raise DidResolutionError(
            f"publicKeyFormat {chosen!r} is experimental; set enableExperimentalPublicKeyTypes=true",
            code="invalidPublicKeyType",
        )
    if chosen == "Multikey":
        return document
    methods = document.get("verificationMethod")
    agreements = document.get("keyAgreement")
    out: JSONObject = {"@context": [_DID_V1, *contexts], "id": document["id"]}
    out["verificationMethod"] = [
        _method(m, signature_type, "Ed25519")
        for m in (methods if isinstance(methods, list) else [])
        if isinstance(m, dict)
    ]
    for relationship in (
        "authentication",
        "assertionMethod",
        "capabilityDelegation",
        "capabilityInvocation",
    ):
        value: JSONValue = document.get(relationship)
        if value is not None:
            out[relationship] = value
    out["keyAgreement"] = [
        _method(m, agreement_type, "X25519")
        for m in (agreements if isinstance(agreements, list) else [])
        if isinstance(m, dict)
    ]
    return out
