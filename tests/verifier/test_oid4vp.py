"""The OID4VP verifier routes through Flask's test client, with a clock the test moves."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.builders import badge, presentation
from vc.did import DidResolver
from vc.jws import read_header, verify_jwt
from verifier.app import create_app
from verifier.oid4vp import REQUEST_TTL

START = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(clock: Clock) -> FlaskClient:
    return create_app(resolver=DidResolver(), clock=clock, testing=True).test_client()


def _start(client: FlaskClient) -> tuple[dict[str, Any], dict[str, Any], str]:
    started = client.post("/oid4vp/requests").get_json()
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(started["request"]).query)
    request_uri = query["request_uri"][0]
    token = client.get(urllib.parse.urlsplit(request_uri).path).get_data(as_text=True)
    did = query["client_id"][0].removeprefix("decentralized_identifier:")
    method, _ = DidResolver().resolve_verification_method(read_header(token)["kid"])
    claims = verify_jwt(token, method.public_key, typ="oauth-authz-req+jwt").claims
    assert method.controller == did
    return started, claims, urllib.parse.urlsplit(claims["response_uri"]).path


def _answer(client: FlaskClient, path: str, **fields: str) -> int:
    body = urllib.parse.urlencode(fields)
    return client.post(
        path, data=body, content_type="application/x-www-form-urlencoded"
    ).status_code


def _status(client: FlaskClient, started: dict[str, Any]) -> dict[str, Any]:
    return client.get(urllib.parse.urlsplit(started["status_uri"]).path).get_json()


def test_the_signed_request_object_says_what_the_spec_asks(client: FlaskClient) -> None:
    started, claims, _ = _start(client)
    assert claims["client_id"].startswith("decentralized_identifier:did:key:z6Mk")
    assert (claims["response_type"], claims["response_mode"]) == ("vp_token", "direct_post")
    assert len(claims["nonce"]) >= 22
    assert len(claims["state"]) >= 22
    assert [c["format"] for c in claims["dcql_query"]["credentials"]] == [
        "ldp_vc",
        "jwt_vc_json",
        "dc+sd-jwt",
    ]
    assert claims["aud"] == "https://self-issued.me/v2"
    assert started["expires"] == "2026-03-01T12:10:00Z"


def test_an_ldp_vc_answer_is_verified_and_the_request_is_then_gone(client: FlaskClient) -> None:
    started, claims, path = _start(client)
    vp = presentation([badge()], challenge=claims["nonce"], domain=claims["client_id"])
    assert (
        _answer(client, path, vp_token=json.dumps({"openbadge_ldp": [vp]}), state=claims["state"])
        == 200
    )
    verdict = _status(client, started)
    assert verdict["status"] == "verified", verdict["result"]["errors"]
    request_path = urllib.parse.urlsplit(
        urllib.parse.parse_qs(urllib.parse.urlsplit(started["request"]).query)["request_uri"][0]
    ).path
    assert client.get(request_path).status_code == 404
    assert (
        _answer(client, path, vp_token=json.dumps({"openbadge_ldp": [vp]}), state=claims["state"])
        == 400
    )


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (
            {"error": "access_denied", "error_description": "the user said no"},
            "presentation.wallet_error",
        ),
        ({"state": "x"}, "format.vp_token_missing"),
        ({"vp_token": "[]"}, "format.vp_token_malformed"),
        ({"vp_token": '{"openbadge_ldp": "not-a-list"}'}, "format.vp_token_count"),
        (
            {"vp_token": '{"openbadge_ldp": [{}], "openbadge_sd_jwt": ["e30.e30.x~"]}'},
            "format.vp_token_count",
        ),
        ({"vp_token": '{"openbadge_mdoc": ["e30.e30.x"]}'}, "format.vp_token_unknown_query"),
        ({"vp_token": '{"openbadge_jwt": [{"vp": {}}]}'}, "format.vp_token_format"),
        ({"vp_token": '{"openbadge_jwt": ["e30.e30.x"]}'}, "presentation.alg_not_allowed"),
        ({"vp_token": '{"openbadge_jwt": ["not a jwt"]}'}, "format.vp_jwt_malformed"),
        ({"vp_token": '{"openbadge_sd_jwt": [{"not": "a string"}]}'}, "format.vp_token_format"),
    ],
)
def test_malformed_answers_fail_by_name(
    client: FlaskClient, fields: dict[str, str], error: str
) -> None:
    started, claims, path = _start(client)
    fields.setdefault("state", claims["state"])
    assert _answer(client, path, **fields) == 200
    verdict = _status(client, started)
    assert verdict["status"] == "not_verified"
    assert error in verdict["result"]["errors"]


def test_an_answer_with_another_state_fails(client: FlaskClient) -> None:
    started, claims, path = _start(client)
    vp = presentation([badge()], challenge=claims["nonce"], domain=claims["client_id"])
    _answer(client, path, vp_token=json.dumps({"openbadge_ldp": [vp]}), state="another")
    assert "presentation.state_mismatch" in _status(client, started)["result"]["errors"]


def test_a_presentation_of_something_not_a_badge_fails_the_query(client: FlaskClient) -> None:
    started, claims, path = _start(client)
    credential = badge()
    credential["type"] = ["VerifiableCredential"]
    vp = presentation([credential], challenge=claims["nonce"], domain=claims["client_id"])
    _answer(client, path, vp_token=json.dumps({"openbadge_ldp": [vp]}), state=claims["state"])
    assert "presentation.query_mismatch" in _status(client, started)["result"]["errors"]


def test_an_unanswered_request_expires(client: FlaskClient, clock: Clock) -> None:
    started, claims, path = _start(client)
    clock.now = START + REQUEST_TTL
    assert _status(client, started) == {"status": "expired", "result": None}
    assert _answer(client, path, vp_token="{}", state=claims["state"]) == 400
    assert client.get("/oid4vp/status/never-issued").status_code == 404
