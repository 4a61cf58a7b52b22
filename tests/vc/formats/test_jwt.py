"""VC-JWT: both forms, keys from the issuer only, claims checked, and the JOSE attacks."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from vc.did import DidResolver, did_key_from_public_key
from vc.errors import LaurelError
from vc.formats.jwt import decode_jwt, sign_jwt, verify_jwt, verify_status_list_jwt
from vc.keys import EcdsaPublicKey, Ed25519KeyPair
from vc.status import Bitstring

ISSUER = Ed25519KeyPair.from_seed(hashlib.sha256(b"jwt issuer").digest())
MALLORY = Ed25519KeyPair.from_seed(hashlib.sha256(b"jwt mallory").digest())
DID = did_key_from_public_key(ISSUER.public_key)
KID = f"{DID}#{ISSUER.public_key.multibase}"
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


class NoNetwork:
    """A did:web fetcher that must never be called."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        raise LaurelError(f"fetched {url}")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(header: dict, payload: dict, sign) -> str:
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(payload).encode())
    return f"{head}.{body}.{b64(sign(f'{head}.{body}'.encode()))}"


def credential(**extra) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:6f1f0f53-3a1d-4d2a-a2b7-2c1e2a9b0f01",
        "type": ["VerifiableCredential"],
        "issuer": DID,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:ana"},
        **extra,
    }


def vc11_payload(**claims) -> dict:
    vc = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "credentialSubject": {"type": ["AchievementSubject"]},
    }
    base = {"iss": DID, "sub": "did:example:ana", "nbf": 1767225600, "jti": "urn:uuid:1", "vc": vc}
    base.update(claims)
    return base


def verify(token: str, **kwargs):
    return verify_jwt(token, resolver=DidResolver(web_fetcher=NoNetwork()), now=NOW, **kwargs)


# --------------------------------------------------------------------------- both forms


def test_vc_jose_cose_form_signed_by_laurel_verifies():
    token = sign_jwt(credential(), ISSUER, KID)
    result = verify(token)
    assert result.verified, result.checks
    assert result.form == "vc-jose-cose"
    assert result.header == {"alg": "EdDSA", "typ": "vc+jwt", "kid": KID}
    assert result.credential == credential()
    assert [c.id for c in result.checks] == ["format.jwt", "proof.signature"]


def test_vc11_vc_claim_form_maps_registered_claims_into_the_credential():
    token = compact({"alg": "EdDSA", "kid": KID}, vc11_payload(), ISSUER.sign)
    result = verify(token)
    assert result.verified, result.checks
    assert result.form == "vc-claim"
    assert result.credential["issuer"] == DID
    assert result.credential["id"] == "urn:uuid:1"
    assert result.credential["issuanceDate"] == "2026-01-01T00:00:00Z"
    assert result.credential["credentialSubject"]["id"] == "did:example:ana"


@pytest.mark.parametrize(
    ("claim", "value", "member"),
    [
        ("iss", "did:example:mallory", "issuer"),
        ("sub", "did:example:mallory", "credentialSubject.id"),
        ("jti", "urn:uuid:other", "id"),
        ("nbf", 1767225601, "issuanceDate"),
        ("exp", 1893456060, "expirationDate"),
    ],
)
def test_j03_claim_that_disagrees_with_the_credential_is_named(claim, value, member):
    payload = vc11_payload(**{claim: value})
    payload["vc"].update(
        {
            "issuer": DID,
            "id": "urn:uuid:1",
            "issuanceDate": "2026-01-01T00:00:00Z",
            "expirationDate": "2030-01-01T00:00:00Z",
        }
    )
    payload["vc"]["credentialSubject"]["id"] = "did:example:ana"
    if claim == "iss":
        payload["vc"]["issuer"] = DID  # the signature is by the vc.issuer; iss lies
    result = verify(compact({"alg": "EdDSA", "kid": KID}, payload, ISSUER.sign))
    failures = [c for c in result.checks if c.status.value == "failed"]
    assert [c.id for c in failures] == ["format.jwt_claim_mismatch"]
    assert failures[0].details == {"claim": claim, "member": member}


def test_expired_jwt_and_not_yet_valid_jwt():
    token = compact({"alg": "EdDSA", "kid": KID}, vc11_payload(exp=1767225601), ISSUER.sign)
    assert verify(token).failures() == ("validity.jwt_expired",)
    token = compact({"alg": "EdDSA", "kid": KID}, vc11_payload(nbf=1893456000), ISSUER.sign)
    assert verify(token).failures() == ("validity.jwt_not_yet_valid",)


def test_tampered_payload_fails_signature():
    token = sign_jwt(credential(), ISSUER, KID)
    head, _, sig = token.split(".")
    forged = b64(json.dumps(credential(credentialSubject={"id": "did:example:eve"})).encode())
    assert verify(f"{head}.{forged}.{sig}").failures() == ("proof.signature_invalid",)


def test_es256_with_a_p256_did_key_verifies():
    private = ec.generate_private_key(ec.SECP256R1())
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    did = did_key_from_public_key(EcdsaPublicKey("P-256", point))
    kid = f"{did}#{did.removeprefix('did:key:')}"

    def es256(data: bytes) -> bytes:
        r, s = decode_dss_signature(private.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    token = compact({"alg": "ES256", "kid": kid, "typ": "vc+jwt"}, credential(issuer=did), es256)
    assert verify(token).verified


def _rsa() -> tuple[rsa.RSAPrivateKey, dict]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    jwk = {
        "kty": "RSA",
        "kid": "https://school.example/issuers/1#rsa",
        "n": b64(numbers.n.to_bytes(256, "big")),
        "e": b64(numbers.e.to_bytes(3, "big")),
    }
    return private, jwk


def test_rs256_with_a_key_from_the_issuer_profile_verifies():
    private, jwk = _rsa()
    issuer = "https://school.example/issuers/1"
    token = compact(
        {"alg": "RS256", "kid": jwk["kid"]},
        credential(issuer=issuer),
        lambda data: private.sign(data, padding.PKCS1v15(), hashes.SHA256()),
    )
    assert verify(token, issuer_jwks=[jwk]).verified
    # Without the profile's keys nothing proves the key is the issuer's, and nothing is fetched.
    assert verify(token).failures() == ("issuer.key_resolution",)


def test_did_jwk_issuer_verifies_with_its_header_jwk():
    jwk = ISSUER.public_key.to_jwk()
    did = "did:jwk:" + b64(json.dumps(jwk).encode())
    token = compact({"alg": "EdDSA", "jwk": jwk}, credential(issuer=did), ISSUER.sign)
    assert verify(token).verified
    token = compact({"alg": "EdDSA", "kid": f"{did}#0"}, credential(issuer=did), ISSUER.sign)
    assert verify(token).verified


def test_status_list_published_as_a_vc_jwt():
    bits = Bitstring.new()
    bits.set(7, 1)
    listing = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://school.example/status/1",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": DID,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "https://school.example/status/1#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode(),
        },
    }
    result = verify_status_list_jwt(
        sign_jwt(listing, ISSUER, KID), resolver=DidResolver(web_fetcher=NoNetwork()), now=NOW
    )
    assert result.verified
    assert result.checks[-1].id == "status.list_type"
    assert Bitstring.decode(result.credential["credentialSubject"]["encodedList"]).get(7) == 1
    other = verify_status_list_jwt(
        sign_jwt(credential(), ISSUER, KID), resolver=DidResolver(), now=NOW
    )
    assert other.failures() == ("status.list_type",)


# --------------------------------------------------------------------------- attacks


def test_j01_alg_none_is_refused():
    token = compact({"alg": "none"}, credential(), lambda data: b"")
    token = token.rsplit(".", 1)[0] + "."
    result = verify(token)
    assert result.failures() in (("format.jwt_malformed",), ("proof.unsupported_alg",))
    token = compact({"alg": "none", "kid": KID}, credential(), lambda data: b"x")
    assert verify(token).failures() == ("proof.unsupported_alg",)


def test_j01_hs256_keyed_with_the_issuers_public_key_is_refused():
    # The RS/HS confusion: the attacker MACs with the public key, hoping the verifier
    # feeds the "key" it has to HMAC.
    raw = ISSUER.public_key.raw
    token = compact(
        {"alg": "HS256", "kid": KID},
        credential(),
        lambda data: hmac.new(raw, data, hashlib.sha256).digest(),
    )
    assert verify(token).failures() == ("proof.unsupported_alg",)
    private, jwk = _rsa()
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = compact(
        {"alg": "HS256", "kid": jwk["kid"]},
        credential(issuer="https://school.example/issuers/1"),
        lambda data: hmac.new(pem, data, hashlib.sha256).digest(),
    )
    assert verify(token, issuer_jwks=[jwk]).failures() == ("proof.unsupported_alg",)


def test_alg_that_does_not_match_the_issuers_key_is_refused():
    # ES256 claimed for an Ed25519 key: the key decides the algorithm.
    token = compact({"alg": "ES256", "kid": KID}, credential(), ISSUER.sign)
    assert verify(token).failures() == ("proof.unsupported_alg",)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("jku", "http://169.254.169.254/latest/meta-data/keys.json"),
        ("x5u", "http://10.0.0.1/cert.pem"),
        ("jku", "https://127.0.0.1/jwks.json"),
    ],
)
def test_j02_jku_and_x5u_to_private_hosts_fetch_nothing(header, value):
    network = NoNetwork()
    token = compact({"alg": "EdDSA", header: value}, credential(), MALLORY.sign)
    result = verify_jwt(token, resolver=DidResolver(web_fetcher=network), now=NOW)
    assert result.failures() == ("proof.unsupported_header",)
    assert network.urls == []


def test_j02_kid_url_at_a_private_host_is_not_fetched():
    network = NoNetwork()
    token = compact(
        {"alg": "EdDSA", "kid": "https://10.0.0.1/keys#1"},
        credential(issuer="https://school.example/issuers/1"),
        MALLORY.sign,
    )
    result = verify_jwt(token, resolver=DidResolver(web_fetcher=network), now=NOW)
    assert result.failures() == ("issuer.key_resolution",)
    assert network.urls == []


def test_j02_header_jwk_that_is_not_the_issuers_is_refused():
    token = compact(
        {"alg": "EdDSA", "jwk": MALLORY.public_key.to_jwk()}, credential(), MALLORY.sign
    )
    assert verify(token).failures() == ("issuer.key_binding",)


def test_kid_of_another_did_is_refused():
    kid = f"{did_key_from_public_key(MALLORY.public_key)}#{MALLORY.public_key.multibase}"
    token = compact({"alg": "EdDSA", "kid": kid}, credential(), MALLORY.sign)
    assert verify(token).failures() == ("issuer.key_binding",)


@pytest.mark.parametrize(
    ("extra", "failure"),
    [
        ({"crit": ["exp"]}, "proof.unsupported_header"),
        ({"zip": "DEF"}, "proof.unsupported_header"),
        ({"typ": "vc+sd-jwt"}, "proof.unsupported_header"),
        ({"x5c": ["MIIB"]}, "proof.unsupported_header"),
    ],
)
def test_refused_headers(extra, failure):
    token = compact({"alg": "EdDSA", "kid": KID, **extra}, credential(), ISSUER.sign)
    assert verify(token).failures() == (failure,)


def test_jwe_and_malformed_tokens_are_named():
    assert verify("a.b.c.d.e").failures() == ("format.jwe",)
    assert verify("not a jwt").failures() == ("format.jwt_malformed",)
    assert verify("e30.e30.").failures() == ("format.jwt_malformed",)
    payload = {"iss": DID, "sub": "x"}
    assert verify(compact({"alg": "EdDSA"}, payload, ISSUER.sign)).failures() == (
        "format.jwt_not_credential",
    )


def test_decode_names_an_ob2_signed_assertion():
    payload = {"badge": "https://school.example/b", "recipient": {"identity": "x"}}
    with pytest.raises(LaurelError) as exc:
        decode_jwt(compact({"alg": "RS256"}, payload, lambda data: b"sig"))
    assert exc.value.code == "ob2_signed_assertion"


def test_strict_ed25519_refuses_a_non_canonical_s():
    token = sign_jwt(credential(), ISSUER, KID)
    head, body, sig = token.split(".")
    raw = base64.urlsafe_b64decode(sig + "==")
    order = 2**252 + 27742317777372353535851937790883648493
    s = int.from_bytes(raw[32:], "little") + order
    malleated = b64(raw[:32] + s.to_bytes(32, "little"))
    assert verify(f"{head}.{body}.{malleated}").failures() == ("proof.signature_invalid",)


def test_ob3_credential_keeps_nbf_equal_to_valid_from_but_a_status_list_need_not():
    # OB 3.0 "Verify a Credential VC-JWT Signature": nbf MUST equal validFrom.
    badge = credential(type=["VerifiableCredential", "OpenBadgeCredential"])
    token = compact({"alg": "EdDSA", "kid": KID}, {**badge, "nbf": 1767225660}, ISSUER.sign)
    assert verify(token).failures() == ("format.jwt_claim_mismatch",)
    # VC-JOSE-COSE (vc-jose-cose#205): for other credentials nbf only bounds the JWT.
    token = compact({"alg": "EdDSA", "kid": KID}, {**credential(), "nbf": 1767225660}, ISSUER.sign)
    result = verify(token)
    assert result.verified
    assert "nbf" not in result.credential


def test_laurel_jwt_carries_ob3_registered_claims():
    token = sign_jwt(credential(validUntil="2030-01-01T00:00:00Z"), ISSUER, KID)
    payload = decode_jwt(token).payload
    assert (payload["iss"], payload["jti"], payload["sub"]) == (
        DID,
        "urn:uuid:6f1f0f53-3a1d-4d2a-a2b7-2c1e2a9b0f01",
        "did:example:ana",
    )
    assert (payload["nbf"], payload["exp"]) == (1767225600, 1893456000)
