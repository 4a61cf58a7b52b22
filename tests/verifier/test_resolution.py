"""DID resolution over HTTP: `GET /1.0/identifiers/<DID or DID URL>` (DID Resolution binding)."""

from __future__ import annotations

import urllib.parse

import pytest
from flask.testing import FlaskClient

from vc.did import DidResolver
from vc.did_key import KeyFormatOptions, did_key_document
from vc.errors import DidResolutionError
from verifier.app import create_app
from verifier.resolution import LEGACY_RESOLUTION, did_from_path

DID = "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"
KEY = DID.removeprefix("did:key:")
AGREEMENT = "z6LSfHfAMAopsuBxaBzvp51GXrPf38Az13j2fmwqadbwwrzJ"


@pytest.fixture
def client() -> FlaskClient:
    return create_app(resolver=DidResolver(), testing=True).test_client()


def get(client: FlaskClient, identifier: str, accept: str = "", query: str = "") -> tuple:
    # As a client following the binding: the identifier URL-encoded, the options after it.
    path = "/1.0/identifiers/" + urllib.parse.quote(identifier, safe="") + query
    resp = client.get(path, headers={"Accept": accept}, environ_overrides={"RAW_URI": path})
    return resp.status_code, resp.headers["Content-Type"], resp.get_json(force=True)


def test_url_encoded_did_is_decoded_once(client: FlaskClient) -> None:
    status, _, body = get(client, DID)
    assert status == 200
    assert body["didDocument"]["id"] == DID


def test_a_did_appended_as_it_is_resolves_too(client: FlaskClient) -> None:
    resp = client.get(f"/1.0/identifiers/{DID}")
    assert resp.status_code == 200
    assert resp.get_json()["didDocument"]["id"] == DID


def test_did_web_port_is_not_decoded_twice() -> None:
    assert did_from_path("/1.0/identifiers/did:web:a.example%3A8443", "x") == (
        "did:web:a.example%3A8443"
    )
    assert did_from_path("/1.0/identifiers/did%3Aweb%3Aa.example%253A8443", "x") == (
        "did:web:a.example%3A8443"
    )
    assert did_from_path(None, "did:key:z6Mk") == "did:key:z6Mk"


def test_current_draft_result_and_media_type(client: FlaskClient) -> None:
    status, ctype, body = get(client, DID, "application/did-resolution")
    assert (status, ctype) == (200, "application/did-resolution")
    assert "@context" not in body
    assert body["didResolutionMetadata"] == {"contentType": "application/did+ld+json"}
    assert body["didDocumentMetadata"] == {}


def test_legacy_json_ld_profile_carries_its_context(client: FlaskClient) -> None:
    status, ctype, body = get(client, DID, LEGACY_RESOLUTION)
    assert (status, ctype) == (200, LEGACY_RESOLUTION)
    assert body["@context"] == "https://w3id.org/did-resolution/v1"
    assert body["didDocument"]["id"] == DID


def test_asking_for_the_document_alone(client: FlaskClient) -> None:
    status, ctype, body = get(client, DID, "application/did+ld+json")
    assert (status, ctype) == (200, "application/did+ld+json")
    assert body["id"] == DID


@pytest.mark.parametrize(
    ("identifier", "status", "error"),
    [
        (DID.replace("did:", "notDid:"), 400, "invalidDid"),
        ("did:experimental:" + KEY, 501, "methodNotSupported"),
        ("did:key:-4:" + KEY, 400, "invalidDid"),
        ("did:key:" + KEY[1:], 400, "invalidDid"),
        ("did:key:@", 400, "invalidDid"),
        ("did:key:zTjsVPtY", 500, "invalidPublicKeyLength"),  # "any other" error: 500
    ],
)
def test_resolution_errors_have_their_names_and_statuses(
    client: FlaskClient, identifier: str, status: int, error: str
) -> None:
    got, _, body = get(client, identifier, LEGACY_RESOLUTION)
    assert got == status
    assert body["didResolutionMetadata"]["error"] == error
    assert body["didDocument"] is None
    assert body["didDocumentMetadata"] == {}


def test_current_draft_errors_are_problem_details(client: FlaskClient) -> None:
    status, _, body = get(client, "did:key:@", "application/did-resolution")
    assert status == 400
    error = body["didResolutionMetadata"]["error"]
    assert error["type"] == "https://www.w3.org/ns/did#INVALID_DID"
    assert error["title"] == "invalidDid"


def test_fragment_dereferences_to_the_verification_method(client: FlaskClient) -> None:
    status, ctype, body = get(client, f"{DID}#{KEY}", LEGACY_RESOLUTION)
    assert status == 200
    assert ctype == 'application/ld+json;profile="https://w3id.org/did-url-dereferencing"'
    method = body["contentStream"]
    assert (method["id"], method["controller"], method["type"]) == (f"{DID}#{KEY}", DID, "Multikey")
    assert body["dereferencingMetadata"] == {"contentType": "application/did+ld+json"}
    agreement = get(client, f"{DID}#{AGREEMENT}")[2]["contentStream"]
    assert agreement["publicKeyMultibase"] == AGREEMENT


def test_a_fragment_the_document_lacks_is_not_found(client: FlaskClient) -> None:
    status, _, body = get(client, f"{DID}#key-2")
    assert status == 404
    assert body["dereferencingMetadata"]["error"] == "notFound"
    assert body["contentStream"] is None


def test_a_did_url_with_characters_rfc_3986_forbids_is_invalid(client: FlaskClient) -> None:
    status, _, body = get(client, f"{DID}/^bar^/?query=`#{KEY}")
    assert status == 400
    assert body["dereferencingMetadata"]["error"] == "invalidDidUrl"


@pytest.mark.parametrize(
    ("identifier", "query", "error", "metadata"),
    [
        (DID, "?publicKeyFormat=unknown", "unsupportedPublicKeyType", "didResolutionMetadata"),
        (
            f"{DID}#{KEY}",
            "?publicKeyFormat=Ed25519VerificationKey2018&enableExperimentalPublicKeyTypes=false",
            "invalidPublicKeyType",
            "dereferencingMetadata",
        ),
        (
            f"{DID}#{AGREEMENT}",
            "?publicKeyFormat=Ed25519VerificationKey2018&enableExperimentalPublicKeyTypes=false",
            "invalidPublicKeyType",
            "dereferencingMetadata",
        ),
        (DID, "?enableExperimentalPublicKeyTypes=maybe", "invalidOptions", "didResolutionMetadata"),
    ],
)
def test_public_key_format_options(
    client: FlaskClient, identifier: str, query: str, error: str, metadata: str
) -> None:
    status, _, body = get(client, identifier, LEGACY_RESOLUTION, query)
    assert status >= 400
    assert body[metadata]["error"] == error


def test_experimental_format_when_enabled(client: FlaskClient) -> None:
    query = "?publicKeyFormat=Ed25519VerificationKey2018&enableExperimentalPublicKeyTypes=true"
    status, _, body = get(client, DID, "", query)
    assert status == 200
    method = body["didDocument"]["verificationMethod"][0]
    assert method["type"] == "Ed25519VerificationKey2018"
    assert "publicKeyBase58" in method


@pytest.mark.parametrize(
    ("chosen", "member", "agreement_type"),
    [
        ("Multikey", "publicKeyMultibase", "Multikey"),
        ("JsonWebKey", "publicKeyJwk", "JsonWebKey"),
        ("Ed25519VerificationKey2020", "publicKeyMultibase", "X25519KeyAgreementKey2020"),
    ],
)
def test_every_format_writes_the_same_key(chosen: str, member: str, agreement_type: str) -> None:
    document = did_key_document(DID, KeyFormatOptions(chosen))
    method = document["verificationMethod"][0]
    assert method["type"] == chosen
    assert member in method
    assert document["keyAgreement"][0]["type"] == agreement_type
    assert document["assertionMethod"] == [f"{DID}#{KEY}"]
    if member == "publicKeyJwk":
        import base64

        x = method["publicKeyJwk"]["x"]
        raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
        assert DidResolver().resolve(DID).verification_method(f"{DID}#{KEY}").public_key.raw == raw


def test_unknown_format_is_unsupported() -> None:
    with pytest.raises(DidResolutionError) as caught:
        did_key_document(DID, KeyFormatOptions("RsaVerificationKey2018"))
    assert caught.value.code == "unsupportedPublicKeyType"
