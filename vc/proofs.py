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
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from vc import canon
from vc.errors import MalformedDocumentError, SigningError, UnsupportedSuiteError
from vc.keys import (
    EcdsaPublicKey,
    Ed25519KeyPair,
    MultibaseError,
    PublicKey,
    decode_multibase_btc,
    encode_multibase_btc,
)
from vc.timestamps import parse_datetime_stamp
from vc.types import JSONObject, JSONValue

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

#: Documents with more proofs than this are refused before any canonicalization.
MAX_PROOFS = 4

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


def _is_datetime_stamp(value: JSONValue) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_datetime_stamp(value)
    except ValueError:
        return False
    return True


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

#: The suites laurel signs with, by cryptosuite name.
CRYPTOSUITES: dict[str, Cryptosuite] = {s.name: s for s in (EDDSA_RDFC_2022, EDDSA_JCS_2022)}
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


def proofs_of(document: JSONObject) -> list[JSONObject]:
    """The proofs of a secured document, as a list (a proof set may hold several).

    Raises:
        MalformedDocumentError: ``proof_missing`` when there is no proof, or
            ``proof_malformed`` when a proof is not an object or there are too many.
    """
    value = document.get("proof")
    if value is None or value == []:
        raise MalformedDocumentError("the document has no proof", code="proof_missing")
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_PROOFS:
        raise MalformedDocumentError(
            f"the document carries {len(items)} proofs (limit {MAX_PROOFS})", code="proof_malformed"
        )
    proofs: list[JSONObject] = []
    for item in items:
        if not isinstance(item, dict):
            raise MalformedDocumentError("a proof must be a JSON object", code="proof_malformed")
        proofs.append(item)
    return proofs


def unsecured_document(document: JSONObject, proof: JSONObject) -> JSONObject:
    """The document `proof` signed: without proofs, or with the proofs it chains to.

    Data Integrity, "Verify Proof Sets and Chains": a proof with ``previousProof``
    covers the document together with exactly the proofs it names.

    Raises:
        MalformedDocumentError: ``proof_chain_broken`` when a named previous proof is absent.
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    previous = proof.get("previousProof")
    if previous is None:
        return unsecured
    wanted = previous if isinstance(previous, list) else [previous]
    if not wanted or not all(isinstance(p, str) for p in wanted):
        raise MalformedDocumentError("previousProof must name proof ids", code="proof_chain_broken")
    by_id = {p.get("id"): p for p in proofs_of(document) if p is not proof}
    missing = [p for p in wanted if p not in by_id]
    if missing:
        raise MalformedDocumentError(
            f"previousProof names {str(missing[0])[:80]!r}, which is not in the proof set",
            code="proof_chain_broken",
        )
    chained: list[JSONValue] = [by_id[p] for p in wanted]
    unsecured["proof"] = chained[0] if len(chained) == 1 else chained
    return unsecured


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
