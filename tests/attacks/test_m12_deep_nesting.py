"""M12: 100,000 nested `[`: format.too_deep (depth 64), not a RecursionError."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.attacks.conftest import failed, verify_text
from vc.did import DidResolver
from verifier.app import create_app


@pytest.mark.parametrize("opener", [b"[", b'{"a":'])
def test_m12_too_deep(opener: bytes) -> None:
    result = verify_text(opener * 100_000)
    assert failed(result) == ["format.too_deep"]


def test_m12_over_the_api_is_400() -> None:
    client: FlaskClient = create_app(resolver=DidResolver(), testing=True).test_client()
    body = b'{"verifiableCredential": ' + b"[" * 100_000 + b"}"
    response = client.post("/credentials/verify", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["code"] == "too_deep"
