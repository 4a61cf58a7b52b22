"""SECURITY.md C05: the 12 "Taming the many EdDSAs" Ed25519 edge cases, run through laurel.

Chalkias, Garillot, Nikolaenko (SSR 2020) built 12 (message, public key, signature)
triples that tell Ed25519 verifiers apart: small-order and mixed-order A and R,
non-canonical encodings of A and R, S >= L, cofactored vs cofactorless equations. The
data is tests/vectors/ed25519-speccheck/cases.json (novifinancial/ed25519-speccheck,
see tests/vectors/SOURCES.md); the expectations below follow that repository's README
condition table and libsodium's documented rules.

Laurel's policy is strict in two places, and a verifier acts only when both pass:

- the key: a canonical encoding of a point of the prime-order subgroup, checked where a
  key enters (did:key, DID documents, did:jwk, JWKs) by
  ``crypto_core_ed25519_is_valid_point``;
- the signature: libsodium's ``crypto_sign_verify_detached`` (S < L, R and A canonical
  and not of small order, the cofactorless equation SB = R + kA).

libsodium alone accepts case 3 (mixed-order A: it does not check A's subgroup), so the
key check is what refuses it; cases 6 and 7 have a good key and an S >= L. Running every
way a key enters laurel found one that skipped the key check (the holder's ``cnf.jwk``
of an SD-JWT VC, read by ``vc.jws.public_key_from_jwk``): with a mixed-order key a
Key Binding JWT verified end to end; the last tests pin that hole shut.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import NamedTuple

import base58
import nacl.bindings as sodium
import pytest

from tests.builders import ISSUER
from tests.conftest import load_vector
from vc._did_key_method import resolve_did_key
from vc.did import DidResolver, did_key_from_public_key, verification_method_from_json
from vc.errors import DidResolutionError
from vc.jws import JwsError, b64url_decode, b64url_encode, sign_jwt, verify_jwt
from vc.jws import public_key_from_jwk as jws_public_key_from_jwk
from vc.keys import (
    ED25519_PUB_PREFIX,
    Ed25519PublicKey,
    encode_multibase_btc,
    public_key_from_jwk,
)
from vc.types import JSONObject
from verifier.policy import VerificationPolicy
from verifier.sdjwt import verify_sd_jwt_vc

#: The group order L of Ed25519's prime-order subgroup.
L = 2**252 + 27742317777372353535851937790883648493


class Case(NamedTuple):
    """One row of the speccheck README table, and what laurel does with it."""

    msg_tail: str  # the README's "msg" column (the message's last hex digits)
    sig_tail: str  # the README's "sig" column (the signature's last hex digits)
    key_accepted: bool  # a did:key (or any key laurel reads) of pub_key resolves
    signature_verifies: bool  # laurel's Ed25519 verification (libsodium) accepts it
    reason: str


CASES: dict[str, Case] = {
    "case00-small-A-small-R-S0": Case(
        "22b6", "0000", False, False, "small-order A: refused at the key (and R small, S = 0)"
    ),
    "case01-small-A-mixed-R": Case(
        "2e79", "ac04", False, False, "small-order A: refused at the key and by libsodium"
    ),
    "case02-mixed-A-small-R": Case(
        "b9ab", "260e", False, False, "mixed-order A refused at the key; small R by libsodium"
    ),
    "case03-mixed-A-mixed-R-both-equations": Case(
        "2e79", "d009", False, True, "mixed-order A: libsodium verifies; refused at the key"
    ),
    "case04-mixed-A-mixed-R-cofactored-only": Case(
        "f56c", "1a09", False, False, "mixed-order A refused; the cofactorless equation fails"
    ),
    "case05-mixed-A-L-order-R-prereduced": Case(
        "f56c", "7405", False, False, "mixed-order A refused; the cofactorless equation fails"
    ),
    "case06-S-over-L": Case(
        "ec40", "a514", True, False, "good key; S > L (malleable S): refused by libsodium"
    ),
    "case07-S-far-over-L": Case(
        "ec40", "8c22", True, False, "good key; S >> L (high bits set): refused by libsodium"
    ),
    "case08-noncanonical-R-reduced-for-hash": Case(
        "8b41", "5f0f", False, False, "mixed-order A refused; non-canonical small R by libsodium"
    ),
    "case09-noncanonical-R-unreduced-for-hash": Case(
        "8b41", "4908", False, False, "mixed-order A refused; non-canonical small R by libsodium"
    ),
    "case10-noncanonical-A-reduced-for-hash": Case(
        "155b", "ac04", False, False, "non-canonical small-order A: refused at the key"
    ),
    "case11-noncanonical-A-unreduced-for-hash": Case(
        "c06f", "ac04", False, False, "non-canonical small-order A: refused at the key"
    ),
}
IDS = list(CASES)
VECTORS: list[dict[str, str]] = load_vector("ed25519-speccheck/cases.json")


class Vector(NamedTuple):
    message: bytes
    key: bytes
    signature: bytes


def _vector(case_id: str) -> Vector:
    row = VECTORS[IDS.index(case_id)]
    return Vector(*(bytes.fromhex(row[name]) for name in ("message", "pub_key", "signature")))


def _did_key(raw: bytes) -> str:
    # did_key_from_public_key: "did:key:" + base58btc multibase of 0xed01 + the key bytes.
    return did_key_from_public_key(Ed25519PublicKey(raw))


def _did_key_refusal(raw: bytes) -> str | None:
    """None if the did:key of `raw` resolves, else the resolution error's code."""
    try:
        resolve_did_key(_did_key(raw))
    except DidResolutionError as exc:
        return exc.code
    return None


def _accepted_end_to_end(vector: Vector) -> bool:
    """What a verifier acts on: the issuer's did:key resolves, and its key verifies the bytes."""
    try:
        document = resolve_did_key(_did_key(vector.key))
    except DidResolutionError:
        return False
    method = document.verification_method(document.assertion_method[0])
    return method.public_key.verify(vector.signature, vector.message)


def test_c05_the_vectors_are_the_twelve_published_cases() -> None:
    assert len(VECTORS) == len(CASES) == 12
    for row, (case_id, case) in zip(VECTORS, CASES.items(), strict=True):
        assert row["message"].endswith(case.msg_tail), case_id
        assert row["signature"].endswith(case.sig_tail), case_id
        vector = _vector(case_id)
        assert (len(vector.message), len(vector.key), len(vector.signature)) == (32, 32, 64)


def test_c05_the_did_key_helper_is_the_multicodec_encoding() -> None:
    raw = _vector(IDS[0]).key
    assert _did_key(raw) == "did:key:" + encode_multibase_btc(ED25519_PUB_PREFIX + raw)


@pytest.mark.parametrize("case_id", IDS)
def test_c05_taming_case_key_as_did_key(case_id: str) -> None:
    case = CASES[case_id]
    expected = None if case.key_accepted else "invalidPublicKey"
    assert _did_key_refusal(_vector(case_id).key) == expected, case.reason


@pytest.mark.parametrize("case_id", IDS)
def test_c05_taming_case_signature(case_id: str) -> None:
    case, vector = CASES[case_id], _vector(case_id)
    verifies = Ed25519PublicKey(vector.key).verify(vector.signature, vector.message)
    assert verifies is case.signature_verifies, case.reason


@pytest.mark.parametrize("case_id", IDS)
def test_c05_taming_case_is_refused_end_to_end(case_id: str) -> None:
    # None of the 12 is a plain valid signature by a prime-order key, so none may pass.
    case, vector = CASES[case_id], _vector(case_id)
    assert not (case.key_accepted and case.signature_verifies), case.reason
    assert _accepted_end_to_end(vector) is False, case.reason


#: Every way an Ed25519 key enters laurel, and how each refuses a bad one.
_KEY_PATHS = {
    "did:key": "invalidPublicKey",
    "did:jwk": "invalidPublicKey",
    "Multikey": "invalidPublicKey",
    "Ed25519VerificationKey2020": "invalidPublicKey",
    "Ed25519VerificationKey2018": "invalidPublicKey",
    "JsonWebKey": "invalidPublicKey",
    "vc.keys.public_key_from_jwk": "ValueError",  # VC-JWT issuer keys
    "vc.jws.public_key_from_jwk": "malformed",  # an SD-JWT VC's cnf.jwk (the holder's key)
}


def _key_refusal(path: str, raw: bytes) -> str | None:
    """None if laurel accepts `raw` as an Ed25519 key read along `path`, else how it refuses."""
    jwk: JSONObject = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    multibase = encode_multibase_btc(ED25519_PUB_PREFIX + raw)
    entries: Mapping[str, JSONObject] = {
        "Multikey": {"publicKeyMultibase": multibase},
        "Ed25519VerificationKey2020": {"publicKeyMultibase": multibase},
        "Ed25519VerificationKey2018": {"publicKeyBase58": base58.b58encode(raw).decode()},
        "JsonWebKey": {"publicKeyJwk": jwk},
    }
    try:
        if path == "did:key":
            return _did_key_refusal(raw)
        if path == "did:jwk":
            DidResolver().resolve("did:jwk:" + b64url_encode(json.dumps(jwk).encode()))
        elif path == "vc.keys.public_key_from_jwk":
            public_key_from_jwk(jwk)
        elif path == "vc.jws.public_key_from_jwk":
            jws_public_key_from_jwk(jwk)
        else:
            vm = "did:example:issuer#key-1"
            entry: JSONObject = {"id": vm, "type": path, "controller": "did:example:issuer"}
            entry.update(entries[path])
            verification_method_from_json(vm, entry)
    except (DidResolutionError, JwsError) as exc:
        return exc.code
    except ValueError:
        return "ValueError"
    return None


@pytest.mark.parametrize("path", _KEY_PATHS)
@pytest.mark.parametrize("case_id", IDS)
def test_c05_taming_case_key_on_every_path_laurel_reads_keys(case_id: str, path: str) -> None:
    case = CASES[case_id]
    expected = None if case.key_accepted else _KEY_PATHS[path]
    assert _key_refusal(path, _vector(case_id).key) == expected, (path, case.reason)


@pytest.mark.parametrize("case_id", ["case06-S-over-L", "case07-S-far-over-L"])
def test_c05_s_reduced_mod_l_is_the_signature_that_verifies(case_id: str) -> None:
    # Control: the key is good and R is fine; only the unreduced S was refused.
    vector = _vector(case_id)
    s = int.from_bytes(vector.signature[32:], "little")
    assert s >= L
    reduced = vector.signature[:32] + (s % L).to_bytes(32, "little")
    assert _accepted_end_to_end(vector._replace(signature=reduced)) is True


def test_c05_plain_signature_by_a_prime_order_key_is_accepted_end_to_end() -> None:
    # Control: the end-to-end check accepts what it should.
    message = _vector(IDS[6]).message
    vector = Vector(message, ISSUER.key.public_key.raw, ISSUER.key.sign(message))
    assert _accepted_end_to_end(vector) is True


# --- The hole found: a mixed-order holder key (cnf.jwk) binding an SD-JWT VC --------------

_SMALL_ORDER_POINT = bytes.fromhex(VECTORS[0]["pub_key"])  # case 0's A (small order)
_NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
_NONCE, _AUDIENCE = "n-c05-taming", "x509_san_dns:verifier.example"
_VCT = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"


def _scalar(label: bytes) -> bytes:
    return sodium.crypto_core_ed25519_scalar_reduce(hashlib.sha512(label).digest())


def _mixed_order_key() -> tuple[bytes, bytes]:
    """(secret scalar a, A' = aB + T): a prime-order key plus a small-order component T."""
    secret = _scalar(b"C05 mixed-order holder")
    public = sodium.crypto_core_ed25519_add(
        sodium.crypto_scalarmult_ed25519_base_noclamp(secret), _SMALL_ORDER_POINT
    )
    return secret, public


def _sign_with_mixed_order_key(secret: bytes, public: bytes, message: bytes) -> bytes:
    """A signature libsodium accepts under A' = aB + T: choose r until 8 divides k.

    SB = R + kaB, and R + kA' = R + kaB + kT; T's order divides 8, so with 8 | k the
    cofactorless equation holds (about one nonce in eight).
    """
    for attempt in range(1000):
        r = _scalar(b"nonce %d " % attempt + message)
        big_r = sodium.crypto_scalarmult_ed25519_base_noclamp(r)
        k = _scalar(big_r + public + message)
        if int.from_bytes(k, "little") % 8 == 0:
            s = sodium.crypto_core_ed25519_scalar_add(
                r, sodium.crypto_core_ed25519_scalar_mul(k, secret)
            )
            return big_r + s
    raise AssertionError("no nonce with 8 | k in 1000 tries")


def _sd_jwt_bound_to(jwk: JSONObject, secret: bytes, public: bytes) -> str:
    """An SD-JWT VC by ISSUER with cnf.jwk = `jwk`, and a KB-JWT signed with `secret`."""
    claims: JSONObject = {
        "iss": ISSUER.did,
        "vct": _VCT,
        "iat": int((_NOW - dt.timedelta(days=1)).timestamp()),
        "cnf": {"jwk": jwk},
    }
    presented = sign_jwt(ISSUER.key, claims, typ="dc+sd-jwt", kid=ISSUER.vm) + "~"
    kb_claims = {
        "iat": int(_NOW.timestamp()),
        "nonce": _NONCE,
        "aud": _AUDIENCE,
        "sd_hash": b64url_encode(hashlib.sha256(presented.encode()).digest()),
    }
    header = b64url_encode(json.dumps({"alg": "EdDSA", "typ": "kb+jwt"}).encode())
    body = b64url_encode(json.dumps(kb_claims).encode())
    signature = _sign_with_mixed_order_key(secret, public, f"{header}.{body}".encode())
    return f"{presented}{header}.{body}.{b64url_encode(signature)}"


def test_c05_mixed_order_cnf_key_cannot_bind_an_sd_jwt_presentation() -> None:
    secret, public = _mixed_order_key()
    assert not sodium.crypto_core_ed25519_is_valid_point(public)  # mixed order
    jwk: JSONObject = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(public)}
    presentation = _sd_jwt_bound_to(jwk, secret, public)
    kb_jwt = presentation.rsplit("~", 1)[1]
    header_and_body, signature = kb_jwt.rsplit(".", 1)
    # The forgery is real: libsodium alone verifies the KB-JWT under the mixed-order key.
    assert Ed25519PublicKey(public).verify(b64url_decode(signature), header_and_body.encode())
    with pytest.raises(JwsError) as info:
        verify_jwt(kb_jwt, jwk, typ="kb+jwt")
    assert info.value.code == "malformed"
    policy = VerificationPolicy(now=_NOW, challenge=_NONCE, domain=_AUDIENCE)
    result = verify_sd_jwt_vc(presentation, policy, resolver=DidResolver(), vct_values=(_VCT,))
    assert not result.verified
    assert "presentation.key_binding_invalid" in [c.id for c in result.failures()]


def test_c05_prime_order_cnf_key_still_binds_an_sd_jwt_presentation() -> None:
    # Control for the test above: the same construction with T removed verifies.
    secret, mixed = _mixed_order_key()
    public = sodium.crypto_core_ed25519_sub(mixed, _SMALL_ORDER_POINT)
    assert sodium.crypto_core_ed25519_is_valid_point(public)
    jwk: JSONObject = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(public)}
    policy = VerificationPolicy(now=_NOW, challenge=_NONCE, domain=_AUDIENCE)
    result = verify_sd_jwt_vc(
        _sd_jwt_bound_to(jwk, secret, public), policy, resolver=DidResolver(), vct_values=(_VCT,)
    )
    assert result.verified, [c.id for c in result.failures()]
