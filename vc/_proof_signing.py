"""Signing: a Data Integrity proof created with laurel's Ed25519 key, added to a document.

laurel signs with ``eddsa-rdfc-2022`` and ``eddsa-jcs-2022`` only (:data:`CRYPTOSUITES`).
Re-exported by :mod:`vc.proofs`.
"""

from __future__ import annotations

from collections.abc import Callable

from vc._proof_sets import _is_datetime_stamp, unsecured_document
from vc._proof_suites import EDDSA_JCS_2022, EDDSA_RDFC_2022, Cryptosuite, hash_data
from vc.errors import SigningError, UnsupportedSuiteError
from vc.keys import Ed25519KeyPair, encode_multibase_btc
from vc.types import JSONObject, JSONValue

__all__ = ["CRYPTOSUITES", "add_proof", "create_proof"]

#: The suites laurel signs with, by cryptosuite name.
CRYPTOSUITES: dict[str, Cryptosuite] = {s.name: s for s in (EDDSA_RDFC_2022, EDDSA_JCS_2022)}


def create_proof(
    document: JSONObject,
    key: Ed25519KeyPair,
    verification_method: str,
    *,
    cryptosuite: str = "eddsa-rdfc-2022",
    proof_purpose: str = "assertionMethod",
    created: str | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
    expires: str | None = None,
) -> JSONObject:
    """Create a Data Integrity proof over `document`.

    The document's own proofs are left out of what is signed, unless
    `previous_proof` chains the new proof to some of them.

    Raises:
        UnsupportedSuiteError: `cryptosuite` is not eddsa-rdfc-2022 or eddsa-jcs-2022.
        SigningError: `created`/`expires` is not a dateTimeStamp.
        MalformedDocumentError: the document cannot be canonicalized.
    """
    suite = CRYPTOSUITES.get(cryptosuite)
    if suite is None:
        raise UnsupportedSuiteError(f"laurel does not sign with {cryptosuite!r}")
    proof: JSONObject = {"type": "DataIntegrityProof", "cryptosuite": cryptosuite}
    optional: list[tuple[str, JSONValue]] = [
        ("id", proof_id),
        ("created", created),
        ("expires", expires),
        ("verificationMethod", verification_method),
        ("proofPurpose", proof_purpose),
        ("challenge", challenge),
        ("domain", domain),
        (
            "previousProof",
            list(previous_proof) if isinstance(previous_proof, list) else previous_proof,
        ),
    ]
    for name, value in optional:
        if value is not None:
            proof[name] = value
    for name in ("created", "expires"):
        stamp = proof.get(name)
        if stamp is not None and (not _is_datetime_stamp(stamp)):
            raise SigningError(f"proof {name} {stamp!r} is not an XML Schema dateTimeStamp")
    unsecured = (
        unsecured_document(document, proof)
        if previous_proof is not None
        else {k: v for k, v in document.items() if k != "proof"}
    )
    config = dict(proof)
    if "@context" in unsecured:
        # VC-DI-EdDSA, "Proof Configuration": the configuration takes the document's @context.
        config["@context"] = unsecured["@context"]
    if suite.name == EDDSA_JCS_2022.name and "@context" in unsecured:
        proof["@context"] = unsecured["@context"]
    signature = key.sign(hash_data(suite, unsecured, config))
    proof["proofValue"] = encode_multibase_btc(signature)
    return proof


def add_proof(
    document: JSONObject,
    key: Ed25519KeyPair,
    verification_method: str,
    **options: str | list[str] | None,
) -> JSONObject:
    """Return a copy of `document` with one more proof (a proof set when it had one).

    Takes the keyword options of :func:`create_proof`.
    """
    create: Callable[..., JSONObject] = create_proof
    proof = create(document, key, verification_method, **options)
    existing = document.get("proof")
    secured = dict(document)
    if existing is None:
        secured["proof"] = proof
    else:
        secured["proof"] = [*(existing if isinstance(existing, list) else [existing]), proof]
    return secured
