"""The issuer's rule book (vc.issuance): every reason to refuse, with where and what instead."""

from __future__ import annotations

import copy

import pytest

from vc.issuance import IssuanceRefusedError, check_unsigned, data_model
from vc.results import CheckResult

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DI = "https://w3id.org/security/data-integrity/v2"
ISSUER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"

PLAIN = {
    "@context": [V2],
    "type": ["VerifiableCredential"],
    "issuer": ISSUER,
    "credentialSubject": {"id": "did:example:subject"},
}
BADGE = {
    "@context": [V2, OB],
    "id": "urn:uuid:6c1d2c3e-8a41-4f0e-b1c5-2b7d9e0f1a23",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Riverside"},
    "validFrom": "2026-01-01T00:00:00Z",
    "name": "Formative Assessment",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "id": "did:example:teacher",
        "achievement": {
            "id": "urn:uuid:0b7a3c1e-5d2f-4e6a-9b8c-7d6e5f4a3b2c",
            "type": ["Achievement"],
            "name": "Formative Assessment",
            "description": "Uses exit tickets.",
            "criteria": {"narrative": "Three lesson plans."},
            "tag": ["assessment"],
        },
    },
}


def problems(document) -> list[tuple[str, str]]:
    return [(p.id, str(p.details.get("path", ""))) for p in check_unsigned(document)]


def test_a_good_plain_credential_and_a_good_badge_pass():
    assert check_unsigned(PLAIN) == []
    assert check_unsigned(BADGE) == []


def test_a_misspelled_achievement_member_is_found_with_its_path_and_the_right_word():
    badge = copy.deepcopy(BADGE)
    achievement = badge["credentialSubject"]["achievement"]
    achievement["tags"] = achievement.pop("tag")
    (problem,) = check_unsigned(badge)
    assert problem.id == "format.undefined_term"
    assert problem.details["path"] == "credentialSubject.achievement.tags"
    assert "did you mean 'tag'?" in problem.message


def test_an_undefined_type_is_found_where_it_is_used():
    assert problems({**PLAIN, "type": ["VerifiableCredential", "InvalidType"]}) == [
        ("format.undefined_term", "type")
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"credentialSubject": {}}, ("format.credential_subject", "credentialSubject")),
        ({"credentialSubject": None}, ("format.credential_subject", "credentialSubject")),
        ({"issuer": None}, ("format.issuer", "issuer")),
        ({"id": "https ://not-a-url"}, ("format.id", "id")),
        ({"validFrom": "Sat 25 Feb 2023 07:16:31 PM CST"}, ("format.validity_dates", "validFrom")),
        (
            {"credentialStatus": {"id": "did:example:status"}},
            ("format.credential_status", "credentialStatus.type"),
        ),
        ({"termsOfUse": {}}, ("format.terms_of_use", "termsOfUse.type")),
        ({"evidence": {}}, ("format.evidence", "evidence.type")),
        (
            {"refreshService": {"id": "did:example:r"}},
            ("format.refresh_service", "refreshService.type"),
        ),
        (
            {"credentialSchema": {"id": "did:example:s"}},
            ("format.credential_schema", "credentialSchema.type"),
        ),
        ({"proof": {"type": "DataIntegrityProof"}}, ("format.already_signed", "proof")),
    ],
)
def test_each_vc_2_0_rule(change, expected):
    assert expected in problems({**PLAIN, **change})


def test_a_first_context_that_is_not_vc_2_0_is_refused():
    assert ("format.context", "@context[0]") in problems(
        {**PLAIN, "@context": ["https://www.w3.org/ns/credentials/examples/v2"]}
    )


def test_every_problem_is_reported_at_once():
    found = problems(
        {
            **PLAIN,
            "credentialSubject": {},
            "validFrom": "yesterday",
            "evidence": {},
            "grade": "A+",
        }
    )
    assert {p for p, _ in found} >= {
        "format.credential_subject",
        "format.validity_dates",
        "format.evidence",
        "format.undefined_term",
    }


def test_the_open_badges_schema_is_part_of_the_rule_book():
    badge = copy.deepcopy(BADGE)
    del badge["credentialSubject"]["achievement"]["criteria"]
    assert any(p.startswith("schema") for p, _ in problems(badge))


def test_vc_1_1_follows_the_1_1_rules():
    credential = {
        "@context": [V1, DI],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "issuanceDate": "2020-03-16T22:37:26.544Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    assert data_model(credential) == "1.1"
    assert check_unsigned(credential) == []
    assert problems({**credential, "type": ["VerifiableCredential", "InvalidType"]}) == [
        ("format.undefined_term", "type")
    ]
    no_date = {k: v for k, v in credential.items() if k != "issuanceDate"}
    assert ("format.validity_dates", "issuanceDate") in problems(no_date)
    assert ("format.validity_dates", "validFrom") in problems(
        {**credential, "validFrom": "2020-03-16T22:37:26Z"}
    )
    assert ("format.credential_status", "credentialStatus.id") in problems(
        {**credential, "credentialStatus": {"type": "StatusList2021Entry"}}
    )
    assert ("format.credential_subject", "credentialSubject") in problems(
        {**credential, "credentialSubject": {}}
    )


def test_the_refusal_carries_every_problem():
    refusal = IssuanceRefusedError(check_unsigned({**PLAIN, "credentialSubject": {}, "grade": 1}))
    assert len(refusal.problems) == 2
    assert refusal.lines()[0].startswith("credentialSubject: ")
    assert [p["id"] for p in refusal.to_json()] == [p.id for p in refusal.problems]
    with pytest.raises(ValueError, match="at least one"):
        IssuanceRefusedError([])


def test_a_refusal_problem_is_a_named_check():
    for problem in check_unsigned({**PLAIN, "credentialSubject": []}):
        assert isinstance(problem, CheckResult)
        assert problem.group == "format"
