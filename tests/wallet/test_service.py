"""The issuer's side of `laurel serve`: hosted lists, did.json, the issuing API."""

from __future__ import annotations

import json

import pytest

from tests.wallet.conftest import PASSPHRASE
from verifier.app import create_app
from wallet.home import Wallet
from wallet.keystore import KdfParams
from wallet.service import issuer_blueprint

TOKEN = "s3cret-issuer-token"


@pytest.fixture
def issuer_home(tmp_path):
    home = tmp_path / "district"
    Wallet.create(
        home,
        name="Riverside School District",
        passphrase=PASSPHRASE,
        base_url="https://badges.riverside.example/district",
        kdf=KdfParams.for_tests(),
    ).close()
    return home


def _client(home, token=TOKEN):
    app = create_app(testing=True)
    app.register_blueprint(issuer_blueprint(home, passphrase=PASSPHRASE, token=token))
    return app.test_client()


def _unsigned(issuer: str) -> dict:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer,
        "credentialSubject": {
            "id": "did:example:teacher",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:uuid:4d1c9a4e-7b0e-4d0c-9f51-1a2b3c4d5e6f",
                "type": ["Achievement"],
                "name": "Formative Assessment",
                "description": "Uses exit tickets.",
                "criteria": {"narrative": "Three lesson plans."},
            },
        },
    }


def test_issue_requires_the_token(issuer_home):
    client = _client(issuer_home)
    assert client.post("/credentials/issue", json={"credential": _unsigned("x")}).status_code == 401
    wrong = client.post(
        "/credentials/issue",
        json={"credential": _unsigned("x")},
        headers={"Authorization": "Bearer nope"},
    )
    assert wrong.status_code == 401


def test_issue_then_revoke_then_the_hosted_list_shows_it(issuer_home):
    from vc.status import Bitstring, parse_status_entry, read_list_credential

    with Wallet.open(issuer_home) as wallet:
        did = wallet.identity.did
    client = _client(issuer_home)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    issued = client.post("/credentials/issue", json={"credential": _unsigned(did)}, headers=auth)
    assert issued.status_code == 201, issued.get_json()
    credential = issued.get_json()["verifiableCredential"]
    assert credential["issuer"]["id"] == did
    entries = [parse_status_entry(e) for e in credential["credentialStatus"]]
    revocation = next(e for e in entries if e.purpose == "revocation")
    path = revocation.list_url.removeprefix("https://badges.riverside.example")
    before = client.get(path)
    assert before.status_code == 200
    assert "max-age" in before.headers["Cache-Control"]
    assert read_list_credential(json.loads(before.data)).bitstring.get(revocation.index) == 0
    change = {
        "credentialId": credential["id"],
        "credentialStatus": [
            {"type": "BitstringStatusListCredential", "statusPurpose": "revocation", "status": True}
        ],
    }
    assert client.post("/credentials/status", json=change, headers=auth).status_code == 200
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"].strip('"')})
    assert after.status_code == 200  # changed: the old ETag no longer matches
    assert read_list_credential(json.loads(after.data)).bitstring.get(revocation.index) == 1
    again = client.get(path, headers={"If-None-Match": after.headers["ETag"].strip('"')})
    assert again.status_code == 304
    assert isinstance(Bitstring.new(), Bitstring)


def test_a_credential_naming_another_issuer_is_refused(issuer_home):
    client = _client(issuer_home)
    response = client.post(
        "/credentials/issue",
        json={"credential": _unsigned("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 400
    assert "issuer" in response.get_json()["detail"]


def test_without_a_token_the_routes_do_not_exist(issuer_home):
    client = _client(issuer_home, token=None)
    assert client.post("/credentials/issue", json={}).status_code in (404, 405)
