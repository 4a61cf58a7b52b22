"""SD-JWT (RFC 9901): splitting, digests, disclosures put back, and every rule that refuses one."""

from __future__ import annotations

import hashlib
import json

import pytest

from vc.jws import b64url_encode
from vc.sdjwt import SdJwt, SdJwtError, disclose, sd_hash


def disclosure(*parts: object) -> str:
    return b64url_encode(json.dumps(list(parts)).encode())


def digest(text: str) -> str:
    return b64url_encode(hashlib.sha256(text.encode()).digest())


def test_rfc9901_hashing_disclosures_vector() -> None:
    # RFC 9901, "Hashing Disclosures": the family_name disclosure and its SHA-256 digest.
    given = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
    assert digest(given) == "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"
    claims = disclose({"_sd": ["X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"]}, [given])
    assert claims == {"family_name": "Möbius"}


def test_nested_objects_and_array_elements_are_put_back() -> None:
    name = disclosure("s1", "name", "Ana")
    city = disclosure("s2", "locality", "Riverside")
    tag = disclosure("s3", "assessment")
    payload = {
        "_sd_alg": "sha-256",
        "_sd": [digest(name), "decoy-digest-never-disclosed"],
        "address": {"_sd": [digest(city)], "country": "US"},
        "tags": [{"...": digest(tag)}, "pedagogy", {"...": "undisclosed-element"}],
    }
    assert disclose(payload, [name, city, tag]) == {
        "name": "Ana",
        "address": {"country": "US", "locality": "Riverside"},
        "tags": ["assessment", "pedagogy"],
    }


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("unreferenced", "disclosure_unreferenced"),
        ("duplicate_disclosure", "digest_duplicate"),
        ("duplicate_digest", "digest_duplicate"),
        ("claim_conflict", "claim_conflict"),
        ("array_disclosure_in_sd", "disclosure_malformed"),
        ("object_disclosure_in_array", "disclosure_malformed"),
        ("name_is_sd", "disclosure_malformed"),
        ("not_json", "disclosure_malformed"),
        ("unknown_hash", "hash_unsupported"),
    ],
)
def test_tampered_disclosures_are_refused_by_name(case: str, code: str) -> None:
    name = disclosure("s1", "name", "Ana")
    element = disclosure("s3", "assessment")
    payload: dict = {"_sd": [digest(name)]}
    given = [name]
    if case == "unreferenced":
        given = [name, disclosure("s9", "email", "ana@school.example")]
    elif case == "duplicate_disclosure":
        given = [name, name]
    elif case == "duplicate_digest":
        payload = {"_sd": [digest(name), digest(name)]}
    elif case == "claim_conflict":
        payload = {"_sd": [digest(name)], "name": "Mallory"}
    elif case == "array_disclosure_in_sd":
        payload, given = {"_sd": [digest(element)]}, [element]
    elif case == "object_disclosure_in_array":
        payload = {"list": [{"...": digest(name)}]}
    elif case == "name_is_sd":
        bad = disclosure("s1", "_sd", ["x"])
        payload, given = {"_sd": [digest(bad)]}, [bad]
    elif case == "not_json":
        given = [b64url_encode(b"not json")]
    elif case == "unknown_hash":
        payload = {"_sd_alg": "md5", "_sd": [digest(name)]}
    with pytest.raises(SdJwtError) as caught:
        disclose(payload, given)
    assert caught.value.code == code


def test_parse_splits_and_sd_hash_covers_everything_but_the_key_binding() -> None:
    jwt = "eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.c2ln"
    text = f"{jwt}~{disclosure('s', 'a', 1)}~eyJhbGciOiJFZERTQSJ9.e30.c2ln"
    parsed = SdJwt.parse(text)
    assert parsed.key_binding_jwt == "eyJhbGciOiJFZERTQSJ9.e30.c2ln"
    assert parsed.without_key_binding() == text.rsplit("~", 1)[0] + "~"
    assert sd_hash(parsed) == digest(parsed.without_key_binding())
    assert SdJwt.parse(f"{jwt}~").key_binding_jwt is None


@pytest.mark.parametrize(
    "text", ["no-tilde", "~", "a.b.c~~", "not-a-jwt~", "e30.e30.x~" + "d~" * 300]
)
def test_malformed_sd_jwt_is_refused(text: str) -> None:
    with pytest.raises(SdJwtError) as caught:
        SdJwt.parse(text)
    assert caught.value.code == "malformed"
