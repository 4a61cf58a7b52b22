"""did:jwk, P-256/P-384 did:key and Multikey, JWKs, and the key types of real DID documents."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from vc.did import DidResolver, did_jwk_document, verification_method_from_json
from vc.errors import DidResolutionError
from vc.keys import (
    EcdsaPublicKey,
    Ed25519KeyPair,
    Ed25519PublicKey,
    public_key_from_jwk,
    public_key_from_multikey,
)

KEY = Ed25519KeyPair.from_seed(bytes(range(32)))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def did_jwk(jwk: dict) -> str:
    return "did:jwk:" + b64(json.dumps(jwk).encode())


def test_did_jwk_resolves_to_one_method_named_0():
    did = did_jwk(KEY.public_key.to_jwk())
    document = DidResolver().resolve(did)
    assert document.assertion_method == (f"{did}#0",)
    method, _ = DidResolver().resolve_verification_method(f"{did}#0")
    assert method.public_key == KEY.public_key
    assert method.type == "JsonWebKey2020"


def test_did_jwk_enc_key_only_agrees_keys():
    jwk = {**KEY.public_key.to_jwk(), "use": "enc"}
    document = did_jwk_document(did_jwk(jwk))
    assert document.assertion_method == ()
    assert document.relationship("keyAgreement") == (f"{did_jwk(jwk)}#0",)


@pytest.mark.parametrize(
    ("did", "code"),
    [
        (did_jwk({**KEY.public_key.to_jwk(), "d": b64(bytes(32))}), "invalidPublicKey"),
        (did_jwk({"kty": "oct", "k": "c2VjcmV0"}), "invalidPublicKey"),
        ("did:jwk:" + b64(b"not json"), "invalidDid"),
        ("did:jwk:eyJ===", "invalidDid"),
        ("did:jwk:" + "A" * 3000, "invalidDid"),
    ],
)
def test_did_jwk_refuses_private_unsupported_and_malformed_keys(did, code):
    with pytest.raises(DidResolutionError) as exc:
        DidResolver().resolve(did)
    assert exc.value.code == code


def test_did_jwk_method_fragment_must_be_0():
    did = did_jwk(KEY.public_key.to_jwk())
    with pytest.raises(DidResolutionError) as exc:
        DidResolver().resolve_verification_method(f"{did}#1")
    assert exc.value.code == "invalidDidUrl"


@pytest.mark.parametrize("curve", [ec.SECP256R1(), ec.SECP384R1()], ids=["P-256", "P-384"])
def test_ec_keys_round_trip_multikey_jwk_and_did_key(curve):
    private = ec.generate_private_key(curve)
    point = private.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    key = EcdsaPublicKey("P-256" if curve.name == "secp256r1" else "P-384", point)
    assert key.multibase.startswith("zDn" if key.curve == "P-256" else "z82")
    assert public_key_from_multikey(key.multibase) == key
    assert public_key_from_jwk(key.to_jwk()) == key
    document = DidResolver().resolve(f"did:key:{key.multibase}")
    assert document.relationship("keyAgreement") == ()
    method = document.verification_method(document.assertion_method[0])
    assert method.public_key == key


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "EC", "crv": "P-256", "x": b64(bytes(32)), "y": b64(bytes(32))},  # not on the curve
        {"kty": "EC", "crv": "P-256", "x": b64(bytes(31)), "y": b64(bytes(32))},
        {"kty": "EC", "crv": "secp256k1", "x": b64(bytes(32)), "y": b64(bytes(32))},
        {"kty": "OKP", "crv": "Ed25519", "x": b64(bytes(32))},  # small order
        {"kty": "OKP", "crv": "X25519", "x": b64(bytes(32))},
        {"kty": "OKP", "crv": "Ed25519", "x": b64(bytes(32)) + "=="},
    ],
)
def test_bad_jwks_are_refused(jwk):
    with pytest.raises(ValueError, match=r"."):
        public_key_from_jwk(jwk)


def test_real_document_key_types():
    import base58

    base58_key = base58.b58encode(KEY.public_key.raw).decode()
    method = verification_method_from_json(
        "did:web:x.example#k",
        {
            "type": "Ed25519VerificationKey2018",
            "controller": "did:web:x.example",
            "publicKeyBase58": base58_key,
        },
    )
    assert isinstance(method.public_key, Ed25519PublicKey)
    assert method.public_key == KEY.public_key
    with pytest.raises(DidResolutionError) as exc:
        verification_method_from_json(
            "did:web:x.example#k",
            {"type": "EcdsaSecp256k1VerificationKey2019", "controller": "did:web:x.example"},
        )
    assert exc.value.code == "invalidPublicKeyType"


def test_ec_key_repr_and_verify_refuse_wrong_lengths():
    private = ec.generate_private_key(ec.SECP256R1())
    key = EcdsaPublicKey(
        "P-256", private.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    )
    assert repr(key).startswith("EcdsaPublicKey('zDn")
    assert not key.verify(bytes(63), b"m")
    assert not key.verify(bytes(64), b"m")
    with pytest.raises(ValueError, match="P-256 or P-384"):
        EcdsaPublicKey("P-521", b"\x02" + bytes(65))
