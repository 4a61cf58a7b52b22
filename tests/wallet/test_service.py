"""The issuer's side of `laurel serve`: hosted lists, did.json, the issuing API."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.wallet.conftest import PASSPHRASE
from vc.did import DidResolver
from vc.results import CheckResult, VerificationResult
from verifier import VerificationPolicy, verify
from verifier.app import create_app
from verifier.issued import verify_issued
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


# --- issue 12: never sign what laurel would refuse (VC-API) ---------------------------------------

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def plain_home(tmp_path):
    # A wallet without status lists: the caller's credentialStatus is kept.
    home = tmp_path / "platform-issuer"
    Wallet.create(
        home, name="Laurel Test Issuer", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()
    ).close()
    return home


def _verifying_client(home, token=TOKEN, check=verify_issued):
    app = create_app(resolver=DidResolver(), testing=True, clock=lambda: NOW)
    app.register_blueprint(
        issuer_blueprint(home, passphrase=PASSPHRASE, token=token, check=check, clock=lambda: NOW)
    )
    return app.test_client()


def _did(home) -> str:
    with Wallet.open(home) as wallet:
        return wallet.identity.did


def _count(home) -> int:
    with Wallet.open(home) as wallet:
        return wallet.store.count_credentials()


def _issue(client, credential, options=None):
    body = {"credential": credential}
    if options is not None:
        body["options"] = options
    return client.post("/credentials/issue", json=body, headers=AUTH)


def _laurel_verifies(document) -> None:
    result = verify(document, VerificationPolicy(now=NOW), resolver=DidResolver())
    assert result.verified, [(c.id, c.message) for c in result.failures()]


def test_a_plain_vc_keeps_its_shape_and_verifies_in_laurel(plain_home):
    # Issue 12, item 1: no issuer.type Profile (an undefined term) without the OB context.
    did = _did(plain_home)
    credential = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": did,
        "credentialSubject": {"id": "did:example:subject"},
    }
    response = _issue(_verifying_client(plain_home), credential)
    assert response.status_code == 201, response.get_json()
    issued = response.get_json()["verifiableCredential"]
    assert issued["issuer"] == did
    assert issued["type"] == ["VerifiableCredential"]
    assert issued["validFrom"] == "2026-06-01T12:00:00Z"
    _laurel_verifies(issued)


def test_an_open_badge_gets_the_wallets_profile(issuer_home):
    response = _issue(_verifying_client(issuer_home), _unsigned(_did(issuer_home)))
    assert response.status_code == 201, response.get_json()
    issued = response.get_json()["verifiableCredential"]
    assert issued["issuer"] == {
        "id": _did(issuer_home),
        "type": ["Profile"],
        "name": "Riverside School District",
    }
    assert [e["statusPurpose"] for e in issued["credentialStatus"]] == ["revocation", "suspension"]
    _laurel_verifies(issued)


def test_vc_1_1_is_signed_as_1_1_with_the_data_integrity_context(plain_home):
    did = _did(plain_home)
    credential = {
        "@context": [V1],
        "id": "urn:uuid:d5341079-28b8-4aab-8d6b-747e754d4ae4",
        "type": ["VerifiableCredential"],
        "issuer": did,
        "issuanceDate": "2020-03-16T22:37:26.544Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    response = _issue(_verifying_client(plain_home), credential)
    assert response.status_code == 201, response.get_json()
    issued = response.get_json()["verifiableCredential"]
    assert issued["@context"] == [V1, "https://w3id.org/security/data-integrity/v2"]
    assert issued["issuanceDate"] == "2020-03-16T22:37:26.544Z"
    assert "validFrom" not in issued
    assert issued["issuer"] == did
    assert issued["proof"]["type"] == "DataIntegrityProof"


def test_a_refusal_names_every_problem_and_keeps_nothing(issuer_home):
    did = _did(issuer_home)
    credential = {
        "@context": [V2],
        "type": ["VerifiableCredential", "InvalidType"],
        "issuer": did,
        "validFrom": "Sat 25 Feb 2023 07:16:31 PM CST",
        "evidence": {"id": "https ://not a url"},
        "relatedResource": [
            {"id": V2, "digestMultibase": "uJKGMkOmFbVJhEfKTduMC2XCyvRAYLjOVmZWwIH1wQ7k"}
        ],
    }
    client = _verifying_client(issuer_home)
    response = _issue(client, credential)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    found = {(e["title"], e["path"]) for e in body["errors"]}
    assert {
        ("format.credential_subject", "credentialSubject"),
        ("format.validity_dates", "validFrom"),
        ("format.evidence", "evidence.type"),
        ("format.evidence", "evidence.id"),
        ("format.undefined_term", "type"),
        ("format.related_resource_digest", "relatedResource[0].digestMultibase"),
    } <= found
    assert all(e["type"].endswith("#MALFORMED_VALUE_ERROR") for e in body["errors"])
    assert _count(issuer_home) == 0
    # The refusal took no status index: the next badge gets the first ones.
    issued = _issue(client, _unsigned(did)).get_json()["verifiableCredential"]
    with Wallet.open(issuer_home) as wallet:
        assert wallet.store.count_credentials() == 1
    assert len(issued["credentialStatus"]) == 2


def test_a_callers_credential_status_is_never_silently_replaced(issuer_home):
    credential = _unsigned(_did(issuer_home))
    credential["credentialStatus"] = {
        "id": "https://elsewhere.example/status/1#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": "https://elsewhere.example/status/1",
    }
    response = _issue(_verifying_client(issuer_home), credential)
    assert response.status_code == 400
    assert [(e["title"], e["path"]) for e in response.get_json()["errors"]] == [
        ("format.credential_status", "credentialStatus")
    ]


def test_a_wallet_without_lists_keeps_the_callers_status_entry(plain_home):
    credential = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:subject"},
        "credentialStatus": {
            "id": "https://platform.example/status/3#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://platform.example/status/3",
        },
    }
    response = _issue(_verifying_client(plain_home), credential)
    assert response.status_code == 201, response.get_json()
    issued = response.get_json()["verifiableCredential"]
    assert issued["credentialStatus"] == credential["credentialStatus"]


@pytest.mark.parametrize(
    ("options", "title", "path"),
    [
        ({"cryptosuite": "nope"}, "format.options", "options.cryptosuite"),
        ({"cryptosuite": ["x"]}, "format.options", "options.cryptosuite"),
        ({"cryptosuite": None}, "format.options", "options.cryptosuite"),
        ({"cyptosuite": "eddsa-jcs-2022"}, "format.options", "options.cyptosuite"),
        ({"mandatoryPointers": ["/issuer"]}, "format.options", "options.mandatoryPointers"),
        ({"credentialId": "urn:uuid:other"}, "format.options", "options.credentialId"),
        ("eddsa-rdfc-2022", "format.options", "options"),
    ],
)
def test_attack_bad_issue_options_are_400_problem_details_never_a_500(
    plain_home, options, title, path
):
    credential = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:subject"},
    }
    response = _issue(_verifying_client(plain_home), credential, options)
    assert response.status_code == 400, response.get_json()
    errors = response.get_json()["errors"]
    assert (errors[0]["title"], errors[0]["path"]) == (title, path)
    if path == "options.cyptosuite":
        assert errors[0]["type"] == "https://www.w3.org/TR/vcalm#UNKNOWN_OPTION_PROVIDED"


def test_both_suites_and_an_expired_validity_period_are_issued(plain_home):
    # VC 2.0, "Validity Period": validUntil "could be a date and time in the past".
    client = _verifying_client(plain_home)
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        credential = {
            "@context": [V2],
            "type": ["VerifiableCredential"],
            "validFrom": "2023-02-26T01:19:19Z",
            "validUntil": "2023-02-26T01:19:20Z",
            "credentialSubject": {"id": "did:example:subject"},
        }
        response = _issue(client, credential, {"cryptosuite": suite})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["verifiableCredential"]["proof"]["cryptosuite"] == suite


class _RefusingVerifier:
    """A post-signing check that finds a problem (implements wallet.badge.IssuedCheck)."""

    def __init__(self) -> None:
        self.seen: list[dict] = []

    def __call__(self, document, *, did_document, now):
        self.seen.append(document)
        return VerificationResult(
            (CheckResult.failed("proof.context", "an inline @context is not trusted"),)
        )


def test_what_its_own_verifier_refuses_after_signing_is_not_stored(plain_home):
    check = _RefusingVerifier()
    credential = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:subject"},
    }
    response = _issue(_verifying_client(plain_home, check=check), credential)
    assert response.status_code == 400
    assert [e["title"] for e in response.get_json()["errors"]] == ["proof.context"]
    assert "proof" in check.seen[0]  # it was run on the signed credential
    assert _count(plain_home) == 0


@pytest.mark.parametrize("token", ["", "   ", "short", "has space in it", "tab\tin-the-token"])
def test_attack_empty_issuer_token_cannot_open_the_issuing_api(issuer_home, token):
    with pytest.raises(ValueError, match=r"secrets\.token_urlsafe"):
        issuer_blueprint(issuer_home, passphrase=PASSPHRASE, token=token)


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer    ", "", "Basic " + TOKEN])
def test_attack_bearer_with_nothing_after_it_is_never_authorized(issuer_home, header):
    client = _verifying_client(issuer_home)
    response = client.post(
        "/credentials/issue",
        json={"credential": _unsigned(_did(issuer_home))},
        headers={"Authorization": header} if header else {},
    )
    assert response.status_code == 401
