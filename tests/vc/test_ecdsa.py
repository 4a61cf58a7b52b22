"""ecdsa-rdfc-2019 and ecdsa-jcs-2019 (P-256, P-384): the W3C vectors, byte for byte."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from vc import canon
from vc.did import DidResolver
from vc.keys import EcdsaPublicKey, Ed25519KeyPair, decode_multibase_btc, encode_multibase_btc
from vc.proofs import (
    ECDSA_JCS_2019,
    ECDSA_RDFC_2019,
    hash_data,
    proofs_of,
    suite_for,
    unsecured_document,
    verify_signature,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "formats" / "vc-di-ecdsa"
# (folder, file suffix, suite, curve)
CASES = [
    ("ecdsa-rdfc-2019-p256", "ECDSAP256", ECDSA_RDFC_2019, "P-256"),
    ("ecdsa-rdfc-2019-p384", "ECDSAP384", ECDSA_RDFC_2019, "P-384"),
    ("ecdsa-jcs-2019-p256", "JCSECDSAP256", ECDSA_JCS_2019, "P-256"),
    ("ecdsa-jcs-2019-p384", "JCSECDSAP384", ECDSA_JCS_2019, "P-384"),
]
IDS = [c[0] for c in CASES]


def _text(folder: str, name: str) -> str:
    return (VECTORS / folder / name).read_text(encoding="utf-8")


def _json(folder: str, name: str) -> dict:
    return json.loads(_text(folder, name))


def _key(curve: str) -> EcdsaPublicKey:
    pair = json.loads(
        (VECTORS / ("p256KeyPair.json" if curve == "P-256" else "p384KeyPair.json")).read_text()
    )
    return EcdsaPublicKey.from_multibase(pair["publicKeyMultibase"])


@pytest.mark.parametrize(("folder", "suffix", "suite", "curve"), CASES, ids=IDS)
def test_canonical_forms_and_hashes_reproduce_byte_for_byte(folder, suffix, suite, curve):
    unsigned = json.loads((VECTORS / "unsigned.json").read_text())
    config = _json(folder, f"proofConfig{suffix}.json")
    assert suite.canonical_document(unsigned).decode() == _text(folder, f"canonDoc{suffix}.txt")
    assert suite.canonical_proof_config(config).decode() == _text(folder, f"proofCanon{suffix}.txt")
    digest = _key(curve).digest
    assert (
        digest(suite.canonical_document(unsigned)).hex()
        == _text(folder, f"docHash{suffix}.txt").strip()
    )
    assert (
        digest(suite.canonical_proof_config(config)).hex()
        == _text(folder, f"proofHash{suffix}.txt").strip()
    )
    combined = hash_data(suite, unsigned, config, digest)
    assert combined.hex() == _text(folder, f"combinedHash{suffix}.txt").strip()


@pytest.mark.parametrize(("folder", "suffix", "suite", "curve"), CASES, ids=IDS)
def test_signed_vector_verifies_with_the_did_key(folder, suffix, suite, curve):
    signed = _json(folder, f"signed{suffix}.json")
    proof = proofs_of(signed)[0]
    assert suite_for(proof) is suite
    assert (
        decode_multibase_btc(proof["proofValue"]).hex()
        == _text(folder, f"sigHex{suffix}.txt").strip()
    )
    assert proof["proofValue"] == _text(folder, f"sigBTC58{suffix}.txt").strip()
    method, _ = DidResolver().resolve_verification_method(proof["verificationMethod"])
    assert method.public_key == _key(curve)
    outcome = verify_signature(signed, proof, method.public_key)
    assert outcome.valid, outcome.message


@pytest.mark.parametrize(("folder", "suffix", "suite", "curve"), CASES, ids=IDS)
def test_tampered_vector_fails_signature(folder, suffix, suite, curve):
    signed = _json(folder, f"signed{suffix}.json")
    signed["credentialSubject"]["alumniOf"] = "The School of Forgeries"
    assert verify_signature(signed, proofs_of(signed)[0], _key(curve)).reason == "signature_invalid"


@pytest.mark.parametrize(("folder", "suffix", "suite", "curve"), CASES, ids=IDS)
def test_ecdsa_proof_refuses_an_ed25519_key(folder, suffix, suite, curve):
    # SECURITY rule 10: the suite decides the key type; an EdDSA key never verifies ECDSA.
    signed = _json(folder, f"signed{suffix}.json")
    outcome = verify_signature(
        signed, proofs_of(signed)[0], Ed25519KeyPair.from_seed(bytes(32)).public_key
    )
    assert outcome.reason == "key_mismatch"


def test_p384_proof_with_a_p256_key_is_malformed_not_verified():
    signed = _json("ecdsa-rdfc-2019-p384", "signedECDSAP384.json")
    assert verify_signature(signed, proofs_of(signed)[0], _key("P-256")).reason == "malformed_value"


def test_high_s_and_zero_signatures():
    signed = _json("ecdsa-rdfc-2019-p256", "signedECDSAP256.json")
    proof = proofs_of(signed)[0]
    raw = decode_multibase_btc(proof["proofValue"])
    zero = copy.deepcopy(signed)
    zero["proof"]["proofValue"] = encode_multibase_btc(bytes(64))
    assert verify_signature(zero, proofs_of(zero)[0], _key("P-256")).reason == "signature_invalid"
    # ECDSA malleability: (r, n - s) is also valid; no ECDSA suite spec requires low-S,
    # so both verify, and the document is unchanged either way (no forgery).
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    s = int.from_bytes(raw[32:], "big")
    flipped = copy.deepcopy(signed)
    flipped["proof"]["proofValue"] = encode_multibase_btc(
        raw[:32] + (order - s).to_bytes(32, "big")
    )
    assert verify_signature(flipped, proofs_of(flipped)[0], _key("P-256")).valid


def test_a_fresh_p256_signature_over_hash_data_verifies():
    # Interoperability in the other direction: `cryptography` signs what laurel hashes.
    private = ec.generate_private_key(ec.SECP256R1())
    point = private.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    key = EcdsaPublicKey("P-256", point)
    did = f"did:key:{key.multibase}"
    document = json.loads((VECTORS / "unsigned.json").read_text())
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "ecdsa-jcs-2019",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": f"{did}#{key.multibase}",
        "proofPurpose": "assertionMethod",
        "@context": document["@context"],
    }
    data = hash_data(ECDSA_JCS_2019, unsecured_document(document, proof), dict(proof))
    r, s = decode_dss_signature(private.sign(data, ec.ECDSA(hashes.SHA256())))
    proof["proofValue"] = encode_multibase_btc(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    signed = {**document, "proof": proof}
    method, _ = DidResolver().resolve_verification_method(proof["verificationMethod"])
    assert verify_signature(signed, proof, method.public_key).valid
    assert hashlib.sha256(canon.jcs(document)).digest() == data[32:]
