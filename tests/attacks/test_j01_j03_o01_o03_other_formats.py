"""J01-J03, O01-O03 and D14 for the formats beside Data Integrity, through the pipeline and the VC-API.

Each hostile VC-JWT or Open Badges 2.0 input goes through ``verify_bytes`` (what
`laurel verify` and the page run) and ``POST /credentials/verify``, and must fail
with its named check; every document the verification asked the web for is
recorded, so "nothing was fetched" is asserted, not assumed. O01 runs behind the
real fetch guard and a real HTTPS server on loopback.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import io
import json

import pytest

from tests.vc.formats.test_jwt import DID, ISSUER, KID, MALLORY, compact, credential
from tests.vc.formats.test_ob2 import SITE, assertion, site
from tests.verifier import test_fetch as guard
from tests.verifier.test_fetch import _fetcher, redirect
from vc.did import DidResolver, did_key_from_public_key
from vc.formats.jwt import sign_jwt
from vc.results import Status
from vc.status import status_entry
from verifier import VerificationPolicy, verify, verify_bytes
from verifier.app import create_app
from verifier.check_context import NOT_FETCHED
from verifier.errors import FetchFailedError
from verifier.status import StatusChecker

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
POLICY = VerificationPolicy(now=NOW)
# The fetch guard's loopback TLS server, PKI and connect spy (tests/verifier/test_fetch.py).
server, client_tls, connects, pki = guard.server, guard.client_tls, guard.connects, guard.pki
MALLORY_DID = did_key_from_public_key(MALLORY.public_key)
MALLORY_KID = f"{MALLORY_DID}#{MALLORY.public_key.multibase}"


class Spy:
    """The web as the guard answers it: every URL asked for is recorded, none answers."""

    def __init__(self, pages: dict[str, bytes] | None = None) -> None:
        self.pages = pages or {}
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        if url in self.pages:
            return self.pages[url]
        raise FetchFailedError(f"{url} does not answer")

    def fetch(self, url: str, **_: object) -> object:
        from verifier.fetched import FetchedDocument

        return FetchedDocument(url, 200, "application/json", self(url))


def failed(result) -> list[str]:
    return [c.id for c in result.checks if c.status is Status.FAILED]


def pipeline(token: str, spy: Spy, **policy) -> object:
    resolver = DidResolver(web_fetcher=spy)
    return verify_bytes(
        token.encode(),
        VerificationPolicy(now=NOW, **policy),
        resolver=resolver,
        status_checker=StatusChecker(spy.fetch, resolver),
    )


def api(given: object, spy: Spy, **options: str) -> dict:
    app = create_app(resolver=DidResolver(web_fetcher=spy), clock=lambda: NOW, testing=True)
    body = {"verifiableCredential": given, "options": options}
    response = app.test_client().post("/credentials/verify", json=body)
    assert response.status_code in (200, 422), response.get_json()
    return response.get_json()


def envelope(token: str) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }


# --- J01: alg none, HMAC keyed with the issuer's public key ---------------------------------


@pytest.mark.parametrize(
    "header",
    [{"alg": "none", "kid": KID}, {"alg": "HS256", "kid": KID}],
    ids=["alg-none", "hs256-with-the-public-key"],
)
def test_j01_unsigned_or_mac_tokens_are_refused_everywhere(header):
    raw = ISSUER.public_key.raw
    token = compact(header, credential(), lambda data: hmac.new(raw, data, hashlib.sha256).digest())
    spy = Spy()
    result = pipeline(token, spy)
    assert "proof.unsupported_alg" in failed(result)
    assert result.check("status").message == NOT_FETCHED
    for given in (token, envelope(token)):
        body = api(given, spy)
        assert body["verified"] is False
        assert "proof.unsupported_alg" in body["errors"]
    assert spy.urls == []


# --- J02: keys the token names ------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("jku", "http://169.254.169.254/latest/meta-data/keys.json"),
        ("x5u", "http://10.0.0.1/cert.pem"),
        ("jku", "https://127.0.0.1/jwks.json"),
    ],
)
def test_j02_jku_and_x5u_to_private_hosts_fetch_nothing(header, value):
    token = compact({"alg": "EdDSA", header: value}, credential(), MALLORY.sign)
    spy = Spy()
    assert failed(pipeline(token, spy)) == ["proof.unsupported_header"]
    assert "proof.unsupported_header" in api(token, spy)["errors"]
    assert spy.urls == []


def test_j02_a_kid_at_a_private_host_is_never_asked_for():
    issuer = "https://school.example/issuers/1"
    token = compact(
        {"alg": "EdDSA", "kid": "https://10.0.0.1/keys#1"},
        credential(issuer=issuer),
        MALLORY.sign,
    )
    spy = Spy()
    result = pipeline(token, spy)
    # The kid is on another site than the issuer: only the issuer's own profile is
    # read (to see whether it lists that key), never the kid's host.
    assert failed(result) == ["issuer.key_document_unavailable"]
    assert spy.urls == [issuer]


def test_j02_a_header_key_that_is_not_the_issuers_is_refused():
    token = compact(
        {"alg": "EdDSA", "jwk": MALLORY.public_key.to_jwk()}, credential(), MALLORY.sign
    )
    spy = Spy()
    assert failed(pipeline(token, spy)) == ["issuer.key_binding"]
    assert api(envelope(token), spy)["errors"] == ["issuer.key_binding"]


def test_j02_an_https_issuers_key_is_believed_from_its_own_profile_only():
    issuer = "https://school.example/issuers/1"
    vm = f"{issuer}#key-1"
    profile = {
        "id": issuer,
        "type": ["Profile"],
        "verificationMethod": [
            {
                "id": vm,
                "type": "JsonWebKey",
                "controller": issuer,
                "publicKeyJwk": ISSUER.public_key.to_jwk(),
            }
        ],
        "assertionMethod": [vm],
    }
    spy = Spy({issuer: json.dumps(profile).encode()})
    good = sign_jwt(credential(issuer=issuer), ISSUER, vm)
    result = pipeline(good, spy)
    assert result.verified, failed(result)
    assert result.check("issuer.key_binding").status is Status.PASSED
    forged = compact(
        {"alg": "EdDSA", "jwk": MALLORY.public_key.to_jwk()},
        credential(issuer=issuer),
        MALLORY.sign,
    )
    assert failed(pipeline(forged, spy)) == ["issuer.key_binding"]


# --- J03: claims that disagree with the credential ---------------------------------------


def test_j03_a_claim_that_disagrees_is_named_and_nothing_is_fetched():
    payload = {**credential(), "iss": "did:example:mallory", "jti": credential()["id"]}
    token = compact({"alg": "EdDSA", "kid": KID}, payload, ISSUER.sign)
    spy = Spy()
    result = pipeline(token, spy)
    assert failed(result) == ["format.jwt_claim_mismatch"]
    assert api(token, spy)["errors"] == ["format.jwt_claim_mismatch"]


# --- D14 for VC-JWTs: nothing a forged token names is fetched ----------------------------


def test_d14_no_status_list_is_fetched_for_a_jwt_whose_signature_fails():
    entry = status_entry(list_url="https://status.example/lists/1", index=7, purpose="revocation")
    token = sign_jwt(credential(credentialStatus=entry), ISSUER, KID)
    head, body, signature = token.split(".")
    forged = f"{head}.{body}.{signature[:-4]}AAAA"
    spy = Spy()
    result = pipeline(forged, spy)
    assert failed(result) == ["proof.signature_invalid"]
    assert result.check("status").message == NOT_FETCHED
    assert spy.urls == []
    # The genuine token does fetch its list (and fails closed: the list does not answer).
    genuine = pipeline(token, spy)
    assert "status.retrieval_failed" in failed(genuine)
    assert spy.urls == ["https://status.example/lists/1"]


def test_s03_a_jwt_status_list_signed_by_someone_else_fails():
    url = "https://status.example/lists/1"
    from vc.status import Bitstring

    listing = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": MALLORY_DID,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": Bitstring.new().encode(),
        },
    }
    list_token = sign_jwt(listing, MALLORY, MALLORY_KID)
    spy = Spy({url: list_token.encode()})
    entry = status_entry(list_url=url, index=7, purpose="revocation")
    token = sign_jwt(credential(credentialStatus=entry), ISSUER, KID)
    assert "status.issuer_mismatch" in failed(pipeline(token, spy))
    listing["issuer"] = DID
    spy.pages[url] = sign_jwt(listing, ISSUER, KID).encode()
    result = pipeline(token, spy)
    assert result.verified, failed(result)
    assert result.check("status.revocation").status is Status.PASSED


# --- O01, O02: Open Badges 2.0 -----------------------------------------------------------


def test_o01_hosted_assertion_redirecting_to_a_private_address_through_the_pipeline_and_api(
    server, client_tls, connects
):
    server.routes["/assertions/1"] = redirect("http://169.254.169.254/latest/meta-data/")
    document = assertion(id=server.url("/assertions/1"))
    fetcher = _fetcher(client_tls)
    result = verify(document, POLICY, resolver=DidResolver(web_fetcher=fetcher))
    assert failed(result) == ["proof.hosted_unavailable"]
    assert "link-local" in result.check("proof.hosted_unavailable").message
    app = create_app(resolver=DidResolver(web_fetcher=fetcher), clock=lambda: NOW, testing=True)
    body = app.test_client().post("/credentials/verify", json={"verifiableCredential": document})
    assert body.status_code == 422
    assert body.get_json()["errors"] == ["proof.hosted_unavailable"]
    assert {address for address in connects} == {("127.0.0.1", server.port)}


def _ob2_web(document: dict) -> Spy:
    pages = {url: json.dumps(page).encode() for url, page in site(document).items()}
    return Spy(pages)


def test_o01_hosted_copy_that_differs_is_refused_and_the_host_named_when_it_holds():
    genuine = assertion()
    spy = _ob2_web(genuine)
    result = verify(genuine, POLICY, fetch=spy)
    assert result.verified, failed(result)
    assert result.summary["format"] == "ob2-hosted"
    assert result.summary["hosts"] == ["badges.school.example"]
    assert result.check("issuer.host_dependent").status is Status.WARNING
    edited = copy.deepcopy(genuine)
    edited["issuedOn"] = "2020-01-01T00:00:00Z"
    assert failed(verify(edited, POLICY, fetch=spy)) == ["proof.hosted_mismatch"]


@pytest.mark.parametrize(
    ("recipient", "outcome"),
    [
        ("ana@school.example", Status.PASSED),
        ("ANA@School.example", Status.PASSED),
        ("mallory@school.example", Status.FAILED),
    ],
)
def test_o02_the_recipient_through_the_pipeline_and_the_api(recipient, outcome):
    document = assertion()
    spy = _ob2_web(document)
    policy = VerificationPolicy(now=NOW, recipient=recipient)
    check = next(
        c for c in verify(document, policy, fetch=spy).checks if c.id.startswith("presentation.")
    )
    assert check.status is outcome
    body = api(document, _ob2_web(document), recipient=recipient)
    assert body["verified"] is (outcome is Status.PASSED)


def test_o02_unsalted_hash_is_named():
    document = assertion(
        recipient={
            "type": "email",
            "hashed": True,
            "identity": "sha256$" + hashlib.sha256(b"ana@school.example").hexdigest(),
        }
    )
    policy = VerificationPolicy(now=NOW, recipient="ana@school.example")
    assert failed(verify(document, policy, fetch=_ob2_web(document))) == [
        "presentation.recipient_unsalted"
    ]


def test_an_ob2_badge_class_or_issuer_is_refused_by_name():
    badge_class = site(assertion())[f"{SITE}/badges/formative"]
    result = verify(badge_class, POLICY)
    assert result.unreadable
    assert failed(result) == ["format.unsupported"]
    assert "BadgeClass" in result.checks[0].message


# --- O03: one image, two badges ---------------------------------------------------------


def test_o03_the_page_refuses_a_png_holding_an_ob2_and_an_ob3_badge():
    from tests.vc.formats.corpus import CORPUS
    from vc.baking import bake_png

    ob2 = (CORPUS / "openbadgeslib" / "ob2-signed.png").read_bytes()
    both = bake_png(ob2, sign_jwt(credential(), ISSUER, KID))
    app = create_app(resolver=DidResolver(), clock=lambda: NOW, testing=True)
    response = app.test_client().post(
        "/", data={"file": (io.BytesIO(both), "badge.png")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "carries 2 badges" in response.get_data(as_text=True)
