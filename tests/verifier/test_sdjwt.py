"""SD-JWT VC presentations (dc+sd-jwt + KB-JWT) through laurel's checks; each attack named for itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from tests.builders import HOLDER, ISSUER, MALLORY
from vc.did import DidResolver
from vc.jws import b64url_encode, ed25519_jwk, sign_jwt
from verifier.policy import VerificationPolicy
from verifier.sdjwt import verify_sd_jwt_vc

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
NONCE, AUDIENCE = "n-0S6_WzA2Mj", "decentralized_identifier:did:key:z6MkVerifier"
VCT = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
POLICY = VerificationPolicy(now=NOW, challenge=NONCE, domain=AUDIENCE)


def _disclosure(salt: str, name: str, value: object) -> str:
    return b64url_encode(json.dumps([salt, name, value]).encode())


def _digest(text: str) -> str:
    return b64url_encode(hashlib.sha256(text.encode()).digest())


def build(**change: object) -> str:
    """An SD-JWT+KB by ISSUER for HOLDER, disclosing the achievement; `change` bends one part."""
    achievement = _disclosure("salt-1", "achievement", {"name": "Formative Assessment"})
    email = _disclosure("salt-2", "email", "ana@school.example")
    payload: dict = {
        "iss": ISSUER.did,
        "vct": VCT,
        "iat": int((NOW - dt.timedelta(days=1)).timestamp()),
        "cnf": {"jwk": ed25519_jwk(HOLDER.key.public_key)},
        "_sd_alg": "sha-256",
        "_sd": sorted([_digest(achievement), _digest(email)]),
        **dict(change.get("payload", {})),  # type: ignore[call-overload]
    }
    issuer_jwt = sign_jwt(
        ISSUER.key,
        payload,
        typ=str(change.get("typ", "dc+sd-jwt")),
        kid=str(change.get("kid", ISSUER.vm)),
    )
    disclosures = list(change.get("disclosures", [achievement]))  # type: ignore[call-overload]
    presented = "~".join([issuer_jwt, *disclosures]) + "~"
    if change.get("no_kb"):
        return presented
    kb_claims = {
        "iat": int(change.get("kb_iat", NOW.timestamp())),  # type: ignore[call-overload]
        "nonce": change.get("nonce", NONCE),
        "aud": change.get("aud", AUDIENCE),
        "sd_hash": _digest(presented),
    }
    kb = sign_jwt(change.get("kb_key", HOLDER.key), kb_claims, typ="kb+jwt")  # type: ignore[arg-type]
    if change.get("kb_alg_none"):
        header = b64url_encode(json.dumps({"alg": "none", "typ": "kb+jwt"}).encode())
        kb = f"{header}.{kb.split('.')[1]}."
    if change.get("extra_disclosure_after_kb"):
        presented = presented + change["extra_disclosure_after_kb"] + "~"  # type: ignore[operator]
    return presented + kb


def verify(text: str):  # type: ignore[no-untyped-def]
    return verify_sd_jwt_vc(text, POLICY, resolver=DidResolver(), vct_values=(VCT,))


def test_a_genuine_sd_jwt_vc_presentation_verifies() -> None:
    result = verify(build())
    assert result.verified, [c.id for c in result.failures()]
    assert result.summary["achievement"] == "Formative Assessment"
    assert "ana@school.example" not in json.dumps(result.to_json())


@pytest.mark.parametrize(
    ("attack", "change", "check"),
    [
        ("kb_jwt_missing", {"no_kb": True}, "presentation.key_binding_missing"),
        (
            "kb_jwt_for_another_nonce",
            {"nonce": "replayed-nonce"},
            "presentation.challenge_mismatch",
        ),
        (
            "kb_jwt_for_another_verifier",
            {"aud": "x509_san_dns:evil.example"},
            "presentation.domain_mismatch",
        ),
        ("kb_jwt_by_another_key", {"kb_key": MALLORY.key}, "presentation.key_binding_invalid"),
        ("kb_jwt_alg_none", {"kb_alg_none": True}, "presentation.key_binding_invalid"),
        (
            "kb_jwt_stale",
            {"kb_iat": (NOW - dt.timedelta(hours=2)).timestamp()},
            "presentation.key_binding_stale",
        ),
        (
            "disclosure_added_after_key_binding",
            {"extra_disclosure_after_kb": _disclosure("salt-2", "email", "ana@school.example")},
            "presentation.sd_hash_mismatch",
        ),
        (
            "disclosure_forged",
            {"disclosures": [_disclosure("salt-1", "achievement", {"name": "Distinguished"})]},
            "format.disclosure_unreferenced",
        ),
        ("issuer_kid_of_another_did", {"kid": MALLORY.vm}, "issuer.key_unresolved"),
        (
            "expired",
            {"payload": {"exp": int((NOW - dt.timedelta(days=1)).timestamp())}},
            "validity.expired",
        ),
        (
            "not_yet_valid",
            {"payload": {"nbf": int((NOW + dt.timedelta(days=1)).timestamp())}},
            "validity.not_yet_valid",
        ),
        ("wrong_typ", {"typ": "JWT"}, "format.sd_jwt_typ"),
        (
            "another_vct",
            {"payload": {"vct": "urn:eu.europa.ec.eudi:pid:1"}},
            "presentation.query_mismatch",
        ),
        (
            "status_list_unread",
            {"payload": {"status": {"status_list": {"idx": 1, "uri": "https://x"}}}},
            "status.unsupported",
        ),
    ],
)
def test_sd_jwt_attacks_fail_by_name(attack: str, change: dict, check: str) -> None:
    result = verify(build(**change))
    assert not result.verified
    assert check in [c.id for c in result.failures()], (attack, [c.id for c in result.failures()])


def test_issuer_signature_over_edited_claims_fails() -> None:
    text = build()
    issuer_jwt, rest = text.split("~", 1)
    header, payload, signature = issuer_jwt.split(".")
    edited = json.loads(base64_decode(payload))
    edited["iss"] = ISSUER.did
    edited["vct"] = VCT + "#edited"
    forged = ".".join([header, b64url_encode(json.dumps(edited).encode()), signature])
    result = verify(f"{forged}~{rest}")
    assert "proof.signature_invalid" in [c.id for c in result.failures()]


def base64_decode(text: str) -> bytes:
    from vc.jws import b64url_decode

    return b64url_decode(text)
