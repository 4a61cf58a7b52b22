"""The Data Integrity cryptosuites: how each canonicalizes, which ones laurel verifies.

A suite turns a document and its proof configuration into canonical bytes (JCS or
RDFC-1.0); :func:`hash_data` hashes both into what a proof signs. :func:`suite_for`
picks a proof's suite from the allowlist only. Re-exported by :mod:`vc.proofs`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from vc import canon
from vc.errors import UnsupportedSuiteError
from vc.types import JSONObject

__all__ = [
    "ECDSA_JCS_2019",
    "ECDSA_RDFC_2019",
    "ECDSA_SUITES",
    "ED25519_SIGNATURE_2018",
    "ED25519_SIGNATURE_2020",
    "EDDSA_2022",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "VERIFY_SUITES",
    "Cryptosuite",
    "SignatureCheck",
    "hash_data",
    "suite_for",
]


class Cryptosuite(Protocol):
    """One way of turning a document and its proof configuration into signed bytes."""

    @property
    def name(self) -> str:
        """The cryptosuite name (or the legacy proof type)."""
        ...

    @property
    def proof_type(self) -> str:
        """The proof `type` this suite produces."""
        ...

    def canonical_document(self, unsecured: JSONObject) -> bytes:
        """The transformed (canonical) unsecured document."""
        ...

    def canonical_proof_config(self, proof_config: JSONObject) -> bytes:
        """The canonical proof configuration."""
        ...


@dataclass(frozen=True, slots=True)
class _JcsSuite:
    name: str = "eddsa-jcs-2022"
    proof_type: str = "DataIntegrityProof"

    def canonical_document(self, unsecured: JSONObject) -> bytes:
        return canon.jcs(unsecured)

    def canonical_proof_config(self, proof_config: JSONObject) -> bytes:
        return canon.jcs(proof_config)


@dataclass(frozen=True, slots=True)
class _RdfcSuite:
    name: str = "eddsa-rdfc-2022"
    proof_type: str = "DataIntegrityProof"

    def canonical_document(self, unsecured: JSONObject) -> bytes:
        return canon.rdfc(unsecured).encode("utf-8")

    def canonical_proof_config(self, proof_config: JSONObject) -> bytes:
        return canon.rdfc(proof_config).encode("utf-8")


EDDSA_JCS_2022 = _JcsSuite()
EDDSA_RDFC_2022 = _RdfcSuite()
# The draft name of eddsa-rdfc-2022 (early DCC issuers): the same algorithm.
EDDSA_2022 = _RdfcSuite(name="eddsa-2022")
ECDSA_RDFC_2019 = _RdfcSuite(name="ecdsa-rdfc-2019")
ECDSA_JCS_2019 = _JcsSuite(name="ecdsa-jcs-2019")
ED25519_SIGNATURE_2020 = _RdfcSuite(name="Ed25519Signature2020", proof_type="Ed25519Signature2020")
ED25519_SIGNATURE_2018 = _RdfcSuite(name="Ed25519Signature2018", proof_type="Ed25519Signature2018")

#: The DataIntegrityProof cryptosuites laurel verifies, by name.
VERIFY_SUITES: dict[str, Cryptosuite] = {
    s.name: s
    for s in (EDDSA_RDFC_2022, EDDSA_JCS_2022, EDDSA_2022, ECDSA_RDFC_2019, ECDSA_JCS_2019)
}
#: The suites verified with P-256 / P-384 keys; every other one takes an Ed25519 key.
ECDSA_SUITES = frozenset({ECDSA_RDFC_2019.name, ECDSA_JCS_2019.name})
_LEGACY_TYPES: dict[str, Cryptosuite] = {
    s.name: s for s in (ED25519_SIGNATURE_2020, ED25519_SIGNATURE_2018)
}


def suite_for(proof: JSONObject) -> Cryptosuite:
    """The suite a proof claims, from the allowlist only.

    Raises:
        UnsupportedSuiteError: any other type or cryptosuite.
    """
    proof_type = proof.get("type")
    if proof_type == "DataIntegrityProof":
        name = proof.get("cryptosuite")
        suite = VERIFY_SUITES.get(name) if isinstance(name, str) else None
        if suite is None:
            raise UnsupportedSuiteError(f"cryptosuite {str(name)[:40]!r} is not supported")
        return suite
    legacy = _LEGACY_TYPES.get(proof_type) if isinstance(proof_type, str) else None
    if legacy is not None:
        return legacy
    raise UnsupportedSuiteError(f"proof type {str(proof_type)[:40]!r} is not supported")


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def hash_data(
    suite: Cryptosuite,
    unsecured: JSONObject,
    proof_config: JSONObject,
    digest: Callable[[bytes], bytes] = _sha256,
) -> bytes:
    """The bytes a proof signs: H(proof configuration) || H(document).

    H is SHA-256, except for the ECDSA suites with a P-384 key (`digest` = SHA-384).
    """
    config_hash = digest(suite.canonical_proof_config(proof_config))
    document_hash = digest(suite.canonical_document(unsecured))
    return config_hash + document_hash


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """The outcome of checking one proof's signature.

    `reason` is a stable code when not valid: ``signature_invalid``,
    ``malformed_value``, ``context_mismatch``, ``malformed``.
    """

    valid: bool
    reason: str = ""
    message: str = ""
