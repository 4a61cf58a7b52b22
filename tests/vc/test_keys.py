from __future__ import annotations

import base58
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import load_vector
from vc.keys import (
    Ed25519KeyPair,
    Ed25519PublicKey,
    MultibaseError,
    decode_multibase_btc,
)


def test_multikey_and_w3c_secret_form_round_trip():
    pair = load_vector("vc-di-eddsa/keyPair.json")
    key = Ed25519KeyPair.from_private_multibase(pair["privateKeyMultibase"])
    assert key.public_key.multibase == pair["publicKeyMultibase"]
    assert key.public_key.multibase.startswith("z6Mk")
    assert key.export_private_key_unencrypted() == pair["privateKeyMultibase"]
    assert key.export_private_key_unencrypted().startswith("z3u2")
    assert Ed25519PublicKey.from_multibase(pair["publicKeyMultibase"]) == key.public_key


@pytest.mark.parametrize(
    ("did", "seed_hex"),
    [
        (did, entry["seed"])
        for did, entry in load_vector("did-key/ed25519-x25519.json").items()
        if "seed" in entry
    ],
)
def test_did_key_seed_vectors(did, seed_hex):
    key = Ed25519KeyPair.from_seed(bytes.fromhex(seed_hex))
    assert f"did:key:{key.public_key.multibase}" == did


def test_signatures_are_deterministic_and_verify():
    key = Ed25519KeyPair.from_seed(bytes(range(32)))
    assert key.sign(b"badge") == key.sign(b"badge")
    assert key.public_key.verify(key.sign(b"badge"), b"badge")
    assert not key.public_key.verify(key.sign(b"badge"), b"badgE")


def test_non_canonical_s_is_rejected():
    # SECURITY C04: S + L is the same signature to a lax verifier.
    order = 2**252 + 27742317777372353535851937790883648493
    key = Ed25519KeyPair.from_seed(bytes(32))
    signature = key.sign(b"m")
    s = int.from_bytes(signature[32:], "little") + order
    malleated = signature[:32] + s.to_bytes(32, "little")
    assert not key.public_key.verify(malleated, b"m")


def test_wrong_signature_length_is_not_valid():
    key = Ed25519KeyPair.from_seed(bytes(32))
    assert not key.public_key.verify(b"\x00" * 63, b"m")
    assert not key.public_key.verify(b"\x00" * 65, b"m")


def test_secret_never_in_repr():
    key = Ed25519KeyPair.from_seed(bytes(range(32)))
    secret = key.export_private_key_unencrypted()
    text = repr(key) + str(key)
    assert secret not in text
    assert bytes(range(32)).hex() not in text
    assert key.public_key.multibase in repr(key)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (bytearray(32), TypeError),
        ("short", TypeError),
    ],
)
def test_seed_type_errors(value, error):
    with pytest.raises(error):
        Ed25519KeyPair.from_seed(value)


def test_seed_length_error():
    with pytest.raises(ValueError, match="32 bytes"):
        Ed25519KeyPair.from_seed(b"\x00" * 31)


@pytest.mark.parametrize("value", ["", "z", "u6Mk", "z0OIl", "zé", 42])
def test_bad_multibase(value):
    with pytest.raises(MultibaseError):
        decode_multibase_btc(value)


def test_public_key_from_wrong_codec():
    x25519 = "z6LSj72tK8brWgZja8NLRwPigth2T9QRiG1uH9oKZuKjdh9p"
    with pytest.raises(ValueError, match="0xed"):
        Ed25519PublicKey.from_multibase(x25519)


def test_secret_key_with_wrong_prefix():
    public = load_vector("vc-di-eddsa/keyPair.json")["publicKeyMultibase"]
    with pytest.raises(ValueError, match="secret key"):
        Ed25519KeyPair.from_private_multibase(public)


def test_prefixes_match_the_multicodec_table():
    from multiformats import multicodec

    assert multicodec.wrap("ed25519-pub", b"")[:2] == b"\xed\x01"
    assert multicodec.wrap("ed25519-priv", b"") == b"\x80\x26"


# --- base58btc decoding against the base58 package (differential) ------------------------


@given(st.binary(min_size=1, max_size=80))
def test_base58btc_decoding_equals_the_base58_package(data: bytes) -> None:
    text = "z" + base58.b58encode(data).decode()
    assert decode_multibase_btc(text) == base58.b58decode(text[1:]) == data


@given(
    st.text(
        alphabet="123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl+/",
        min_size=1,
        max_size=40,
    )
)
def test_base58btc_refuses_what_the_base58_package_refuses(body: str) -> None:
    try:
        expected = base58.b58decode(body)
    except ValueError:
        expected = None
    try:
        got = decode_multibase_btc("z" + body)
    except MultibaseError:
        got = None
    assert got == expected


_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _spellings_of_one_key(x: str) -> list[str]:
    # The same 32 bytes as `urlsafe_b64decode` reads them: characters outside the alphabet
    # dropped; the last character's two unused bits (43 x 6 = 258 bits) flipped.
    last = _B64URL.index(x[-1])
    return [x[:5] + "$!" + x[5:], x[:10] + "*.~" + x[10:], x[:-1] + _B64URL[last ^ 3]]


def test_c06_a_jwk_x_in_another_spelling_of_the_same_key_is_refused() -> None:
    # RFC 7515 base64url has one spelling per value: a JWK (did:jwk, a DID document's
    # JsonWebKey, a VC-JWT header) that spells a key another way is refused, not read as it.
    import base64

    from vc.keys import Ed25519KeyPair, public_key_from_jwk

    raw = Ed25519KeyPair.generate().public_key.raw
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    assert public_key_from_jwk({"kty": "OKP", "crv": "Ed25519", "x": x}).raw == raw
    for spelling in {s for s in _spellings_of_one_key(x) if s != x}:
        assert base64.urlsafe_b64decode(spelling + "=" * (-len(spelling) % 4)) == raw
        with pytest.raises(ValueError, match="base64url"):
            public_key_from_jwk({"kty": "OKP", "crv": "Ed25519", "x": spelling})
