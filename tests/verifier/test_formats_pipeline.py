"""Issue #13 in the pipeline: endorsements, https keys, VC 1.1, StatusList2021, 1EdTech lists, refusals."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import gzip
import hashlib
import json

import pytest

from tests.builders import HOLDER, ISSUER, MALLORY, badge, presentation, sign, unsigned_badge
from vc.did import DidResolver
from vc.formats.jwt import sign_jwt
from vc.jsonld import CREDENTIALS_V1, CREDENTIALS_V2
from vc.openbadges import OB3_CONTEXT
from vc.results import Status
from verifier import VerificationPolicy, verify, verify_bytes
from verifier.check_context import NOT_FETCHED
from verifier.errors import FetchFailedError
from verifier.fetched import FetchedDocument
from verifier.status import StatusChecker

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
POLICY = VerificationPolicy(now=NOW)
SCHOOL = "https://school.example/issuers/1"


class Web:
    """URL -> bytes, as the fetch guard answers (FetchFailedError otherwise); records requests."""

    def __init__(self, pages: dict[str, object] | None = None) -> None:
        self.pages = dict(pages or {})
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        page = self.pages.get(url)
        if page is None:
            raise FetchFailedError(f"{url}: HTTP 404")
        return page if isinstance(page, bytes) else json.dumps(page).encode()

    def fetch(self, url: str, **_: object) -> FetchedDocument:
        return FetchedDocument(url, 200, "application/json", self(url))


def failed(result) -> list[str]:
    return [c.id for c in result.checks if c.status is Status.FAILED]


def checks(result, prefix: str) -> list[tuple[str, Status]]:
    return [(c.id, c.status) for c in result.checks if c.id.startswith(prefix)]


def run(document, web: Web | None = None, **policy):
    web = web or Web()
    resolver = DidResolver(web_fetcher=web)
    return verify(
        document,
        VerificationPolicy(now=NOW, **policy),
        resolver=resolver,
        status_checker=StatusChecker(web.fetch, resolver),
    )


# --- endorsements ---------------------------------------------------------------------------


def endorsement(signer=MALLORY, **extra) -> dict:
    unsigned = {
        "@context": [CREDENTIALS_V2, OB3_CONTEXT],
        "id": "urn:uuid:2d5e0a4e-1c1b-4c6e-9a3b-2f1e7d6c5b4a",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Accredited provider",
        "issuer": {"id": signer.did, "type": ["Profile"], "name": "State Accreditor"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": ISSUER.did,
            "type": ["EndorsementSubject"],
            "endorsementComment": "Riverside's programme meets the state's standards.",
        },
        **extra,
    }
    return sign(unsigned, signer)


def endorsed_badge(*endorsements) -> dict:
    unsigned = unsigned_badge()
    unsigned["issuer"]["endorsement"] = list(endorsements)
    return sign(unsigned)


def test_an_endorsed_badge_verifies_and_reports_each_endorsement():
    result = run(endorsed_badge(endorsement()))
    assert result.verified, failed(result)
    assert result.check("format").status is Status.PASSED  # the nested @context is fine
    assert checks(result, "endorsement") == [
        ("endorsement.format", Status.PASSED),
        ("endorsement.signature", Status.PASSED),
        ("endorsement.validity", Status.PASSED),
        ("endorsement.status", Status.SKIPPED),
        ("endorsement.schema", Status.PASSED),
        ("endorsement.issuer", Status.PASSED),
    ]
    assert "State Accreditor" in result.check("endorsement.issuer").message
    assert result.check("endorsement.signature").details["path"] == "issuer.endorsement[0]"


def test_an_endorsement_that_fails_is_named_but_does_not_fail_the_badge():
    expired = endorsement(validUntil="2026-02-01T00:00:00Z")
    forged = copy.deepcopy(endorsement())
    forged["credentialSubject"]["endorsementComment"] = "Riverside is the best."
    result = run(endorsed_badge(expired, forged))
    assert result.verified, failed(result)
    warnings = [
        (c.id, c.details["endorsement"])
        for c in result.checks
        if c.status is Status.WARNING and c.group == "endorsement"
    ]
    assert ("endorsement.validity", 0) in warnings
    assert ("endorsement.signature", 1) in warnings
    signature = next(
        c
        for c in result.checks
        if c.id == "endorsement.signature" and c.details["endorsement"] == 1
    )
    assert "proof.signature_invalid" in signature.details["checks"]


def test_a_forged_badge_fetches_nothing_its_endorsements_name():
    web = Web()
    tampered = endorsed_badge(endorsement())
    tampered["name"] = "Distinguished"
    result = run(tampered, web)
    assert failed(result) == ["proof.signature_invalid"]
    assert result.check("endorsement").message == NOT_FETCHED
    assert web.urls == []


def test_a_nested_context_laurel_does_not_bundle_is_refused():
    swapped = endorsed_badge(endorsement())
    swapped["issuer"]["endorsement"][0]["@context"] = [
        CREDENTIALS_V2,
        "https://attacker.example/context.json",
    ]
    result = run(swapped)
    assert "proof.context" in failed(result)
    assert "format.context" in failed(result)
    assert result.check("endorsement").message == NOT_FETCHED


def test_the_context_check_reads_the_form_s_nested_answer_as_its_own():
    # verify() hands the context check what inspect_form found (whether an @context
    # is nested): each answer must be the one the check finds for itself.
    from vc.model import inspect_form
    from verifier.context_checks import check_contexts

    swapped = endorsed_badge(endorsement())
    swapped["issuer"]["endorsement"][0]["@context"] = ["https://attacker.example/c.json"]
    emptied = endorsed_badge(endorsement())
    emptied["issuer"]["endorsement"][0]["@context"] = []
    deep = unsigned_badge()
    deep["credentialSubject"]["@context"] = {"x": "https://attacker.test/x"}
    documents = [badge(), endorsed_badge(endorsement()), swapped, emptied, sign(deep)]
    for document in documents:
        form = inspect_form(document)
        assert form.contexts_below() is not None
        assert check_contexts(document, nested=form.contexts_below()) == check_contexts(document)
    vp = presentation(documents, suite="eddsa-jcs-2022")
    form = inspect_form(vp)
    skip = frozenset({"verifiableCredential"})
    assert form.contexts_below() is False
    assert check_contexts(vp, skip=skip, nested=False) == check_contexts(vp, skip=skip)
    assert [form.contexts_below(f"verifiableCredential[{i}]") for i in range(5)] == [
        False,
        True,
        True,
        True,
        True,
    ]


def test_an_endorsement_as_a_vc_jwt_in_a_vc_jwt_badge():
    # OB 3.0 defines endorsementJwt, but its JSON-LD contexts do not: it is read in a
    # VC-JWT badge (signed as JSON), where no context needs to define it.
    token = sign_jwt(
        {k: v for k, v in endorsement().items() if k != "proof"}, MALLORY.key, MALLORY.vm
    )
    credential = {k: v for k, v in badge().items() if k != "proof"}
    credential["credentialSubject"]["achievement"]["endorsementJwt"] = [token]
    result = verify_bytes(sign_jwt(credential, ISSUER.key, ISSUER.vm).encode(), POLICY)
    assert result.verified, failed(result)
    assert result.check("endorsement.signature").details["path"] == (
        "credentialSubject.achievement.endorsementJwt[0]"
    )


def test_a_badge_without_endorsements_reports_the_group_skipped():
    assert checks(run(badge()), "endorsement") == [("endorsement", Status.SKIPPED)]


# --- https verification methods -------------------------------------------------------------


def school_badge(vm: str = f"{SCHOOL}#key-1") -> dict:
    unsigned = unsigned_badge()
    unsigned["issuer"]["id"] = SCHOOL
    return sign(unsigned, verification_method=vm)


def controller_document(*, listed: bool = True) -> dict:
    vm = f"{SCHOOL}#key-1"
    return {
        "id": SCHOOL,
        "type": ["Profile"],
        "verificationMethod": [
            {
                "id": vm,
                "type": "Multikey",
                "controller": SCHOOL,
                "publicKeyMultibase": ISSUER.key.public_key.multibase,
            }
        ],
        "assertionMethod": [vm] if listed else [],
    }


def test_an_https_key_on_the_issuers_site_verifies():
    web = Web({SCHOOL: controller_document()})
    result = run(school_badge(), web)
    assert result.verified, failed(result)
    assert result.check("issuer.key_binding").status is Status.PASSED
    assert web.urls == [SCHOOL]  # fetched once, for the key and the binding


def test_an_https_key_the_issuer_does_not_list_for_issuing_is_refused():
    result = run(school_badge(), Web({SCHOOL: controller_document(listed=False)}))
    assert failed(result) == ["issuer.relationship_not_authorized"]


def test_a_key_spelled_in_the_fragment_of_the_issuers_url_is_not_believed():
    vm = f"{SCHOOL}#{ISSUER.key.public_key.multibase}"
    result = run(school_badge(vm), Web())
    assert failed(result) == ["issuer.key_document_unavailable"]
    assert "path or query" not in result.check("issuer.key_document_unavailable").message


def test_a_key_on_another_site_the_issuer_does_not_list_is_refused():
    elsewhere = "https://keys.example/k#1"
    web = Web({SCHOOL: controller_document(), "https://keys.example/k": controller_document()})
    result = run(school_badge(elsewhere), web)
    assert failed(result) == ["issuer.key_not_issuers"]


def test_a_verification_method_neither_did_nor_https_is_named():
    result = run(school_badge("http://school.example/key"))
    assert failed(result) == ["issuer.invalid_verification_method"]


# --- VC Data Model 1.1 ----------------------------------------------------------------------


def v1_badge(**dates: str) -> dict:
    unsigned = unsigned_badge()
    unsigned["@context"] = [
        CREDENTIALS_V1,
        OB3_CONTEXT,
        "https://w3id.org/security/data-integrity/v2",
    ]
    del unsigned["validFrom"]
    unsigned.update({"issuanceDate": "2026-01-01T00:00:00Z", **dates})
    return sign(unsigned)


def test_a_vc_1_1_badge_verifies_with_the_1_1_rules_and_says_so():
    result = run(v1_badge())
    assert result.verified, failed(result)
    assert result.summary["dataModel"] == "1.1"
    assert result.summary["validFrom"] == "2026-01-01T00:00:00Z"
    assert "VC Data Model 1.1" in result.check("format").message
    expired = run(v1_badge(expirationDate="2026-03-01T00:00:00Z"))
    assert failed(expired) == ["validity.expired"]
    assert run(badge()).summary["dataModel"] == "2.0"


# --- StatusList2021 and 1EdTech revocation lists -------------------------------------------


def status_2021_list(url: str, *, revoked: int | None = None, entries: int = 131_072) -> dict:
    bits = bytearray(entries // 8)
    if revoked is not None:
        bits[revoked // 8] |= 0x80 >> (revoked % 8)  # index 0 is the left-most bit
    # StatusList2021: plain base64url of the GZIP bitstring (no multibase prefix).
    encoded = base64.urlsafe_b64encode(gzip.compress(bytes(bits))).rstrip(b"=").decode()
    unsigned = {
        "@context": [CREDENTIALS_V1, "https://w3id.org/vc/status-list/2021/v1"],
        "id": url,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": ISSUER.did,
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }
    return sign(unsigned)


def status_2021_badge(url: str, index: int) -> dict:
    unsigned = unsigned_badge()
    unsigned["@context"].append("https://w3id.org/vc/status-list/2021/v1")
    unsigned["credentialStatus"] = {
        "id": f"{url}#{index}",
        "type": "StatusList2021Entry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": url,
    }
    return sign(unsigned)


def test_status_list_2021_entries_are_checked_not_warned_about():
    url = "https://status.example/2021/1"
    result = run(status_2021_badge(url, 7), Web({url: status_2021_list(url)}))
    assert result.verified, failed(result)
    assert result.check("status.revocation").status is Status.PASSED
    revoked = run(status_2021_badge(url, 7), Web({url: status_2021_list(url, revoked=7)}))
    assert failed(revoked) == ["status.revoked"]


def test_a_short_list_is_the_issuers_fault_and_the_message_says_so():
    url = "https://status.example/2021/short"
    result = run(status_2021_badge(url, 7), Web({url: status_2021_list(url, entries=100_000)}))
    assert failed(result) == ["status.list_too_short"]
    check = result.check("status.list_too_short")
    assert "the issuer's status list" in check.message
    assert "non-conformant" in check.message
    assert check.details["error"] == "STATUS_LIST_LENGTH_ERROR"


REVOCATIONS = "https://school.example/revocations/1"


def one_edtech_badge(**extra) -> dict:
    unsigned = unsigned_badge(**extra)
    unsigned["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    unsigned["credentialStatus"] = {"id": REVOCATIONS, "type": "1EdTechRevocationList"}
    return sign(unsigned)


@pytest.mark.parametrize(
    ("listing", "expected"),
    [
        ({"revokedCredentials": []}, [("status.revocation", Status.PASSED)]),
        (
            {"revokedCredentials": [{"id": "urn:uuid:0c2d5a4e-8f0b-4b6e-9a3b-2f1e7d6c5b4a"}]},
            [("status.revoked", Status.FAILED)],
        ),
        (
            {
                "revokedCredentials": [
                    {
                        "id": "urn:uuid:0c2d5a4e-8f0b-4b6e-9a3b-2f1e7d6c5b4a",
                        "revoked": "true",
                        "revocationReason": "issued in error",
                    }
                ]
            },
            [("status.revoked", Status.FAILED)],
        ),
        (
            {
                "revokedCredentials": [
                    {"id": "urn:uuid:0c2d5a4e-8f0b-4b6e-9a3b-2f1e7d6c5b4a", "revoked": False}
                ]
            },
            [("status.revocation", Status.PASSED)],
        ),
        (
            {"id": "https://school.example/revocations/2", "issuer": "did:example:other"},
            [
                ("status.list_id_mismatch", Status.WARNING),
                ("status.list_issuer_mismatch", Status.WARNING),
                ("status.revocation", Status.PASSED),
            ],
        ),
        ({"revokedCredentials": "urn:uuid:x"}, [("status.list_invalid", Status.FAILED)]),
    ],
    ids=["not-listed", "listed", "revoked-as-a-string", "revoked-false", "hygiene", "malformed"],
)
def test_the_1edtech_revocation_list(listing, expected):
    web = Web({REVOCATIONS: {"id": REVOCATIONS, "issuer": ISSUER.did, **listing}})
    result = run(one_edtech_badge(), web)
    assert checks(result, "status") == expected
    assert web.urls == [REVOCATIONS]


def test_an_unreachable_1edtech_list_fails_closed_or_warns_by_policy():
    result = run(one_edtech_badge(), Web())
    assert failed(result) == ["status.retrieval_failed"]
    relaxed = run(one_edtech_badge(), Web(), status_unreachable="warn")
    assert relaxed.verified
    assert relaxed.check("status.retrieval_failed").status is Status.WARNING


def test_the_revocation_reason_is_shown():
    listing = {
        "revokedCredentials": [
            {
                "id": "urn:uuid:0c2d5a4e-8f0b-4b6e-9a3b-2f1e7d6c5b4a",
                "revocationReason": "plagiarism",
            }
        ]
    }
    result = run(one_edtech_badge(), Web({REVOCATIONS: listing}))
    assert "plagiarism" in result.check("status.revoked").message


# --- presentations of VC-JWTs, refusals -----------------------------------------------------


def test_a_presentation_with_an_enveloped_vc_jwt():
    credential = {k: v for k, v in badge().items() if k != "proof"}
    token = sign_jwt(credential, ISSUER.key, ISSUER.vm)
    envelope = {
        "@context": [CREDENTIALS_V2],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }
    vp = presentation([envelope])
    result = verify(vp, VerificationPolicy(now=NOW, challenge="c-1234", domain="hiring.example"))
    assert result.verified, [failed(r) for r in (result, *result.credentials)]
    assert result.credentials[0].summary["format"] == "vc-jwt"
    assert result.check("presentation.holder").status is Status.PASSED
    assert result.credentials[0].summary["subject"] == HOLDER.did


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (
            b"eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.eyJ2Y3QiOiJ4In0.c2ln~WyJzIiwibiIsInYiXQ~",
            "sd-jwt-vc",
        ),
        (b"eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", "jwe"),
        (b"%PDF-1.7\n...", "pdf"),
        (b"eyJhbGciOiJFUzI1NiJ9.eyJ2cCI6e319.c2ln", "vp-jwt"),
    ],
)
def test_what_laurel_cannot_read_is_named_never_not_valid_json(data, kind):
    result = verify_bytes(data, POLICY)
    assert result.unreadable
    (check,) = result.checks
    assert check.id == "format.unsupported"
    assert check.details["kind"] == kind
    assert "JSON" not in check.message


def test_empty_and_broken_json_keep_their_own_names():
    assert verify_bytes(b"  ", POLICY).checks[0].id == "format.empty"
    assert verify_bytes(b'{"a": ', POLICY).checks[0].id == "format.invalid_json"


def test_a_link_is_not_followed_unless_asked():
    result = verify_bytes(b"https://badges.example/assertions/1", POLICY)
    assert [c.id for c in result.checks] == ["format.link_not_fetched"]
    web = Web()
    followed = verify_bytes(
        b"https://badges.example/assertions/1", POLICY, fetch=web, follow_links=True
    )
    assert web.urls == ["https://badges.example/assertions/1"]
    assert failed(followed) == ["proof.hosted_unavailable"]


def test_mallory_is_not_recognized_by_name_alone():
    # A badge whose issuer is a DID the verifier has no registry for warns, never passes trust.
    result = run(sign(unsigned_badge(issuer=MALLORY), MALLORY))
    assert result.check("trust").status is Status.WARNING


# --- the VC-API and the page ----------------------------------------------------------------


def _api_client():
    from verifier.app import create_app

    return create_app(resolver=DidResolver(), clock=lambda: NOW, testing=True).test_client()


def _email_badge() -> dict:
    unsigned = unsigned_badge()
    subject = unsigned["credentialSubject"]
    del subject["id"]
    subject["identifier"] = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "salt": "s1",
            "identityHash": "sha256$" + hashlib.sha256(b"ana@school.example" + b"s1").hexdigest(),
        }
    ]
    return sign(unsigned)


def test_the_api_takes_a_vc_jwt_string_and_a_recipient():
    client = _api_client()
    credential = {k: v for k, v in _email_badge().items() if k != "proof"}
    token = sign_jwt(credential, ISSUER.key, ISSUER.vm)
    ok = client.post(
        "/credentials/verify",
        json={"verifiableCredential": token, "options": {"recipient": "ana@school.example"}},
    )
    assert ok.status_code == 200, ok.get_json()["errors"]
    assert "presentation.recipient" in ok.get_json()["checks"]
    assert ok.get_json()["results"]["credential"]["format"] == "vc-jwt"
    wrong = client.post(
        "/credentials/verify",
        json={
            "verifiableCredential": _email_badge(),
            "options": {"recipient": "bo@school.example"},
        },
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["errors"] == ["presentation.recipient_mismatch"]
    for bad in (7, "  "):
        refused = client.post(
            "/credentials/verify",
            json={"verifiableCredential": _email_badge(), "options": {"recipient": bad}},
        )
        assert refused.status_code == 400
    not_a_token = client.post("/credentials/verify", json={"verifiableCredential": "hello"})
    assert not_a_token.status_code == 400


def test_the_page_checks_the_recipient_it_is_given():
    client = _api_client()
    document = json.dumps(_email_badge())
    right = client.post("/", data={"document": document, "recipient": "ana@school.example"})
    wrong = client.post("/", data={"document": document, "recipient": "bo@school.example"})
    assert right.status_code == wrong.status_code == 200
    assert "presentation.recipient_mismatch" in wrong.get_data(as_text=True)
    assert "presentation.recipient_mismatch" not in right.get_data(as_text=True)
    assert 'id="recipient"' in right.get_data(as_text=True)


# --- every suite real issuers use, through the pipeline --------------------------------------


def _signed_by_hand(unsigned: dict, suite_name: str, vm: str, sign_bytes) -> dict:
    # How other issuers sign (laurel signs only eddsa-rdfc-2022 / eddsa-jcs-2022).
    from vc.keys import encode_multibase_btc
    from vc.proofs import CRYPTOSUITES, ECDSA_JCS_2019, ECDSA_RDFC_2019, EDDSA_2022, hash_data

    suite = {
        "eddsa-2022": EDDSA_2022,
        "ecdsa-rdfc-2019": ECDSA_RDFC_2019,
        "ecdsa-jcs-2019": ECDSA_JCS_2019,
    }.get(suite_name) or CRYPTOSUITES[suite_name]
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": suite_name,
        "created": "2026-01-01T00:00:00Z",
        "verificationMethod": vm,
        "proofPurpose": "assertionMethod",
    }
    config = {**proof, "@context": unsigned["@context"]}
    if suite_name == "ecdsa-jcs-2019":
        proof["@context"] = unsigned["@context"]
    proof["proofValue"] = encode_multibase_btc(sign_bytes(hash_data(suite, unsigned, config)))
    return {**unsigned, "proof": proof}


@pytest.mark.parametrize("suite", ["ecdsa-rdfc-2019", "ecdsa-jcs-2019"])
def test_an_ecdsa_p256_badge_verifies_and_is_reported_by_its_suite(suite):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from vc.did import did_key_from_public_key
    from vc.keys import EcdsaPublicKey

    private = ec.derive_private_key(7, ec.SECP256R1())
    point = private.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    did = did_key_from_public_key(EcdsaPublicKey("P-256", point))
    vm = f"{did}#{did.removeprefix('did:key:')}"

    def es256(data: bytes) -> bytes:
        r, s = decode_dss_signature(private.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    unsigned = unsigned_badge()
    unsigned["issuer"]["id"] = did
    result = run(_signed_by_hand(unsigned, suite, vm, es256))
    assert result.verified, failed(result)
    assert suite in result.check("proof.signature").message
    unsigned["name"] = "edited"
    forged = _signed_by_hand(unsigned, suite, vm, es256)
    forged["name"] = "Distinguished"
    assert failed(run(forged)) == ["proof.signature_invalid"]


def test_an_eddsa_2022_badge_verifies_and_is_reported_by_its_draft_name():
    result = run(_signed_by_hand(unsigned_badge(), "eddsa-2022", ISSUER.vm, ISSUER.key.sign))
    assert result.verified, failed(result)
    assert "eddsa-2022" in result.check("proof.signature").message
