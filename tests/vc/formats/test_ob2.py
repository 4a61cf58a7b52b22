"""Open Badges 2.0: hosted and signed assertions, recipients, revocation, and their attacks."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.builders import JsonWeb
from vc.formats.ob2 import check_recipient, is_ob2_assertion, verify_ob2

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
CTX = "https://w3id.org/openbadges/v2"
SITE = "https://badges.school.example"
EMAIL = "ana@school.example"
SALT = "deadsea"


def identity(email: str = EMAIL, salt: str = SALT) -> str:
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


def assertion(**extra) -> dict:
    return {
        "@context": CTX,
        "type": "Assertion",
        "id": f"{SITE}/assertions/1",
        "recipient": {"type": "email", "hashed": True, "salt": SALT, "identity": identity()},
        "badge": f"{SITE}/badges/formative",
        "verification": {"type": "hosted"},
        "issuedOn": "2025-09-01T00:00:00Z",
        **extra,
    }


def site(document: dict, **issuer_extra) -> dict:
    return {
        document["id"]: document,
        f"{SITE}/badges/formative": {
            "@context": CTX,
            "type": "BadgeClass",
            "id": f"{SITE}/badges/formative",
            "name": "Formative Assessment",
            "issuer": f"{SITE}/issuer",
        },
        f"{SITE}/issuer": {
            "@context": CTX,
            "type": "Issuer",
            "id": f"{SITE}/issuer",
            "name": "District 9",
            **issuer_extra,
        },
    }


def test_hosted_assertion_verifies_and_names_its_host():
    document = assertion()
    result = verify_ob2(document, fetch=JsonWeb(site(document)), now=NOW, recipient=EMAIL)
    assert result.verified, result.checks
    assert result.hosts == ("badges.school.example",)
    assert [c.id for c in result.checks] == [
        "format",
        "proof.hosted",
        "issuer.origin",
        "validity",
        "status",
        "presentation.recipient",
    ]


def test_o01_hosted_copy_that_differs_is_refused():
    given = assertion(issuedOn="2020-01-01T00:00:00Z")
    pages = site(assertion())
    assert verify_ob2(given, fetch=JsonWeb(pages), now=NOW).failures() == ("proof.hosted_mismatch",)


def test_hosted_assertion_on_a_host_the_issuer_does_not_allow():
    document = assertion(id="https://evil.example/assertions/1")
    assert verify_ob2(document, fetch=JsonWeb(site(document)), now=NOW).failures() == (
        "issuer.origin_mismatch",
    )
    allowed = verify_ob2(
        document,
        fetch=JsonWeb(site(document, verification={"allowedOrigins": ["evil.example"]})),
        now=NOW,
    )
    assert allowed.verified


def test_revocation_list_and_revoked_flag():
    document = assertion()
    pages = site(document, revocationList=f"{SITE}/revocations")
    pages[f"{SITE}/revocations"] = {
        "@context": CTX,
        "type": "RevocationList",
        "id": f"{SITE}/revocations",
        "revokedAssertions": [{"id": document["id"], "revocationReason": "issued in error"}],
    }
    result = verify_ob2(document, fetch=JsonWeb(pages), now=NOW)
    assert result.failures() == ("status.revoked",)
    assert "issued in error" in result.checks[-2].message
    flagged = assertion(revoked=True)
    assert verify_ob2(flagged, fetch=JsonWeb(site(flagged)), now=NOW).failures() == (
        "status.revoked",
    )


@pytest.mark.parametrize(
    ("extra", "failure"),
    [
        ({"expires": "2026-01-01T00:00:00Z"}, "validity.expired"),
        ({"issuedOn": "2030-01-01T00:00:00Z"}, "validity.not_yet_valid"),
        ({"expires": "2020-01-01T00:00:00Z"}, "validity.malformed"),
        ({"issuedOn": "yesterday"}, "validity.malformed"),
    ],
)
def test_validity(extra, failure):
    document = assertion(**extra)
    assert failure in verify_ob2(document, fetch=JsonWeb(site(document)), now=NOW).failures()


def test_without_network_the_checks_that_need_it_fail_by_name():
    result = verify_ob2(assertion(), fetch=None, now=NOW)
    assert result.failures() == ("proof.hosted_unavailable",)


def test_not_an_assertion_is_named():
    badge_class = {"@context": CTX, "type": "BadgeClass", "id": f"{SITE}/b"}
    assert verify_ob2(badge_class, fetch=JsonWeb({}), now=NOW).failures() == (
        "format.ob2_malformed",
    )
    assert not is_ob2_assertion(badge_class)
    assert is_ob2_assertion(assertion())


# --------------------------------------------------------------------------- recipient (O02)


def test_o02_recipient_hash_checked_against_the_wrong_email():
    assert check_recipient(assertion(), EMAIL).id == "presentation.recipient"
    assert check_recipient(assertion(), " ANA@school.example ").status.value == "passed"
    wrong = check_recipient(assertion(), "eve@school.example")
    assert (wrong.id, wrong.status.value) == ("presentation.recipient_mismatch", "failed")


def test_o02_unsalted_and_md5_hashes_are_refused():
    unsalted = assertion(recipient={"type": "email", "hashed": True, "identity": identity(salt="")})
    assert check_recipient(unsalted, EMAIL).id == "presentation.recipient_unsalted"
    md5 = assertion(
        recipient={
            "type": "email",
            "hashed": True,
            "salt": SALT,
            "identity": "md5$" + hashlib.md5((EMAIL + SALT).encode()).hexdigest(),  # noqa: S324
        }
    )
    check = check_recipient(md5, EMAIL)
    assert (check.id, check.status.value) == ("presentation.recipient_weak_hash", "failed")


def test_plain_identity_and_no_email_given():
    plain = assertion(recipient={"type": "email", "hashed": False, "identity": EMAIL})
    assert check_recipient(plain, EMAIL).status.value == "passed"
    assert check_recipient(plain, None).status.value == "skipped"


# --------------------------------------------------------------------------- signed


def _signed(key: rsa.RSAPrivateKey, document: dict, header: dict | None = None) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps(header or {"alg": "RS256"}).encode())
    body = b64(json.dumps(document).encode())
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64(signature)}"


def _signed_site(key: rsa.RSAPrivateKey, owner: str = f"{SITE}/issuer") -> tuple[dict, dict]:
    document = assertion(verification={"type": "signed", "creator": f"{SITE}/key"})
    pages = site(document, publicKey=f"{SITE}/key")
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pages[f"{SITE}/key"] = {
        "@context": CTX,
        "type": "CryptographicKey",
        "id": f"{SITE}/key",
        "owner": owner,
        "publicKeyPem": pem.decode(),
    }
    return document, pages


KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_signed_assertion_verifies_with_the_issuers_listed_key():
    document, pages = _signed_site(KEY)
    result = verify_ob2(_signed(KEY, document), fetch=JsonWeb(pages), now=NOW)
    assert result.verified, result.checks
    assert result.verification == "signed"


def test_signed_by_another_key_fails_signature():
    document, pages = _signed_site(KEY)
    assert verify_ob2(_signed(OTHER, document), fetch=JsonWeb(pages), now=NOW).failures() == (
        "proof.signature_invalid",
    )


def test_key_owned_by_someone_else_is_not_the_issuers():
    document, pages = _signed_site(KEY, owner="https://evil.example/issuer")
    assert verify_ob2(_signed(KEY, document), fetch=JsonWeb(pages), now=NOW).failures() == (
        "issuer.key_binding",
    )


@pytest.mark.parametrize(
    ("header", "failure"),
    [
        ({"alg": "none"}, "proof.unsupported_alg"),
        ({"alg": "HS256"}, "proof.unsupported_alg"),
        ({"alg": "RS256", "jku": "http://10.0.0.1/jwks"}, "proof.unsupported_header"),
        ({"alg": "RS256", "jwk": {"kty": "RSA"}}, "proof.unsupported_header"),
    ],
)
def test_signed_badge_headers_that_choose_the_key_or_alg_are_refused(header, failure):
    document, pages = _signed_site(KEY)
    web = JsonWeb(pages)
    assert verify_ob2(_signed(KEY, document, header), fetch=web, now=NOW).failures() == (failure,)
    assert web.requests == []


# --------------------------------------------------------------------------- the fetch guard


def test_o01_hosted_assertion_redirecting_to_a_private_address_fetches_nothing_past_the_guard(
    server, client_tls, connects
):
    from tests.verifier.test_fetch import _fetcher, redirect

    server.routes["/assertions/1"] = redirect("http://169.254.169.254/latest/meta-data/")
    document = assertion(id=server.url("/assertions/1"))
    result = verify_ob2(document, fetch=_fetcher(client_tls), now=NOW)
    assert result.failures() == ("proof.hosted_unavailable",)
    assert "link-local" in result.checks[-1].message
    assert connects == [("127.0.0.1", server.port)]
