"""Protocol JWTs: only the algorithms asked for, never none, never a MAC keyed with a public key."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from joserfc import jws
from joserfc.jwk import ECKey

from tests.builders import HOLDER, MALLORY
from vc.jws import (
    JwsError,
    b64url_decode,
    b64url_encode,
    ed25519_jwk,
    public_key_from_jwk,
    sign_jwt,
    verify_jwt,
)


def _forge(header: dict, claims: dict, signature: bytes = b"") -> str:
    encode = lambda value: b64url_encode(json.dumps(value).encode())  # noqa: E731
    return f"{encode(header)}.{encode(claims)}.{b64url_encode(signature)}"


def test_sign_and_verify_round_trip_with_typ_and_kid() -> None:
    token = sign_jwt(HOLDER.key, {"nonce": "n"}, typ="kb+jwt", kid=HOLDER.vm)
    verified = verify_jwt(token, HOLDER.key.public_key, typ="kb+jwt")
    assert verified.claims == {"nonce": "n"}
    assert verified.header == {"alg": "EdDSA", "typ": "kb+jwt", "kid": HOLDER.vm}


def test_alg_none_is_refused() -> None:
    token = _forge({"alg": "none", "typ": "kb+jwt"}, {"nonce": "n"})
    with pytest.raises(JwsError) as caught:
        verify_jwt(token, HOLDER.key.public_key)
    assert caught.value.code == "alg_not_allowed"


def test_hs256_keyed_with_the_public_key_is_refused() -> None:
    # The classic algorithm confusion: a MAC whose secret is the (public) verification key.
    header, claims = {"alg": "HS256", "typ": "kb+jwt"}, {"nonce": "n"}
    signing_input = _forge(header, claims).rsplit(".", 1)[0]
    mac = hmac.new(HOLDER.key.public_key.raw, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(JwsError) as caught:
        verify_jwt(_forge(header, claims, mac), HOLDER.key.public_key)
    assert caught.value.code == "alg_not_allowed"


def test_another_key_and_an_edited_payload_fail_the_signature() -> None:
    token = sign_jwt(HOLDER.key, {"nonce": "n"}, typ="kb+jwt")
    with pytest.raises(JwsError) as caught:
        verify_jwt(token, MALLORY.key.public_key)
    assert caught.value.code == "signature_invalid"
    header, _, signature = token.split(".")
    edited = f"{header}.{b64url_encode(json.dumps({'nonce': 'm'}).encode())}.{signature}"
    with pytest.raises(JwsError) as caught:
        verify_jwt(edited, HOLDER.key.public_key)
    assert caught.value.code == "signature_invalid"


def test_typ_is_checked() -> None:
    token = sign_jwt(HOLDER.key, {}, typ="JWT")
    with pytest.raises(JwsError) as caught:
        verify_jwt(token, HOLDER.key.public_key, typ="openid4vci-proof+jwt")
    assert caught.value.code == "typ_mismatch"


def test_es256_holder_keys_verify_when_allowed() -> None:
    key = ECKey.generate_key("P-256")
    token = jws.serialize_compact(
        {"alg": "ES256", "typ": "kb+jwt"}, b'{"nonce":"n"}', key, algorithms=["ES256"]
    )
    public = key.as_dict(private=False)
    assert verify_jwt(token, public, typ="kb+jwt", algorithms=("ES256",)).claims == {"nonce": "n"}
    with pytest.raises(JwsError):
        verify_jwt(token, public)  # ES256 is not in the default (Ed25519) list


@pytest.mark.parametrize(
    "token", ["a.b", "a.b.c.d", "", "x" * 300_000, "e30.bm90IGpzb24.c2ln", "e30=.e30.c2ln"]
)
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(JwsError) as caught:
        verify_jwt(token, HOLDER.key.public_key)
    assert caught.value.code == "malformed"


def test_jwk_round_trip_and_private_jwk_refused() -> None:
    jwk = ed25519_jwk(HOLDER.key.public_key)
    assert public_key_from_jwk(jwk) == HOLDER.key.public_key
    with pytest.raises(JwsError):
        public_key_from_jwk({**jwk, "d": "secret"})
    assert b64url_decode(b64url_encode(b"\x00\xff")) == b"\x00\xff"
