"""Data Integrity proofs: eddsa-rdfc-2022, eddsa-jcs-2022, and the suites of real badges.

laurel signs with the first two. It verifies them and, for badges issued by others,
``eddsa-2022`` (the draft name of eddsa-rdfc-2022), ``Ed25519Signature2020``,
``Ed25519Signature2018`` (a detached JWS, :mod:`vc.jws2018`), ``ecdsa-rdfc-2019`` and
``ecdsa-jcs-2019`` (P-256 and P-384), alone, in proof sets and in proof chains. The
suite decides which kind of key may verify it: an EdDSA proof is never checked with
an EC key, nor the reverse.

    >>> from vc.keys import Ed25519KeyPair
    >>> from vc.proofs import add_proof, verify_signature, proofs_of
    >>> key = Ed25519KeyPair.from_seed(bytes(32))
    >>> vm = f"did:key:{key.public_key.multibase}#{key.public_key.multibase}"
    >>> signed = add_proof({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]},
    ...                    key, vm, cryptosuite="eddsa-jcs-2022", created="2024-01-01T00:00:00Z")
    >>> verify_signature(signed, proofs_of(signed)[0], key.public_key).valid
    True

Every suite reduces to the same shape (VC-DI-EdDSA, "Hashing"): the signature covers
``SHA-256(canonical proof configuration) || SHA-256(canonical document)``; with a
P-384 key the ECDSA suites hash with SHA-384 (VC-DI-ECDSA, "Hashing").

This module verifies one proof's signature (:func:`verify_signature`) and names the
rest: the suites and what a proof signs are in :mod:`vc._proof_suites`, proof sets and
chains in :mod:`vc._proof_sets`, signing in :mod:`vc._proof_signing`.
"""

from __future__ import annotations

from vc._proof_sets import MAX_PROOFS, _is_datetime_stamp, proofs_of, unsecured_document
from vc._proof_signing import CRYPTOSUITES, add_proof, create_proof
from vc._proof_suites import (
    ECDSA_SUITES,
    VERIFY_SUITES,
    Cryptosuite,
    SignatureCheck,
    _JcsSuite,
    _sha256,
    hash_data,
    suite_for,
)
from vc.keys import EcdsaPublicKey, MultibaseError, PublicKey, decode_multibase_btc
from vc.types import JSONObject

# isort: split
# Names of this module before the split though not in __all__: callers and tests still
# read them as vc.proofs.<name>.
from vc._proof_suites import ECDSA_JCS_2019 as ECDSA_JCS_2019
from vc._proof_suites import ECDSA_RDFC_2019 as ECDSA_RDFC_2019
from vc._proof_suites import ED25519_SIGNATURE_2018 as ED25519_SIGNATURE_2018
from vc._proof_suites import ED25519_SIGNATURE_2020 as ED25519_SIGNATURE_2020
from vc._proof_suites import EDDSA_2022 as EDDSA_2022
from vc._proof_suites import EDDSA_JCS_2022 as EDDSA_JCS_2022
from vc._proof_suites import EDDSA_RDFC_2022 as EDDSA_RDFC_2022
from vc.errors import MalformedDocumentError as MalformedDocumentError

__all__ = [
    "CRYPTOSUITES",
    "ECDSA_SUITES",
    "MAX_PROOFS",
    "VERIFY_SUITES",
    "Cryptosuite",
    "SignatureCheck",
    "add_proof",
    "create_proof",
    "hash_data",
    "proofs_of",
    "suite_for",
    "unsecured_document",
    "verify_signature",
]

#: The proof options Data Integrity defines. Under RDFC a key outside this set
#: would be dropped by canonicalization, hence unsigned, so it is refused.
PROOF_OPTIONS = frozenset(
    {
        "@context",
        "id",
        "type",
        "cryptosuite",
        "verificationMethod",
        "proofPurpose",
        "created",
        "expires",
        "domain",
        "challenge",
        "nonce",
        "previousProof",
        "proofValue",
        "jws",  # Ed25519Signature2018 (security/v2 and ed25519-2018 contexts define it)
    }
)


def _invalid(reason: str, message: str) -> SignatureCheck:
    return SignatureCheck(False, reason, message)


def _proof_config_for_verify(
    suite: Cryptosuite, document: JSONObject, unsecured: JSONObject, proof: JSONObject
) -> tuple[JSONObject, JSONObject] | SignatureCheck:
    options = {k: v for k, v in proof.items() if k not in ("proofValue", "jws")}
    # VC-DI-EdDSA and VC-DI-ECDSA, "Verify Proof": a proof @context must be a prefix of
    # the document's, and then stands in for it. Held for every suite: under RDFC the
    # proof configuration is canonicalized with the document's context, so a proof
    # @context of its own (null, another vocabulary) would be read by no signature.
    if "@context" in options:
        proof_ctx = options["@context"]
        doc_ctx = document.get("@context")
        proof_list = proof_ctx if isinstance(proof_ctx, list) else [proof_ctx]
        doc_list = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
        if not proof_list or doc_list[: len(proof_list)] != proof_list:
            return _invalid(
                "context_mismatch",
                "the proof's @context is not a prefix of the document's @context",
            )
        unsecured = {**unsecured, "@context": proof_ctx}
    if isinstance(suite, _JcsSuite):
        return unsecured, options
    # eddsa-rdfc-2022, ecdsa-rdfc-2019, Ed25519Signature2020 and 2018: the proof
    # configuration is canonicalized under the document's @context (for 2018 as
    # jsonld-signatures' LinkedDataSignature `canonizeProof` does).
    if "@context" in unsecured:
        options["@context"] = unsecured["@context"]
    return unsecured, options


def _key_mismatch(suite: Cryptosuite, public_key: PublicKey) -> SignatureCheck | None:
    # SECURITY rule 10: the key type and the suite must agree; the proof never
    # chooses how a key is used.
    wants_ec = suite.name in ECDSA_SUITES
    if wants_ec != isinstance(public_key, EcdsaPublicKey):
        kind = "a P-256/P-384" if wants_ec else "an Ed25519"
        return _invalid("key_mismatch", f"{suite.name} is verified with {kind} key, not this one")
    return None


def verify_signature(
    document: JSONObject, proof: JSONObject, public_key: PublicKey
) -> SignatureCheck:
    """Check that `proof` (one of `document`'s proofs) is a valid signature by `public_key`.

    Only the signature is checked here; binding the key to an issuer or holder
    and checking the proof purpose is the verifier's job.

    Raises:
        UnsupportedSuiteError: the proof names a suite outside the allowlist.
        MalformedDocumentError: the document cannot be canonicalized (bad JSON-LD,
            unknown context, too large, too costly) or the proof chain is broken.
        UnknownContextError: the document names a context that is not bundled.
    """
    suite = suite_for(proof)
    mismatch = _key_mismatch(suite, public_key)
    if mismatch is not None:
        return mismatch
    created = proof.get("created")
    if created is not None and (not _is_datetime_stamp(created)):
        return _invalid("malformed", "proof 'created' is not an XML Schema dateTimeStamp")
    if not isinstance(suite, _JcsSuite):
        unknown = sorted(set(proof) - PROOF_OPTIONS)
        if unknown:
            return _invalid(
                "undefined_term",
                f"the proof has options no context signs under RDF canonicalization: {', '.join(unknown)[:80]}",
            )
    if suite is ED25519_SIGNATURE_2018:
        from vc import jws2018  # only for the legacy JWS suite

        return jws2018.verify(document, proof, public_key, _prepare(suite, document, proof))
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str):
        return _invalid("malformed_value", "the proof has no proofValue string")
    try:
        signature = decode_multibase_btc(proof_value)
    except MultibaseError:
        return _invalid("malformed_value", "proofValue is not multibase base58btc ('z...')")
    expected = (
        64 if not isinstance(public_key, EcdsaPublicKey) or public_key.curve == "P-256" else 96
    )
    if len(signature) != expected:
        return _invalid(
            "malformed_value", f"proofValue holds {len(signature)} bytes, not {expected}"
        )
    prepared = _prepare(suite, document, proof)
    if isinstance(prepared, SignatureCheck):
        return prepared
    unsecured, proof_config = prepared
    digest = public_key.digest if isinstance(public_key, EcdsaPublicKey) else _sha256
    if not public_key.verify(signature, hash_data(suite, unsecured, proof_config, digest)):
        return _invalid("signature_invalid", "the signature does not match the document")
    return SignatureCheck(True, message=f"{suite.name} signature is valid")


def _prepare(
    suite: Cryptosuite, document: JSONObject, proof: JSONObject
) -> tuple[JSONObject, JSONObject] | SignatureCheck:
    return _proof_config_for_verify(suite, document, unsecured_document(document, proof), proof)
