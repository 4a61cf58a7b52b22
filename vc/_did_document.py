"""DID documents: the resolved document, its verification methods and the keys they hold."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

import base58
import nacl.bindings

from vc.errors import DidResolutionError
from vc.keys import Ed25519PublicKey, PublicKey, public_key_from_jwk, public_key_from_multikey
from vc.types import JSONObject, JSONValue

__all__ = ["RELATIONSHIPS", "DidDocument", "VerificationMethod", "verification_method_from_json"]

#: DID Core's verification relationships.
RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
)


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """A verification method holding a public key (Ed25519, P-256 or P-384)."""

    id: str
    type: str
    controller: str
    public_key: PublicKey


class DidDocument:
    """A resolved DID document; the original JSON is kept unchanged."""

    __slots__ = ("_document", "_methods")

    def __init__(self, document: JSONObject) -> None:
        self._document = document
        # Decoding and point-checking a key costs more than verifying a signature;
        # a document's methods are decoded once.
        self._methods: dict[str, VerificationMethod] = {}

    @property
    def id(self) -> str:
        """The DID the document describes."""
        value = self._document.get("id")
        return value if isinstance(value, str) else ""

    @property
    def assertion_method(self) -> tuple[str, ...]:
        """The ids of the verification methods authorized to issue credentials."""
        return self.relationship("assertionMethod")

    def relationship(self, name: str) -> tuple[str, ...]:
        """The verification method ids listed under a relationship (absolute ids)."""
        entries = self._document.get(name)
        ids: list[str] = []
        for entry in entries if isinstance(entries, list) else []:
            ref = entry.get("id") if isinstance(entry, dict) else entry
            if isinstance(ref, str):
                ids.append(self._absolute(ref))
        return tuple(ids)

    def _absolute(self, ref: str) -> str:
        return f"{self.id}{ref}" if ref.startswith("#") else ref

    def verification_method(self, vm_id: str) -> VerificationMethod:
        """The verification method with this absolute id.

        Raises:
            DidResolutionError: ``notFound`` if absent, ``invalidPublicKey`` or
                ``invalidPublicKeyType`` if its key is unusable.
        """
        cached = self._methods.get(vm_id)
        if cached is not None:
            return cached
        candidates: list[JSONValue] = []
        for key in ("verificationMethod", *RELATIONSHIPS):
            entries = self._document.get(key)
            if isinstance(entries, list):
                candidates.extend(e for e in entries if isinstance(e, dict))
        for entry in candidates:
            assert isinstance(entry, dict)
            entry_id = entry.get("id")
            if isinstance(entry_id, str) and self._absolute(entry_id) == vm_id:
                method = verification_method_from_json(vm_id, entry)
                self._methods[vm_id] = method
                return method
        raise DidResolutionError(
            f"{self.id} has no verification method {vm_id[:160]!r}", code="notFound"
        )

    def to_json(self) -> JSONObject:
        """The DID document as JSON (a copy: resolved documents are cached and shared)."""
        return copy.deepcopy(self._document)


def verification_method_from_json(vm_id: str, entry: Mapping[str, JSONValue]) -> VerificationMethod:
    """Read one verification method object (its key by its type) as `vm_id`.

    Raises:
        DidResolutionError: ``invalidDidDocument``, ``invalidPublicKey`` or
            ``invalidPublicKeyType``.
    """
    vm_type = entry.get("type")
    controller = entry.get("controller")
    if not isinstance(vm_type, str) or not isinstance(controller, str):
        raise DidResolutionError(
            f"verification method {vm_id[:160]} lacks a type or controller",
            code="invalidDidDocument",
        )
    multibase = entry.get("publicKeyMultibase")
    base58_key = entry.get("publicKeyBase58")
    jwk = entry.get("publicKeyJwk")
    public_key: PublicKey
    try:
        if vm_type == "Multikey" and isinstance(multibase, str):
            public_key = public_key_from_multikey(multibase)
        elif vm_type == "Ed25519VerificationKey2020" and isinstance(multibase, str):
            public_key = Ed25519PublicKey.from_multibase(multibase)
        elif vm_type == "Ed25519VerificationKey2018" and isinstance(base58_key, str):
            public_key = Ed25519PublicKey(base58.b58decode(base58_key))
        elif vm_type in ("JsonWebKey", "JsonWebKey2020") and isinstance(jwk, dict):
            public_key = public_key_from_jwk(jwk)
        else:
            raise DidResolutionError(
                f"verification method type {vm_type[:60]!r} does not hold a key laurel can read "
                "(Multikey, Ed25519VerificationKey2020/2018, JsonWebKey(2020))",
                code="invalidPublicKeyType",
            )
    except (ValueError, TypeError) as exc:
        raise DidResolutionError(
            f"verification method {vm_id[:160]} holds an invalid key: {exc}",
            code="invalidPublicKey",
        ) from exc
    if isinstance(public_key, Ed25519PublicKey) and (
        not nacl.bindings.crypto_core_ed25519_is_valid_point(public_key.raw)
    ):
        raise DidResolutionError(
            f"verification method {vm_id[:160]} holds an invalid Ed25519 point",
            code="invalidPublicKey",
        )
    return VerificationMethod(id=vm_id, type=vm_type, controller=controller, public_key=public_key)
