"""OID4VP ``jwt_vc_json`` answers: a VP-JWT by the holder over the request's nonce and client_id.

OID4VP 1.0, "VC signed as a JWT, not using JSON-LD", "Presentation Response". Each
attack is named after what it tries.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.builders import HOLDER, ISSUER, MALLORY, Party, unsigned_badge
from tests.verifier.test_oid4vp import START, Clock, _answer, _start, _status
from vc.did import DidResolver
from vc.formats.jwt import sign_jwt as sign_vc_jwt
from vc.jws import b64url_encode, sign_jwt
from vc.types import JSONObject
from verifier.app import create_app


@pytest.fixture
def client() -> FlaskClient:
    return create_app(resolver=DidResolver(), clock=Clock(), testing=True).test_client()


def _vc_jwt(subject: str = HOLDER.did) -> str:
    return sign_vc_jwt(unsigned_badge(subject=subject), ISSUER.key, ISSUER.vm)


def _vp_claims(nonce: str, aud: str, holder: Party = HOLDER, **extra: Any) -> JSONObject:
    claims: JSONObject = {
        "iss": holder.did,
        "aud": aud,
        "nonce": nonce,
        "iat": int(START.timestamp()),
        "vp": {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [_vc_jwt()],
        },
    }
    claims.update(extra)
    return claims


def _vp_jwt(claims: JSONObject, signer: Party = HOLDER, kid: str | None = None) -> str:
    return sign_jwt(signer.key, claims, typ="JWT", kid=kid or signer.vm)


def _verdict(client: FlaskClient, make: Any) -> dict[str, Any]:
    started, claims, path = _start(client)
    token = make(claims)
    vp_token = json.dumps({"openbadge_jwt": [token]})
    assert _answer(client, path, vp_token=vp_token, state=claims["state"]) == 200
    return _status(client, started)


def test_a_jwt_vc_json_answer_is_verified(client: FlaskClient) -> None:
    verdict = _verdict(client, lambda c: _vp_jwt(_vp_claims(c["nonce"], c["client_id"])))
    assert verdict["status"] == "verified", verdict["result"]["errors"]
    ids = set(verdict["result"]["checks"])
    assert {
        "presentation.signature",
        "presentation.challenge",
        "presentation.domain",
        "presentation.holder",
        "presentation.query",
    } <= ids


def test_the_request_object_asks_for_jwt_vc_json(client: FlaskClient) -> None:
    _, claims, _ = _start(client)
    asked = {c["format"]: c for c in claims["dcql_query"]["credentials"]}
    assert asked["jwt_vc_json"]["id"] == "openbadge_jwt"
    assert ["openbadge_jwt"] in claims["dcql_query"]["credential_sets"][0]["options"]
    assert "EdDSA" in claims["client_metadata"]["vp_formats_supported"]["jwt_vc_json"]["alg_values"]


def test_replay_of_a_vp_jwt_made_for_another_nonce_fails(client: FlaskClient) -> None:
    verdict = _verdict(client, lambda c: _vp_jwt(_vp_claims("another-nonce", c["client_id"])))
    assert verdict["status"] == "not_verified"
    assert "presentation.challenge_mismatch" in verdict["result"]["errors"]


def test_replay_of_a_vp_jwt_made_for_another_verifier_fails(client: FlaskClient) -> None:
    other = "decentralized_identifier:" + MALLORY.did
    verdict = _verdict(client, lambda c: _vp_jwt(_vp_claims(c["nonce"], other)))
    assert verdict["status"] == "not_verified"
    assert "presentation.domain_mismatch" in verdict["result"]["errors"]


def test_a_vp_jwt_for_several_audiences_fails(client: FlaskClient) -> None:
    def several(c: dict[str, Any]) -> str:
        claims = _vp_claims(c["nonce"], c["client_id"])
        claims["aud"] = [c["client_id"], "https://elsewhere.example"]
        return _vp_jwt(claims)

    verdict = _verdict(client, several)
    assert "presentation.domain_mismatch" in verdict["result"]["errors"]


def test_an_unsigned_vp_jwt_alg_none_fails(client: FlaskClient) -> None:
    def unsigned(c: dict[str, Any]) -> str:
        header = {"alg": "none", "typ": "JWT", "kid": HOLDER.vm}
        payload = _vp_claims(c["nonce"], c["client_id"])
        return (
            ".".join(b64url_encode(json.dumps(part).encode()) for part in (header, payload)) + "."
        )

    verdict = _verdict(client, unsigned)
    assert verdict["status"] == "not_verified"
    assert verdict["result"]["errors"] == ["presentation.alg_not_allowed"]


def test_a_vp_jwt_signed_by_another_key_under_the_holders_kid_fails(client: FlaskClient) -> None:
    verdict = _verdict(
        client,
        lambda c: _vp_jwt(_vp_claims(c["nonce"], c["client_id"]), MALLORY, kid=HOLDER.vm),
    )
    assert verdict["status"] == "not_verified"
    errors = verdict["result"]["errors"]
    assert "presentation.signature_invalid" in errors
    # Nothing is read from claims whose signature failed.
    assert "presentation.challenge_unverified" in errors


def test_a_vp_jwt_signed_by_a_key_of_another_did_fails(client: FlaskClient) -> None:
    verdict = _verdict(client, lambda c: _vp_jwt(_vp_claims(c["nonce"], c["client_id"]), MALLORY))
    assert "presentation.key_not_holder" in verdict["result"]["errors"]


def test_a_stolen_vc_jwt_presented_by_someone_else_fails(client: FlaskClient) -> None:
    # Mallory signs correctly, as herself, a presentation of the holder's badge.
    verdict = _verdict(
        client, lambda c: _vp_jwt(_vp_claims(c["nonce"], c["client_id"], MALLORY), MALLORY)
    )
    assert verdict["status"] == "not_verified"
    assert "presentation.holder_not_subject" in verdict["result"]["errors"]


def test_a_tampered_vc_jwt_inside_a_good_vp_jwt_fails(client: FlaskClient) -> None:
    def tampered(c: dict[str, Any]) -> str:
        claims = _vp_claims(c["nonce"], c["client_id"])
        header, payload, signature = _vc_jwt().split(".")
        other = _vc_jwt(subject=MALLORY.did).split(".")[1]
        claims["vp"]["verifiableCredential"] = [f"{header}.{other}.{signature}"]
        assert payload != other
        return _vp_jwt(claims)

    verdict = _verdict(client, tampered)
    assert verdict["status"] == "not_verified"
    assert "proof.signature_invalid" in verdict["result"]["errors"]


def test_an_expired_vp_jwt_fails(client: FlaskClient) -> None:
    past = int(START.timestamp()) - 3600
    verdict = _verdict(client, lambda c: _vp_jwt(_vp_claims(c["nonce"], c["client_id"], exp=past)))
    assert "presentation.expired" in verdict["result"]["errors"]


def test_a_vp_jwt_without_a_presentation_fails(client: FlaskClient) -> None:
    def bare(c: dict[str, Any]) -> str:
        claims = _vp_claims(c["nonce"], c["client_id"])
        del claims["vp"]
        return _vp_jwt(claims)

    verdict = _verdict(client, bare)
    assert "format.vp_jwt_no_presentation" in verdict["result"]["errors"]


def test_a_vc_jwt_alone_is_not_a_presentation(client: FlaskClient) -> None:
    verdict = _verdict(client, lambda c: _vc_jwt())
    assert verdict["status"] == "not_verified"
    assert "format.vp_jwt_typ" in verdict["result"]["errors"]
