"""C14: VJ text holding NaN, Infinity, 1e400 or a lone surrogate: format.invalid_json, never a 500."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.attacks.conftest import failed, verify_text
from tests.builders import badge
from vc.did import DidResolver
from verifier.app import create_app

NAME = '"Riverside School District"'


def _variants() -> list[tuple[str, bytes]]:
    text = json.dumps(badge(suite="eddsa-jcs-2022"))
    assert NAME in text
    return [
        ("nan", text.replace(NAME, "NaN").encode()),
        ("infinity", text.replace(NAME, "-Infinity").encode()),
        ("overflow", text.replace(NAME, "1e400").encode()),
        ("lone_surrogate", text.replace("Riverside", "\\ud800").encode()),
    ]


@pytest.mark.parametrize(("name", "data"), _variants(), ids=[n for n, _ in _variants()])
def test_c14_is_invalid_json(name: str, data: bytes) -> None:
    result = verify_text(data)
    assert failed(result) == ["format.invalid_json"]
    assert result.unreadable


@pytest.mark.parametrize(("name", "data"), _variants(), ids=[n for n, _ in _variants()])
def test_c14_over_the_api_is_400_parsing_error(name: str, data: bytes) -> None:
    client: FlaskClient = create_app(resolver=DidResolver(), testing=True).test_client()
    body = b'{"verifiableCredential": ' + data + b"}"
    response = client.post("/credentials/verify", data=body, content_type="application/json")
    assert response.status_code == 400
    problem = response.get_json()
    assert problem["type"] == "https://w3id.org/security#PARSING_ERROR"
    assert problem["code"] == "invalid_json"
