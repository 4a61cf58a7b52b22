"""anchor.proof: the anchor proof's encoding, the leaf, the binding, EIP-55."""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib

import cbor2
import pytest
import rfc8785
from eth_utils import to_checksum_address

from anchor.errors import MalformedAnchorError
from anchor.merkle import MerkleTree, leaf_hash
from anchor.proof import (
    ANCHOR_CRYPTOSUITE,
    AnchorProof,
    anchor_proofs,
    binding_message,
    checksum_address,
    credential_leaf,
    is_anchor_proof,
    sign_binding,
    signature_proofs,
    verify_binding,
    with_anchor_proof,
)
from tests.builders import ISSUER, MALLORY, badge, sign, unsigned_badge

ACCOUNT = bytes.fromhex("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
ACCOUNT_ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def sample(**changes: object) -> AnchorProof:
    leaves = [leaf_hash(bytes([i])) for i in range(5)]
    tree = MerkleTree(leaves)
    anchor = AnchorProof(
        leaf=leaves[3],
        index=3,
        size=5,
        path=tuple(tree.inclusion_proof(3)),
        root=tree.root,
        chain_id=11155111,
        contract=bytes(range(20)),
        tx=hashlib.sha256(b"tx").digest(),
        block=8_000_000,
        block_hash=hashlib.sha256(b"block").digest(),
        block_time=1_780_000_000,
        account=ACCOUNT,
        binding=sign_binding(ISSUER.key, ISSUER.did, ACCOUNT_ADDRESS),
        verification_method=ISSUER.vm,
    )
    return dataclasses.replace(anchor, **changes)


def body_of(proof: dict) -> dict:
    text = proof["proofValue"][1:]
    return cbor2.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def with_value(proof: dict, raw: bytes) -> dict:
    encoded = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return {**proof, "proofValue": "u" + encoded}


def with_body(proof: dict, body: dict) -> dict:
    return with_value(proof, cbor2.dumps(body, canonical=True))


# -- round trip ------------------------------------------------------------------------------


def test_round_trip():
    anchor = sample()
    proof = anchor.to_proof_json()
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == ANCHOR_CRYPTOSUITE
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == ISSUER.vm
    assert proof["created"] == "2026-05-28T20:26:40Z"
    assert proof["proofValue"].startswith("u")
    assert "=" not in proof["proofValue"]
    assert AnchorProof.from_proof_json(proof) == anchor


def test_round_trip_of_a_single_leaf_batch_and_extreme_values():
    anchor = sample(
        index=0, size=1, path=(), chain_id=2**64 - 1, block=2**48 - 1, block_time=253402300799
    )
    assert AnchorProof.from_proof_json(anchor.to_proof_json()) == anchor


def test_encoding_is_deterministic():
    assert sample().to_proof_json() == sample().to_proof_json()


def test_summary_names_addresses_checksummed():
    summary = sample().to_json()
    assert summary["account"] == ACCOUNT_ADDRESS
    assert summary["contract"] == to_checksum_address(bytes(range(20)))
    assert summary["index"] == 3
    assert summary["size"] == 5


# -- malformed outer objects -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "Ed25519Signature2020"),
        ("type", None),
        ("cryptosuite", "eddsa-jcs-2022"),
        ("proofPurpose", "authentication"),
        ("proofPurpose", None),
        ("verificationMethod", ""),
        ("verificationMethod", None),
        ("verificationMethod", ["did:key:z6Mk#z6Mk"]),
    ],
)
def test_malformed_outer_fields(field, value):
    proof = sample().to_proof_json()
    if value is None:
        del proof[field]
    else:
        proof[field] = value
    with pytest.raises(MalformedAnchorError):
        AnchorProof.from_proof_json(proof)


# -- malformed proofValue -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None,
        42,
        "",
        "zAAAA",  # base58btc prefix
        "mAAAA",  # base64 (not url) prefix
        "u",  # nothing in it
        "uA",  # impossible base64 length
        "u@@@@",  # outside the alphabet: the decoder would skip these
        "uoQFh!dg",
        "u oQFhdg",
    ],
)
def test_bad_multibase_or_base64(value):
    proof = sample().to_proof_json()
    proof["proofValue"] = value
    with pytest.raises(MalformedAnchorError):
        AnchorProof.from_proof_json(proof)


def test_standard_base64_alphabet_is_refused():
    proof = sample().to_proof_json()
    raw = base64.urlsafe_b64decode(proof["proofValue"][1:] + "==")
    standard = base64.b64encode(raw).rstrip(b"=").decode()
    assert standard != proof["proofValue"][1:], "the sample should hold a '+' or '/'"
    with pytest.raises(MalformedAnchorError, match="base64url"):
        AnchorProof.from_proof_json({**proof, "proofValue": "u" + standard})


def test_padding_is_refused():
    proof = sample().to_proof_json()
    padded = proof["proofValue"] + "=" * (-(len(proof["proofValue"]) - 1) % 4)
    assert padded != proof["proofValue"]
    with pytest.raises(MalformedAnchorError, match="base64url"):
        AnchorProof.from_proof_json({**proof, "proofValue": padded})


def test_non_zero_unused_bits_are_refused():
    proof = sample().to_proof_json()
    text = proof["proofValue"][1:]
    assert len(text) % 4 in (2, 3)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(text[-1])
    tweaked = text[:-1] + alphabet[last ^ 1]  # the lowest bit is never used
    assert base64.urlsafe_b64decode(tweaked + "==") == base64.urlsafe_b64decode(text + "==")
    with pytest.raises(MalformedAnchorError, match="canonical"):
        AnchorProof.from_proof_json({**proof, "proofValue": "u" + tweaked})


@pytest.mark.parametrize("raw", [b"\xff\xff", b"\x9f", b"\xa1", b"\xd8\x23\x61("])
def test_not_cbor(raw):
    with pytest.raises(MalformedAnchorError, match="not CBOR"):
        AnchorProof.from_proof_json(with_value(sample().to_proof_json(), raw))


@pytest.mark.parametrize("value", [[1, 2], "v", 1, None, b"\x01"])
def test_cbor_that_is_not_a_map(value):
    with pytest.raises(MalformedAnchorError, match="version 1"):
        AnchorProof.from_proof_json(with_value(sample().to_proof_json(), cbor2.dumps(value)))


def test_deeply_nested_cbor_is_refused_cleanly():
    raw = b"\x81" * 2000 + b"\x01"
    with pytest.raises(MalformedAnchorError):
        AnchorProof.from_proof_json(with_value(sample().to_proof_json(), raw))


@pytest.mark.parametrize("version", [2, 0, True, 1.0, "1", None, -1])
def test_wrong_version(version):
    proof = sample().to_proof_json()
    body = body_of(proof)
    if version is None:
        del body["v"]
    else:
        body["v"] = version
    with pytest.raises(MalformedAnchorError, match="version 1"):
        AnchorProof.from_proof_json(with_body(proof, body))


@pytest.mark.parametrize(
    ("field", "size"),
    [
        ("leaf", 31),
        ("leaf", 33),
        ("root", 0),
        ("root", 64),
        ("contract", 19),
        ("contract", 32),
        ("account", 21),
        ("tx", 31),
        ("blockHash", 20),
        ("binding", 63),
        ("binding", 65),
    ],
)
def test_wrong_byte_field_size(field, size):
    proof = sample().to_proof_json()
    body = body_of(proof)
    body[field] = bytes(size)
    with pytest.raises(MalformedAnchorError, match=field):
        AnchorProof.from_proof_json(with_body(proof, body))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("leaf", "ab" * 32),
        ("root", None),
        ("contract", list(range(20))),
        ("index", "3"),
        ("index", 3.0),
        ("size", b"\x05"),
        ("chainId", "0xaa36a7"),
        ("block", None),
        ("time", 1.5),
        ("path", {"0": bytes(32)}),
        ("path", bytes(32)),
    ],
)
def test_wrong_field_type(field, value):
    proof = sample().to_proof_json()
    body = body_of(proof)
    body[field] = value
    with pytest.raises(MalformedAnchorError):
        AnchorProof.from_proof_json(with_body(proof, body))


@pytest.mark.parametrize("field", ["leaf", "index", "size", "path", "root", "binding", "account"])
def test_missing_field(field):
    proof = sample().to_proof_json()
    body = body_of(proof)
    del body[field]
    with pytest.raises(MalformedAnchorError):
        AnchorProof.from_proof_json(with_body(proof, body))


@pytest.mark.parametrize(
    ("field", "value"),
    [("index", True), ("size", True), ("chainId", True), ("block", False), ("time", True)],
)
def test_bools_are_not_integers(field, value):
    proof = sample().to_proof_json()
    body = body_of(proof)
    body[field] = value
    with pytest.raises(MalformedAnchorError, match=field):
        AnchorProof.from_proof_json(with_body(proof, body))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("index", -1),
        ("size", 0),
        ("size", (1 << 24) + 1),
        ("chainId", 0),
        ("chainId", 2**64),
        ("block", -1),
        ("block", 2**48),
        ("time", -5),
        ("time", 253402300800),  # 10000-01-01: no datetime holds it
    ],
)
def test_integers_out_of_range(field, value):
    proof = sample().to_proof_json()
    body = body_of(proof)
    body[field] = value
    with pytest.raises(MalformedAnchorError, match=field):
        AnchorProof.from_proof_json(with_body(proof, body))


@pytest.mark.parametrize(("index", "size"), [(5, 5), (6, 5), (1, 1)])
def test_index_at_or_past_the_batch_size(index, size):
    proof = sample().to_proof_json()
    body = body_of(proof)
    body["index"], body["size"] = index, size
    with pytest.raises(MalformedAnchorError, match="outside a batch"):
        AnchorProof.from_proof_json(with_body(proof, body))


@pytest.mark.parametrize("bad", [bytes(31), bytes(33), "00" * 32, 7])
def test_path_element_that_is_not_a_hash(bad):
    proof = sample().to_proof_json()
    body = body_of(proof)
    body["path"] = [body["path"][0], bad]
    with pytest.raises(MalformedAnchorError, match="path"):
        AnchorProof.from_proof_json(with_body(proof, body))


def test_path_longer_than_any_tree_is_refused():
    proof = sample().to_proof_json()
    body = body_of(proof)
    body["path"] = [bytes(32)] * 65
    with pytest.raises(MalformedAnchorError):
        AnchorProof.from_proof_json(with_body(proof, body))


def test_huge_proof_value_is_refused_before_decoding():
    proof = sample().to_proof_json()
    proof["proofValue"] = "u" + "A" * 100_000
    with pytest.raises(MalformedAnchorError, match="longer than"):
        AnchorProof.from_proof_json(proof)


def test_trailing_bytes_after_the_cbor_are_refused():
    proof = sample().to_proof_json()
    raw = cbor2.dumps(body_of(proof), canonical=True)
    with pytest.raises(MalformedAnchorError, match="canonical"):
        AnchorProof.from_proof_json(with_value(proof, raw + b"\x00"))


def test_unknown_fields_are_refused():
    proof = sample().to_proof_json()
    body = body_of(proof)
    body["note"] = "hello"
    with pytest.raises(MalformedAnchorError, match="canonical"):
        AnchorProof.from_proof_json(with_body(proof, body))


def test_non_canonical_cbor_is_refused():
    proof = sample().to_proof_json()
    body = body_of(proof)
    shuffled = dict(reversed(list(body.items())))  # keys out of canonical order
    raw = cbor2.dumps(shuffled)
    assert raw != cbor2.dumps(body, canonical=True)
    assert cbor2.loads(raw) == body
    with pytest.raises(MalformedAnchorError, match="canonical"):
        AnchorProof.from_proof_json(with_value(proof, raw))


def test_malformed_anchor_error_has_a_hint():
    proof = sample().to_proof_json()
    proof["proofValue"] = "z123"
    with pytest.raises(MalformedAnchorError) as info:
        AnchorProof.from_proof_json(proof)
    assert info.value.hint


# -- the leaf (C04) --------------------------------------------------------------------------------


def test_leaf_is_the_tagged_hash_of_the_jcs_form_without_proofs():
    document = badge()
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    expected = hashlib.sha256(b"\x00" + rfc8785.dumps(unsecured)).digest()
    assert credential_leaf(document) == expected
    assert credential_leaf(unsigned_badge()) == expected


def test_leaf_ignores_proofs_and_their_values():
    signed = badge()
    other_signature = sign(unsigned_badge(), MALLORY)
    anchored = with_anchor_proof(signed, sample().to_proof_json())
    tampered = copy.deepcopy(signed)
    tampered["proof"]["proofValue"] = "z" + "1" * 80
    leaf = credential_leaf(unsigned_badge())
    for document in (signed, other_signature, anchored, tampered):
        assert credential_leaf(document) == leaf


def test_leaf_changes_with_the_content_not_with_key_order():
    document = badge()
    reordered = dict(reversed(list(document.items())))
    assert credential_leaf(reordered) == credential_leaf(document)
    edited = copy.deepcopy(document)
    edited["credentialSubject"]["achievement"]["name"] = "Forged"
    assert credential_leaf(edited) != credential_leaf(document)


# -- the binding --------------------------------------------------------------------------------------


def test_binding_message_is_domain_separated_jcs():
    message = binding_message(ISSUER.did, ACCOUNT_ADDRESS)
    assert message.startswith(b"laurel-anchor-binding-v1\n")
    body = rfc8785.dumps({"account": ACCOUNT_ADDRESS, "issuer": ISSUER.did})
    assert message == b"laurel-anchor-binding-v1\n" + body


def test_binding_verifies_for_its_issuer_and_account_only():
    signature = sign_binding(ISSUER.key, ISSUER.did, ACCOUNT_ADDRESS)
    public = ISSUER.key.public_key
    assert verify_binding(public, ISSUER.did, ACCOUNT_ADDRESS, signature)
    assert not verify_binding(public, MALLORY.did, ACCOUNT_ADDRESS, signature)
    other = to_checksum_address(bytes(20))
    assert not verify_binding(public, ISSUER.did, other, signature)
    assert not verify_binding(MALLORY.key.public_key, ISSUER.did, ACCOUNT_ADDRESS, signature)


def test_binding_signature_is_not_a_signature_over_the_bare_json():
    # Without the prefix, a signature the issuer made over some other JCS document
    # with these two members could pass for a binding (and the reverse).
    body = rfc8785.dumps({"account": ACCOUNT_ADDRESS, "issuer": ISSUER.did})
    bare = ISSUER.key.sign(body)
    assert not verify_binding(ISSUER.key.public_key, ISSUER.did, ACCOUNT_ADDRESS, bare)
    binding = sign_binding(ISSUER.key, ISSUER.did, ACCOUNT_ADDRESS)
    assert not ISSUER.key.public_key.verify(binding, body)


def test_binding_message_cannot_be_shifted_between_fields():
    assert binding_message("did:a", 'x","issuer":"did:b') != binding_message('did:a","x', "did:b")
    assert binding_message("did:a", ACCOUNT_ADDRESS) != binding_message(
        "did:a", ACCOUNT_ADDRESS.lower()
    )


# -- proof sets ---------------------------------------------------------------------------------------


def test_with_anchor_proof_adds_it_after_the_signature():
    signed = badge()
    anchor = sample().to_proof_json()
    anchored = with_anchor_proof(signed, anchor)
    assert anchored["proof"] == [signed["proof"], anchor]
    assert signed["proof"] == badge()["proof"]  # the original is not changed
    assert anchor_proofs(anchored) == [anchor]
    assert signature_proofs(anchored) == signed


def test_with_anchor_proof_replaces_an_older_anchor_proof_and_keeps_signatures():
    first = sign(badge(), ISSUER, suite="eddsa-jcs-2022")  # a proof set of two signatures
    signatures = first["proof"]
    assert isinstance(signatures, list)
    assert len(signatures) == 2
    old = sample().to_proof_json()
    new = sample(block=9_000_000).to_proof_json()
    once = with_anchor_proof(first, old)
    twice = with_anchor_proof(once, new)
    assert twice["proof"] == [*signatures, new]
    assert anchor_proofs(twice) == [new]
    assert {k: v for k, v in twice.items() if k != "proof"} == {
        k: v for k, v in first.items() if k != "proof"
    }


def test_with_anchor_proof_on_an_unsigned_document():
    anchor = sample().to_proof_json()
    assert with_anchor_proof(unsigned_badge(), anchor)["proof"] == [anchor]
    assert signature_proofs(with_anchor_proof(unsigned_badge(), anchor)) == unsigned_badge()


def test_is_anchor_proof():
    assert is_anchor_proof(sample().to_proof_json())
    assert not is_anchor_proof(badge()["proof"])
    assert not is_anchor_proof("laurel-anchor-2026")
    assert not is_anchor_proof(None)


# -- EIP-55 ---------------------------------------------------------------------------------------------

# The test vectors of EIP-55 ("Mixed-case checksum address encoding"): all caps, all
# lower, and mixed.
EIP55_VECTORS = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55_VECTORS)
def test_checksum_address_matches_eip55_vectors(address):
    assert checksum_address(bytes.fromhex(address[2:])) == address


@pytest.mark.parametrize("seed", range(20))
def test_checksum_address_agrees_with_eth_utils(seed):
    raw = hashlib.sha256(bytes([seed])).digest()[:20]
    assert checksum_address(raw) == to_checksum_address(raw)


@pytest.mark.parametrize("length", [0, 19, 21, 32])
def test_checksum_address_refuses_a_wrong_length(length):
    with pytest.raises(ValueError, match="20 bytes"):
        checksum_address(bytes(length))


def test_checksum_address_refuses_text():
    with pytest.raises(TypeError):
        checksum_address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")  # type: ignore[arg-type]
