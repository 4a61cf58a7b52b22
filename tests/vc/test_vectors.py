"""The specifications' test vectors, reproduced byte for byte."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import load_vector, vector_path
from vc import canon, proofs
from vc.keys import Ed25519KeyPair, Ed25519PublicKey, encode_multibase_btc

EDDSA = "vc-di-eddsa"

# (suite folder, suffix, cryptosuite, unsigned document)
SUITES = [
    ("eddsa-rdfc-2022", "DataInt", "eddsa-rdfc-2022"),
    ("eddsa-jcs-2022", "JCS", "eddsa-jcs-2022"),
    ("Ed25519Signature2020", "EdSig", None),
]


def _text(path: str) -> str:
    return vector_path(path).read_text(encoding="utf-8")


def _canonical(suite: proofs.Cryptosuite, document: dict, kind: str) -> bytes:
    if kind == "document":
        return suite.canonical_document(document)
    return suite.canonical_proof_config(document)


def _suite(folder: str) -> proofs.Cryptosuite:
    return {
        "eddsa-rdfc-2022": proofs.EDDSA_RDFC_2022,
        "eddsa-jcs-2022": proofs.EDDSA_JCS_2022,
        "Ed25519Signature2020": proofs.ED25519_SIGNATURE_2020,
    }[folder]


@pytest.fixture(scope="module")
def key_pair() -> Ed25519KeyPair:
    pair = load_vector(f"{EDDSA}/keyPair.json")
    key = Ed25519KeyPair.from_private_multibase(pair["privateKeyMultibase"])
    assert key.public_key.multibase == pair["publicKeyMultibase"]
    return key


@pytest.mark.parametrize(("folder", "suffix", "cryptosuite"), SUITES, ids=[s[0] for s in SUITES])
class TestEdDsaVectors:
    def test_canonical_document(self, folder, suffix, cryptosuite):
        unsigned = load_vector(f"{EDDSA}/unsigned.json")
        expected = _text(f"{EDDSA}/{folder}/canonDoc{suffix}.txt").encode()
        assert _suite(folder).canonical_document(unsigned) == expected

    def test_canonical_proof_config(self, folder, suffix, cryptosuite):
        config = load_vector(f"{EDDSA}/{folder}/proofConfig{suffix}.json")
        expected = _text(f"{EDDSA}/{folder}/proofCanon{suffix}.txt").encode()
        assert _suite(folder).canonical_proof_config(config) == expected

    def test_hashes(self, folder, suffix, cryptosuite):
        unsigned = load_vector(f"{EDDSA}/unsigned.json")
        config = load_vector(f"{EDDSA}/{folder}/proofConfig{suffix}.json")
        combined = proofs.hash_data(_suite(folder), unsigned, config)
        assert combined[32:].hex() == _text(f"{EDDSA}/{folder}/docHash{suffix}.txt").strip()
        assert combined[:32].hex() == _text(f"{EDDSA}/{folder}/proofHash{suffix}.txt").strip()
        assert combined.hex() == _text(f"{EDDSA}/{folder}/combinedHash{suffix}.txt").strip()

    def test_signature(self, folder, suffix, cryptosuite, key_pair):
        unsigned = load_vector(f"{EDDSA}/unsigned.json")
        config = load_vector(f"{EDDSA}/{folder}/proofConfig{suffix}.json")
        signature = key_pair.sign(proofs.hash_data(_suite(folder), unsigned, config))
        assert signature.hex() == _text(f"{EDDSA}/{folder}/sigHex{suffix}.txt").strip()
        assert (
            encode_multibase_btc(signature)
            == _text(f"{EDDSA}/{folder}/sigBTC58{suffix}.txt").strip()
        )

    def test_signed_document_verifies(self, folder, suffix, cryptosuite, key_pair):
        signed = load_vector(f"{EDDSA}/{folder}/signed{suffix}.json")
        proof = proofs.proofs_of(signed)[0]
        assert proofs.verify_signature(signed, proof, key_pair.public_key).valid


@pytest.mark.parametrize(
    ("folder", "suffix", "cryptosuite"), SUITES[:2], ids=[s[0] for s in SUITES[:2]]
)
def test_create_proof_reproduces_the_signed_document(folder, suffix, cryptosuite, key_pair):
    # Ed25519Signature2020 is verify-only: laurel does not sign with it.
    unsigned = load_vector(f"{EDDSA}/unsigned.json")
    signed = load_vector(f"{EDDSA}/{folder}/signed{suffix}.json")
    expected = signed["proof"]
    created = proofs.add_proof(
        unsigned,
        key_pair,
        expected["verificationMethod"],
        cryptosuite=cryptosuite,
        created=expected["created"],
    )
    assert created == signed


def _chain_keys() -> dict[str, Ed25519KeyPair]:
    pairs = load_vector(f"{EDDSA}/proof-set-chain/multiKeyPairs.json").values()
    keys = [Ed25519KeyPair.from_private_multibase(p["privateKeyMultibase"]) for p in pairs]
    return {k.public_key.multibase: k for k in keys}


@pytest.mark.parametrize(
    "name",
    [
        "signedProofSet1.json",
        "signedProofSet2.json",
        "signedProofChain1.json",
        "signedProofChain2.json",
    ],
)
def test_proof_sets_and_chains_verify(name):
    keys = _chain_keys()
    signed = load_vector(f"{EDDSA}/proof-set-chain/{name}")
    for proof in proofs.proofs_of(signed):
        key = keys[proof["verificationMethod"].split("#")[1]]
        assert proofs.verify_signature(signed, proof, key.public_key).valid, proof.get("id")


@pytest.mark.parametrize(
    ("previous", "config", "expected"),
    [
        ("unsigned.json", "proofSetConfig1.json", "signedProofSet1.json"),
        ("signedProofChain1.json", "proofChainConfig2.json", "signedProofChain2.json"),
    ],
)
def test_proof_set_and_chain_creation_reproduce_the_vectors(previous, config, expected):
    keys = _chain_keys()
    document = load_vector(f"{EDDSA}/proof-set-chain/{previous}")
    options = load_vector(f"{EDDSA}/proof-set-chain/{config}")
    key = keys[options["verificationMethod"].split("#")[1]]
    secured = proofs.add_proof(
        document,
        key,
        options["verificationMethod"],
        cryptosuite=options["cryptosuite"],
        created=options["created"],
        proof_id=options.get("id"),
        previous_proof=options.get("previousProof"),
    )
    want = load_vector(f"{EDDSA}/proof-set-chain/{expected}")
    # The document with the new proof equals the published one exactly.
    assert secured == want


def test_chain_with_a_missing_previous_proof_is_reported():
    signed = load_vector(f"{EDDSA}/proof-set-chain/signedProofChain2.json")
    last = signed["proof"][-1]
    broken = {**signed, "proof": [last]}
    with pytest.raises(proofs.MalformedDocumentError) as info:
        proofs.unsecured_document(broken, last)
    assert info.value.code == "proof_chain_broken"


@pytest.fixture(scope="module")
def vec():
    return load_vector("openbadges3/ldp-test-vector-obv3p0/vector.json")


class TestOpenBadgesVector:
    """1EdTech OB 3.0 implementation guide, eddsa-rdfc-2022 vector."""

    def test_key(self, vec):
        seed = bytes.fromhex(vec["privateKeyHex_seed32_plus_pub32"])[:32]
        key = Ed25519KeyPair.from_seed(seed)
        assert key.public_key.raw.hex() == vec["publicKeyHex"]
        assert key.public_key.multibase == vec["publicKeyMultibase"]

    def test_canonical_forms_and_hashes(self, vec):
        unsigned = vec["unsignedCredential"]
        proof = {k: v for k, v in vec["signedCredential"]["proof"].items() if k != "proofValue"}
        config = {**proof, "@context": unsigned["@context"]}
        document_canon = canon.rdfc(unsigned)
        proof_canon = canon.rdfc(config)
        assert document_canon == _text("openbadges3/ldp-test-vector-obv3p0/document-canon.txt")
        assert proof_canon == _text("openbadges3/ldp-test-vector-obv3p0/proof-canon.txt")
        assert hashlib.sha256(document_canon.encode()).hexdigest() == vec["documentHashHex"]
        assert hashlib.sha256(proof_canon.encode()).hexdigest() == vec["proofHashHex"]
        data = proofs.hash_data(proofs.EDDSA_RDFC_2022, unsigned, config)
        assert data.hex() == vec["dataToSignHex"]

    def test_signature_and_proof_value(self, vec):
        key = Ed25519KeyPair.from_seed(bytes.fromhex(vec["privateKeyHex_seed32_plus_pub32"])[:32])
        signed = proofs.add_proof(
            vec["unsignedCredential"],
            key,
            vec["verificationMethod"],
            cryptosuite="eddsa-rdfc-2022",
            created=vec["signedCredential"]["proof"]["created"],
        )
        assert signed["proof"]["proofValue"] == vec["proofValue"]
        assert key.sign(bytes.fromhex(vec["dataToSignHex"])).hex() == vec["signatureHex"]
        assert signed == vec["signedCredential"]

    def test_signed_credential_verifies(self, vec):
        signed = vec["signedCredential"]
        public_key = Ed25519PublicKey(bytes.fromhex(vec["publicKeyHex"]))
        assert proofs.verify_signature(signed, signed["proof"], public_key).valid
