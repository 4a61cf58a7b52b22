"""M13: a 5 MB body; 100k members in credentialSubject: 413 or format.too_large, memory flat."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from tests.attacks.conftest import failed, verify_text
from tests.builders import badge
from vc.did import DidResolver
from verifier.app import create_app


def test_m13_5mb_body_is_413() -> None:
    client: FlaskClient = create_app(resolver=DidResolver(), testing=True).test_client()
    body = b'{"verifiableCredential": {"pad": "' + b"x" * (5 * 1024 * 1024) + b'"}}'
    response = client.post("/credentials/verify", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["code"] == "too_large"


def test_m13_100k_members_is_too_large() -> None:
    document = badge()
    document["credentialSubject"] = {f"k{n}": n for n in range(100_000)}
    assert failed(verify_text(json.dumps(document).encode())) == ["format.too_large"]


def test_m13_100k_array_items_is_too_large() -> None:
    document = badge()
    document["credentialSubject"]["achievement"]["tag"] = list(range(100_000))
    assert failed(verify_text(json.dumps(document).encode())) == ["format.too_large"]
