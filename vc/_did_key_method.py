"""did:key, resolved locally: the key decoded from the DID, and its document built from it.

The hot part of verification: a did:key DID is decoded and point-checked once (the
documents are cached), and its document answers for the key's own method at once.
"""

from __future__ import annotations

import functools

import nacl.bindings

from vc._did_document import RELATIONSHIPS, DidDocument, VerificationMethod
from vc._did_syntax import DID_PATTERN
from vc.errors import DidResolutionError
from vc.keys import (
    ED25519_PUB_PREFIX,
    P256_PUB_PREFIX,
    P384_PUB_PREFIX,
    EcdsaPublicKey,
    Ed25519PublicKey,
    MultibaseError,
    PublicKey,
    decode_multibase_btc,
    encode_multibase_btc,
)
from vc.types import JSONObject

__all__ = ["DID_KEY_CONTEXTS", "did_key_from_public_key", "resolve_did_key"]

DID_KEY_CONTEXTS = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
_X25519_PUB_PREFIX = b"\xec\x01"


def did_key_from_public_key(public_key: PublicKey) -> str:
    """The did:key DID of a public key (Ed25519, P-256 or P-384)."""
    return f"did:key:{public_key.multibase}"


def _decode_did_key(did: str) -> PublicKey:
    # did:key spec, "Decode Public Key Algorithm".
    if DID_PATTERN.fullmatch(did) is None or not did.startswith("did:key:"):
        raise DidResolutionError(f"{did[:120]!r} is not a did:key DID", code="invalidDid")
    value = did.removeprefix("did:key:")
    if ":" in value or not value.startswith("z"):
        raise DidResolutionError(
            "a did:key identifier is one base58btc multibase value ('z...')", code="invalidDid"
        )
    try:
        data = decode_multibase_btc(value)
    except MultibaseError as exc:
        raise DidResolutionError(
            f"did:key value is not base58btc: {exc}", code="invalidDid"
        ) from exc
    if data.startswith((P256_PUB_PREFIX, P384_PUB_PREFIX)):
        try:
            return EcdsaPublicKey.from_multibase(value)
        except ValueError as exc:
            raise DidResolutionError(
                f"did:key holds an invalid EC key: {exc}", code="invalidPublicKey"
            ) from exc
    if not data.startswith(ED25519_PUB_PREFIX):
        raise DidResolutionError(
            f"did:key holds a {_codec_name(data)} key; laurel supports Ed25519 (0xed), "
            "P-256 (0x1200) and P-384 (0x1201)",
            code="invalidPublicKeyType",
        )
    raw = data[len(ED25519_PUB_PREFIX) :]
    if len(raw) != 32:
        raise DidResolutionError(
            f"an Ed25519 did:key holds 32 key bytes, not {len(raw)}", code="invalidPublicKeyLength"
        )
    # Canonical encoding, on the curve, not of small order (RFC 8032; "Taming EdDSAs").
    if not nacl.bindings.crypto_core_ed25519_is_valid_point(raw):
        raise DidResolutionError(
            "did:key holds an Ed25519 key that is not a valid point of the main subgroup",
            code="invalidPublicKey",
        )
    return Ed25519PublicKey(raw)


def _codec_name(data: bytes) -> str:
    from multiformats import multicodec  # only on this error path: a 65 ms import

    try:
        codec, _ = multicodec.unwrap(data)
    except (KeyError, ValueError):
        return "unknown multicodec"
    return f"{codec.name} (0x{codec.code:x})"


@functools.lru_cache(maxsize=4096)
def resolve_did_key(did: str) -> DidDocument:
    """The DID document of a did:key DID; each DID is decoded and point-checked once.

    Raises:
        DidResolutionError: ``invalidDid``, ``invalidPublicKey``,
            ``invalidPublicKeyLength`` or ``invalidPublicKeyType``.
    """
    public_key = _decode_did_key(did)
    return _DidKeyDocument(did, public_key)


class _DidKeyDocument(DidDocument):
    """A did:key document, built as the did:key spec's "Create" makes it, on demand.

    Verification needs only the key's method and the relationships it is listed
    under: those are ready at once; the JSON (with the X25519 keyAgreement key, which
    costs a curve conversion) is made when someone asks for it.
    """

    __slots__ = ("_did", "_key", "_vm_id")

    def __init__(self, did: str, public_key: PublicKey) -> None:
        super().__init__({})
        self._did, self._key = did, public_key
        # The fingerprint is the DID's own multibase value (decoding checked it).
        self._vm_id = f"{did}#{did.removeprefix('did:key:')}"
        self._methods[self._vm_id] = VerificationMethod(
            id=self._vm_id, type="Multikey", controller=did, public_key=public_key
        )

    @property
    def id(self) -> str:
        """The DID the document describes."""
        return self._did

    def relationship(self, name: str) -> tuple[str, ...]:
        """The verification method ids listed under a relationship (absolute ids)."""
        if name in (
            "authentication",
            "assertionMethod",
            "capabilityDelegation",
            "capabilityInvocation",
        ):
            return (self._vm_id,)
        self._build()
        return super().relationship(name)

    def verification_method(self, vm_id: str) -> VerificationMethod:
        """The verification method with this absolute id (the key's own, at once)."""
        if vm_id == self._vm_id:
            return self._methods[vm_id]
        self._build()
        return super().verification_method(vm_id)

    def _build(self) -> None:
        if self._document:
            return
        did, fingerprint = self._did, self._did.removeprefix("did:key:")
        document: JSONObject = {
            "@context": list(DID_KEY_CONTEXTS),
            "id": did,
            "verificationMethod": [
                {
                    "id": self._vm_id,
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": fingerprint,
                }
            ],
        }
        for name in RELATIONSHIPS:
            if name != "keyAgreement":
                document[name] = [self._vm_id]
        if isinstance(self._key, Ed25519PublicKey):
            x25519 = nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(self._key.raw)
            x_fingerprint = encode_multibase_btc(_X25519_PUB_PREFIX + x25519)
            document["keyAgreement"] = [
                {
                    "id": f"{did}#{x_fingerprint}",
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": x_fingerprint,
                }
            ]
        self._document.update(document)

    def to_json(self) -> JSONObject:
        """The DID document as JSON (a copy: resolved documents are cached and shared)."""
        self._build()
        return super().to_json()
