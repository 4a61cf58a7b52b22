"""The `schema` check: the official Open Badges 3.0 JSON Schema over the spec fixtures."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, load_vector, vector_path
from vc.jsontext import MAX_DEPTH, parse_document
from vc.results import CheckResult, Status
from vc.schema import MAX_PROBLEMS, SCHEMA_FILE, check_schema

VALIDATOR = "openbadges3/validator-test-resources"
EXAMPLES = "openbadges3/examples"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

# Fixtures that must pass the schema: they are OB 3.0 (VC 2.0) credentials the
# 1EdTech validator accepts, or spec examples.
VALID = [
    f"{VALIDATOR}/simple.json",
    f"{VALIDATOR}/complete.json",  # 1EdTech fails it only on a 404 credentialSchema URL
    f"{VALIDATOR}/endorsement-valid.json",
    f"{VALIDATOR}/simple-context-alias.json",
    f"{VALIDATOR}/simple-context-version.json",
    f"{VALIDATOR}/simple-did-key-method.json",
    f"{VALIDATOR}/simple-did-web-method.json",
    f"{VALIDATOR}/simple-multiple-proofs.json",
    f"{VALIDATOR}/bit-string-list/credential-status-revoked.json",  # revoked: `status`
    f"{VALIDATOR}/bit-string-list/credential-status-revoked-blank-nodes.json",
    f"{EXAMPLES}/achievementAlignmentCase.json",
    f"{EXAMPLES}/achievementAlignmentCe.json",
    f"{EXAMPLES}/basicOpenBadgeCredential.json",
    f"{EXAMPLES}/educredentials-full_ex.json",
    f"{EXAMPLES}/educredentials-minimal_valid_obv3.json",
    f"{EXAMPLES}/endorsement.json",
    f"{EXAMPLES}/fullOpenBadge.json",
    f"{EXAMPLES}/skillAssertionCase.json",
    f"{EXAMPLES}/skillAssertionCtdl.json",
]

# -err- fixtures whose error is structural: the schema is the check that catches
# them. Each lists (check id, JSON pointer) exactly.
SCHEMA_ERRORS = {
    f"{VALIDATOR}/simple-err-credential-subject-achievement-result-description-type.json": [
        ("schema.achievement", "/credentialSubject/achievement/resultDescription/2/type"),
    ],
    f"{VALIDATOR}/simple-err-credential-subject-identifier-type.json": [
        ("schema.credential_subject", "/credentialSubject/identifier/0/type"),
    ],
    f"{VALIDATOR}/simple-err-credential-subject-profile-type.json": [
        ("schema.credential_subject", "/credentialSubject/source/type"),
    ],
    f"{VALIDATOR}/simple-err-credential-subject-result-type.json": [
        ("schema.credential_subject", "/credentialSubject/result/1/type"),
    ],
    f"{VALIDATOR}/simple-err-credential-subject-type.json": [
        ("schema.credential_subject", "/credentialSubject/type"),
    ],
    f"{VALIDATOR}/simple-err-evidence-type.json": [
        ("schema.evidence", "/evidence/1/type"),
    ],
    f"{VALIDATOR}/simple-err-issuer-otheridentifier-type.json": [
        ("schema.issuer", "/issuer/otherIdentifier/1/type"),
    ],
    f"{VALIDATOR}/simple-err-issuer-parentorg-type.json": [
        ("schema.issuer", "/issuer/parentOrg/type"),
    ],
    f"{VALIDATOR}/simple-err-issuer-type.json": [
        ("schema.issuer", "/issuer/type"),
    ],
    # The issuer was removed; so was the achievement, which the schema requires too.
    f"{VALIDATOR}/simple-err-issuer.json": [
        ("schema.achievement", "/credentialSubject"),
        ("schema.issuer", ""),
    ],
}

# -err- fixtures whose error another check catches; the schema passes them. The
# value is the check id that should fail in the full pipeline. The four proof-method
# fixtures name https: verification methods, which are not DID URLs; the proofValue
# of simple-err-proof-value was tampered with, so once its key resolves it is
# `proof.signature` that fails.
ERRORS_ELSEWHERE = {
    f"{VALIDATOR}/simple-err-expired.json": "validity.expired",
    f"{VALIDATOR}/simple-err-proof-method.json": "issuer.invalid_did_url",
    f"{VALIDATOR}/simple-err-proof-method-no-scheme.json": "issuer.invalid_did_url",
    f"{VALIDATOR}/simple-err-proof-method-unknown-did-method.json": "issuer.invalid_did_url",
    f"{VALIDATOR}/simple-err-proof-method-unknown-scheme.json": "issuer.invalid_did_url",
    f"{VALIDATOR}/simple-err-proof-value.json": "proof.signature",
}

# -err- fixtures whose intended error is another check's, but which the official
# schema rejects as well (the fixture was cut down from an older sample):
# (check id elsewhere, the schema failures).
ERRORS_ELSEWHERE_AND_SCHEMA = {
    # Lacks the VC 2.0 context; also lacks validFrom (issuanceDate) and an achievement.
    f"{VALIDATOR}/simple-err-context.json": (
        "format.context",
        [
            ("schema.context", "/@context"),
            ("schema.context", "/@context/0"),
            ("schema.achievement", "/credentialSubject"),
            ("schema.dates", ""),
        ],
    ),
    # validFrom is in 2040; the subject has no achievement.
    f"{VALIDATOR}/simple-err-issued.json": (
        "validity.not_yet_valid",
        [("schema.achievement", "/credentialSubject")],
    ),
}

# Fixtures without -err- in their name that are genuinely invalid against the
# official OB 3.0 schema: (expected check ids, why).
INVALID_AGAINST_OFFICIAL_SCHEMA = {
    f"{VALIDATOR}/simple-noproof.json": (
        ["schema.achievement"],
        "a VC 1.1 badge without an achievement (VC 1.1-era schema)",
    ),
    f"{VALIDATOR}/complete_v1.json": (
        [
            *["schema.achievement"] * 4,
            *["schema.credential_subject"] * 2,
            "schema.endorsement",
            "schema.issuer",
        ],
        "endorsements without id, identityType 'email' not in the VC 1.1-era enumeration",
    ),
    f"{EXAMPLES}/examples-5.json": (
        ["schema.credential_subject", "schema.achievement", "schema.issuer"],
        "a spec snippet about extensions: issuer and subject without type, no achievement",
    ),
    f"{EXAMPLES}/examples-7.json": (
        ["schema.credential_subject", "schema.achievement", "schema.issuer"],
        "a spec snippet about extensions: issuer and subject without type, no achievement",
    ),
}


def _run(name: str) -> list[CheckResult]:
    return check_schema(parse_document(vector_path(name).read_bytes()))


def _short_name(name: str) -> str:
    return name.rsplit("/", 1)[-1].removesuffix(".json")


def _params(table: dict) -> list:
    return [pytest.param(name, value, id=_short_name(name)) for name, value in table.items()]


def _badge() -> dict:
    return copy.deepcopy(load_vector(f"{VALIDATOR}/simple.json"))


def _ids(checks: list[CheckResult]) -> list[tuple[str, Status]]:
    return [(c.id, c.status) for c in checks]


def _assert_bounded(checks: list[CheckResult]) -> None:
    for check in checks:
        assert len(check.message) <= 300
        assert len(json.dumps(dict(check.details))) <= 2000


# ---- the fixtures --------------------------------------------------------------


# Issue #13: VC 1.1-era badges are judged by the OB 3.0 schema of their era.
VALID_IN_THEIR_ERA = {
    f"{VALIDATOR}/simple_v1.json": "schema",
    f"{VALIDATOR}/simple-eddsa-2022.json": "schema",
    # Single values where the schema wants arrays (credentialSubject.type, issuer.type):
    # read as one-item arrays, as for VC 2.0 badges, and warned about.
    f"{VALIDATOR}/credential-status-revoked.json": "schema.compaction",
    f"{VALIDATOR}/endorsement-err-schema-status-refresh.json": "schema.compaction",
}


# Issue #13: uses the OB 3.0 context without an OB 3.0 type: not judged as a badge.
NOT_A_BADGE = [f"{VALIDATOR}/simple-err-type.json"]


def test_every_fixture_has_a_verdict():
    tables = [
        VALID,
        SCHEMA_ERRORS,
        ERRORS_ELSEWHERE,
        ERRORS_ELSEWHERE_AND_SCHEMA,
        INVALID_AGAINST_OFFICIAL_SCHEMA,
        VALID_IN_THEIR_ERA,
        NOT_A_BADGE,
    ]
    listed = [name for table in tables for name in table]
    on_disk = [
        f"{folder}/{path.relative_to(vector_path(folder)).as_posix()}"
        for folder in (VALIDATOR, EXAMPLES)
        for path in vector_path(folder).rglob("*.json")
    ]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(on_disk)


@pytest.mark.parametrize("name", VALID, ids=_short_name)
def test_valid_fixture_passes(name):
    assert _ids(_run(name)) == [("schema", Status.PASSED)]


@pytest.mark.parametrize(("name", "expected"), _params(SCHEMA_ERRORS))
def test_structural_error_fails_schema(name, expected):
    checks = _run(name)
    assert all(c.status is Status.FAILED for c in checks)
    assert [(c.id, c.details["path"]) for c in checks] == expected


@pytest.mark.parametrize(("name", "elsewhere"), _params(ERRORS_ELSEWHERE))
def test_error_of_another_check_passes_schema(name, elsewhere):
    assert _ids(_run(name)) == [("schema", Status.PASSED)]
    assert CheckResult.failed(elsewhere, "-").group != "schema"


@pytest.mark.parametrize(("name", "expected"), _params(ERRORS_ELSEWHERE_AND_SCHEMA))
def test_error_of_another_check_in_a_schema_invalid_fixture(name, expected):
    elsewhere, schema_failures = expected
    checks = _run(name)
    assert all(c.status is Status.FAILED for c in checks)
    assert [(c.id, c.details["path"]) for c in checks] == schema_failures
    assert CheckResult.failed(elsewhere, "-").group != "schema"


@pytest.mark.parametrize(("name", "expected"), _params(INVALID_AGAINST_OFFICIAL_SCHEMA))
def test_fixture_invalid_against_the_official_schema(name, expected):
    ids, _why = expected
    checks = _run(name)
    assert all(c.status is Status.FAILED for c in checks)
    assert [c.id for c in checks] == ids


@pytest.mark.parametrize(
    "name", [*SCHEMA_ERRORS, *INVALID_AGAINST_OFFICIAL_SCHEMA], ids=_short_name
)
def test_failures_name_where_and_which_rule(name):
    checks = _run(name)
    _assert_bounded(checks)
    for check in checks:
        if "more" in check.details:
            continue
        path, validator = check.details["path"], check.details["validator"]
        assert path == "" or path.startswith("/")
        assert validator in {"required", "enum", "contains", "type", "oneOf", "anyOf", "minItems"}


def test_messages_say_what_is_wrong():
    by_id = {c.id: c.message for c in _run(f"{VALIDATOR}/simple-err-issuer.json")}
    assert by_id["schema.issuer"] == "the credential lacks the required property 'issuer'"
    [check] = _run(f"{VALIDATOR}/simple-err-issuer-type.json")
    assert check.message == "issuer.type must include 'Profile'"
    [check] = _run(f"{VALIDATOR}/simple-err-credential-subject-identifier-type.json")
    assert check.message == (
        "credentialSubject.identifier[0].type is 'InvalidIdentityObject', "
        "which is not 'IdentityObject'"
    )
    assert check.details == {
        "path": "/credentialSubject/identifier/0/type",
        "validator": "enum",
    }


# ---- the bundled schema ----------------------------------------------------------


def test_bundled_schema_is_the_vector_copy_byte_for_byte():
    bundled = (REPO / "vc" / SCHEMA_FILE).read_bytes()
    assert bundled == vector_path(f"openbadges3/schema/{SCHEMA_FILE}").read_bytes()


def test_bundled_schema_is_self_contained():
    schema = json.loads((REPO / "vc" / SCHEMA_FILE).read_text("utf-8"))
    refs: list[str] = []
    stack: list[object] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    assert refs
    assert all(ref.startswith("#/$defs/") for ref in refs)


def test_bundled_schema_is_a_valid_draft_2019_09_schema():
    from jsonschema import Draft201909Validator

    Draft201909Validator.check_schema(json.loads((REPO / "vc" / SCHEMA_FILE).read_text("utf-8")))


def test_importing_the_module_does_not_import_jsonschema():
    code = "import sys, vc.schema; sys.exit('jsonschema' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False)
    assert done.returncode == 0


# ---- what is and is not validated ------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"type": ["VerifiableCredential"]}, id="plain-vc"),
        pytest.param({"@context": [CREDENTIALS_V2], "type": "VerifiableCredential"}, id="vc2"),
        pytest.param(
            {"@context": [CREDENTIALS_V2, OB3_CONTEXT], "type": ["VerifiablePresentation"]},
            id="presentation",
        ),
        pytest.param(
            {"type": ["VerifiablePresentation", "OpenBadgeCredential"]},
            id="presentation-claiming-a-badge",
        ),
        pytest.param(
            {
                "@context": [CREDENTIALS_V2, OB3_CONTEXT],
                "type": ["VerifiableCredential", "ClrCredential"],
            },
            id="clr",
        ),
        pytest.param({}, id="empty"),
        pytest.param([], id="list"),
        pytest.param("OpenBadgeCredential", id="string"),
        pytest.param(None, id="null"),
        pytest.param({"type": {"OpenBadgeCredential": True}}, id="type-object"),
    ],
)
def test_not_an_ob3_credential_is_skipped(document):
    checks = check_schema(document)
    assert [(c.id, c.status) for c in checks] == [("schema", Status.SKIPPED)]


def test_presentation_skip_says_why():
    [check] = check_schema({"type": ["VerifiablePresentation"]})
    assert "presentation" in check.message


def test_ob3_context_without_an_ob3_type_is_not_judged_by_the_badge_schema():
    # Issue #13: a credential that merely uses the OB 3.0 context is not a badge.
    badge = _badge()
    badge["type"] = ["VerifiableCredential"]
    assert _ids(check_schema(badge)) == [("schema", Status.SKIPPED)]
    assert _ids(_run(f"{VALIDATOR}/simple-err-type.json")) == [("schema", Status.SKIPPED)]


@pytest.mark.parametrize("name", VALID_IN_THEIR_ERA, ids=_short_name)
def test_vc11_badge_matches_the_schema_of_its_era(name):
    [check] = _run(name)
    assert check.id == VALID_IN_THEIR_ERA[name]
    assert check.status is (Status.PASSED if check.id == "schema" else Status.WARNING)
    if check.id == "schema":
        assert "VC 1.1 era" in check.message


def test_achievement_credential_type_is_validated_too():
    badge = _badge()
    badge["type"] = ["VerifiableCredential", "AchievementCredential"]
    assert _ids(check_schema(badge)) == [("schema", Status.PASSED)]


def test_endorsement_credential_uses_the_endorsement_definition():
    endorsement = load_vector(f"{VALIDATOR}/endorsement-valid.json")
    [check] = check_schema(endorsement)
    assert check.status is Status.PASSED
    assert "EndorsementCredential" in check.message
    del endorsement["name"]
    [check] = check_schema(endorsement)
    assert (check.id, check.status, check.details.get("property")) == (
        "schema",
        Status.FAILED,
        "name",
    )


# ---- proof, and JSON-LD single values -------------------------------------------


def test_single_proof_object_passes_and_the_input_is_untouched():
    badge = _badge()
    badge["proof"] = badge["proof"][0]
    before = copy.deepcopy(badge)
    assert _ids(check_schema(badge)) == [("schema", Status.PASSED)]
    assert badge == before
    assert isinstance(badge["proof"], dict)


def test_single_proof_in_an_embedded_endorsement_passes_silently():
    endorsement = load_vector(f"{VALIDATOR}/endorsement-valid.json")
    endorsement["proof"] = endorsement["proof"][0]
    badge = _badge()
    badge["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    assert _ids(check_schema(badge)) == [("schema", Status.PASSED)]


def test_single_values_for_arrays_are_a_compaction_warning():
    badge = _badge()
    badge["issuer"]["type"] = "Profile"
    badge["credentialSubject"]["type"] = "AchievementSubject"
    badge["evidence"] = {"type": "Evidence", "name": "Portfolio"}
    before = copy.deepcopy(badge)
    [check] = check_schema(badge)
    assert (check.id, check.status) == ("schema.compaction", Status.WARNING)
    assert check.details["paths"] == [
        "/credentialSubject/type",
        "/evidence",
        "/evidence/type",
        "/issuer/type",
    ]
    assert check.details["count"] == 4
    assert "credentialSubject.type" in check.message
    assert badge == before


def test_compacted_value_with_a_real_error_fails_at_the_path_as_given():
    badge = _badge()
    badge["evidence"] = {"type": "Exhibit"}
    checks = check_schema(badge)
    assert [(c.id, c.status, c.details["path"]) for c in checks] == [
        ("schema.evidence", Status.FAILED, "/evidence/type"),
    ]
    assert checks[0].message == "evidence.type must include 'Evidence'"


def test_single_credential_type_string_still_needs_both_types():
    badge = _badge()
    badge["type"] = "OpenBadgeCredential"
    checks = check_schema(badge)
    assert [(c.id, c.details["path"]) for c in checks] == [("schema.type", "/type")]
    assert checks[0].message == "type must include 'VerifiableCredential'"


def test_null_is_not_read_as_a_one_item_array():
    badge = _badge()
    badge["evidence"] = None
    checks = check_schema(badge)
    assert [(c.id, c.details["validator"]) for c in checks] == [("schema.evidence", "type")]
    assert checks[0].message == "evidence must be an array, not null"


# ---- formats ----------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    [
        "2010-01-01T00:00:00Z",
        "2010-01-01t00:00:00z",
        "2010-01-01T00:00:00.123456789+05:30",
        "2024-02-29T12:00:00-08:00",
        "2016-12-31T23:59:60Z",
        "2016-12-31T18:59:60-05:00",
    ],
)
def test_rfc3339_date_times_pass(stamp):
    badge = _badge()
    badge["validFrom"] = stamp
    assert _ids(check_schema(badge)) == [("schema", Status.PASSED)]


@pytest.mark.parametrize(
    "stamp",
    [
        "2010-01-01",
        "2010-01-01T00:00:00",
        "2010-01-01 00:00:00Z",
        "2010-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2010-13-01T00:00:00Z",
        "2010-01-01T24:00:00Z",
        "2010-01-01T00:60:00Z",
        "2010-01-01T23:58:60Z",
        "2010-01-01T00:00:00+24:00",
        "2010-01-01T00:00:00.Z",
        "+12010-01-01T00:00:00Z",
        "\u0662\u0660\u0661\u0660-01-01T00:00:00Z",
        "2010-01-01T00:00:00Z\n",
        "",
    ],
)
def test_malformed_date_times_fail(stamp):
    badge = _badge()
    badge["validFrom"] = stamp
    checks = check_schema(badge)
    assert [(c.id, c.details["path"], c.details["validator"]) for c in checks] == [
        ("schema.dates", "/validFrom", "format"),
    ]
    assert "not a valid RFC 3339 date-time" in checks[0].message


def test_nested_date_time_and_date_formats_are_checked():
    badge = _badge()
    badge["proof"][0]["created"] = "yesterday"
    badge["credentialSubject"]["source"] = {
        "id": "https://example.com/people/1",
        "type": ["Profile"],
        "dateOfBirth": "1900-02-29",
    }
    checks = check_schema(badge)
    assert [(c.id, c.details["path"]) for c in checks] == [
        ("schema.credential_subject", "/credentialSubject/source/dateOfBirth"),
        ("schema.proof", "/proof/0/created"),
    ]
    badge["credentialSubject"]["source"]["dateOfBirth"] = "2000-02-29"
    badge["proof"][0]["created"] = "2010-01-01T19:23:24Z"
    assert _ids(check_schema(badge)) == [("schema", Status.PASSED)]


# ---- bad input of every shape: never an exception, always a bounded message ---


def _broken(mutate) -> list[CheckResult]:
    badge = _badge()
    mutate(badge)
    checks = check_schema(badge)
    _assert_bounded(checks)
    assert checks
    assert all(c.status is Status.FAILED for c in checks)
    return checks


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ("did:example:alice", "credentialSubject must be an object, not a string"),
        ([], "credentialSubject must be an object, not an array"),
        (7, "credentialSubject must be an object, not a number"),
        (None, "credentialSubject must be an object, not null"),
        (True, "credentialSubject must be an object, not a boolean"),
    ],
)
def test_credential_subject_of_the_wrong_kind(subject, message):
    checks = _broken(lambda b: b.update(credentialSubject=subject))
    assert [(c.id, c.message) for c in checks] == [("schema.credential_subject", message)]


@pytest.mark.parametrize(
    ("proof", "path"),
    [
        ("z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk", "/proof"),
        (["DataIntegrityProof"], "/proof/0"),
        ([{"cryptosuite": "eddsa-rdfc-2022"}], "/proof/0"),
        ({"cryptosuite": "eddsa-rdfc-2022"}, "/proof"),
        ([{"type": 5}], "/proof/0/type"),
    ],
)
def test_proof_of_the_wrong_shape(proof, path):
    checks = _broken(lambda b: b.update(proof=proof))
    assert [(c.id, c.details["path"]) for c in checks] == [("schema.proof", path)]


def test_issuer_of_the_wrong_kind_names_both_allowed_forms():
    [check] = _broken(lambda b: b.update(issuer=42))
    assert check.id == "schema.issuer"
    assert check.message == "issuer must be a string or an object, not a number"
    assert check.details == {"path": "/issuer", "validator": "oneOf"}


def test_value_outside_a_vocabulary_and_its_extensions():
    identifier = {
        "type": "IdentityObject",
        "hashed": False,
        "identityHash": "alice@example.com",
        "identityType": "email",
    }
    [check] = _broken(lambda b: b["credentialSubject"].update(identifier=[identifier]))
    assert check.id == "schema.credential_subject"
    assert check.details["validator"] == "oneOf"
    assert check.message == (
        "credentialSubject.identifier[0].identityType is 'email', "
        "which is not one of the allowed values"
    )


def test_unexpected_properties_are_named_briefly():
    image = {"id": "https://example.com/i.png", "type": "Image", "x" * 5000: 1, 7: 2}
    [check] = _broken(lambda b: b["issuer"].update(image=image))
    assert check.id == "schema.issuer"
    assert check.details == {"path": "/issuer/image", "validator": "additionalProperties"}
    assert "'7'" in check.message


def test_huge_values_are_quoted_as_short_prefixes():
    [check] = _broken(lambda b: b.update(validFrom="9" * 1_000_000))
    assert check.message.startswith("validFrom is '999")
    assert "..." in check.message
    [check] = _broken(lambda b: b.update(credentialSubject="x" * 1_000_000))
    assert "xxx" not in check.message


def test_ten_thousand_bad_items_report_the_first_few_and_count_the_rest():
    checks = _broken(lambda b: b.update(evidence=[{"type": ["Exhibit"]}] * 10_000))
    assert len(checks) == MAX_PROBLEMS + 1
    assert [c.id for c in checks[:-1]] == ["schema.evidence"] * MAX_PROBLEMS
    assert checks[-1].id == "schema"
    assert checks[-1].details["more"] == 10_000 - MAX_PROBLEMS
    assert checks[-1].message == f"{10_000 - MAX_PROBLEMS} more schema problems not shown"


def test_ten_thousand_type_entries_of_the_wrong_kind():
    types = ["VerifiableCredential", "OpenBadgeCredential", *([5] * 10_000)]
    checks = _broken(lambda b: b.update(type=types))
    assert checks[0].message == "type[2] must be a string, not a number"
    assert len(checks) == MAX_PROBLEMS + 1


def test_ten_thousand_compacted_items_are_still_a_warning():
    badge = _badge()
    badge["evidence"] = [{"type": "Evidence"} for _ in range(10_000)]
    [check] = check_schema(badge)
    assert (check.id, check.status, check.details["count"]) == (
        "schema.compaction",
        Status.WARNING,
        10_000,
    )
    assert len(check.details["paths"]) == MAX_PROBLEMS


def test_many_distinct_problems_are_capped():
    def mutate(badge):
        for name in ("@context", "id", "credentialSubject", "issuer", "validFrom"):
            badge[name] = 12
        badge["evidence"] = [7] * 20

    checks = _broken(mutate)
    assert len(checks) == MAX_PROBLEMS + 1
    assert checks[-1].details["more"] > 0


def test_values_python_has_but_json_does_not():
    def mutate(badge):
        badge["credentialSubject"]["result"] = ("a",)
        badge["credentialSubject"]["creditsEarned"] = float("nan")
        badge["name"] = b"bytes"

    checks = _broken(mutate)
    assert [c.message for c in checks] == [
        "name must be a string, not a bytes",
        "credentialSubject.result must be an array, not a tuple",
    ]


def test_deep_nesting_at_the_parser_limit_is_validated():
    badge = _badge()
    org = badge["issuer"]
    for _ in range(MAX_DEPTH - 4):
        org["parentOrg"] = {"id": "https://example.com/org", "type": ["Profile"]}
        org = org["parentOrg"]
    parse_document(json.dumps(badge))  # within laurel's limits
    assert _ids(check_schema(badge)) == [("schema", Status.PASSED)]


@pytest.mark.parametrize("levels", [MAX_DEPTH, 300, 5000])
def test_nesting_beyond_the_parser_limit_is_refused(levels):
    def mutate(badge):
        org = badge["issuer"]
        for _ in range(levels):
            org["parentOrg"] = {"id": "https://example.com/org", "type": ["Profile"]}
            org = org["parentOrg"]

    [check] = _broken(mutate)
    assert check.id == "schema"
    assert check.message == f"not validated: the document is nested deeper than {MAX_DEPTH} levels"


def test_a_cycle_is_refused():
    def mutate(badge):
        badge["issuer"]["parentOrg"] = badge["issuer"]

    [check] = _broken(mutate)
    assert "nested deeper" in check.message


def test_an_integer_too_large_to_print_is_refused():
    [check] = _broken(lambda b: b["credentialSubject"].update(creditsEarned=10**5000))
    assert check.message == "not validated: the document holds a number too large to read"


def test_non_string_keys_do_not_break_validation():
    checks = _broken(lambda b: b["credentialSubject"].update({1: "one", None: "none"}, type=[]))
    assert [(c.id, c.details["validator"]) for c in checks] == [
        ("schema.credential_subject", "minItems"),
        ("schema.credential_subject", "contains"),
    ]
    assert checks[0].message == "credentialSubject.type must have at least 1 item, not 0"


def _both_verdicts(document: dict) -> tuple[bool, bool]:
    from vc import schema as module
    from vc.schema import _validators

    target = module._target(document)
    if not isinstance(target, str):  # a mutation made it no OB3 credential: nothing to compare
        return True, True
    instance = dict(document)
    if isinstance(instance.get("proof"), dict):
        instance["proof"] = [instance["proof"]]
    fast = _validators.fast_validators()[target](instance)
    full = not list(_validators.validators()[target].iter_errors(instance))
    return fast, full


def test_fast_and_full_validators_agree_on_every_fixture():
    from pathlib import Path

    from tests.builders import badge
    from tests.conftest import VECTORS
    from vc import schema as module

    documents = [badge(), badge("eddsa-jcs-2022")]
    for folder in ("openbadges3/examples", "openbadges3/validator-test-resources"):
        for path in sorted(Path(VECTORS / folder).rglob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(document, dict) and isinstance(module._target(document), str):
                documents.append(document)
    assert len(documents) > 20
    for document in documents:
        fast, full = _both_verdicts(document)
        assert fast == full, document.get("id")


def _mutations():
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 5),
        st.text(max_size=8),
        st.sampled_from(
            [
                "2024-01-01T00:00:00Z",
                "2024-13-01T00:00:00Z",
                "2024-02-30",
                "Profile",
                ["Profile"],
                [],
            ]
        ),
    )
    return st.recursive(
        scalars,
        lambda c: st.one_of(
            st.lists(c, max_size=3), st.dictionaries(st.text(max_size=6), c, max_size=3)
        ),
        max_leaves=6,
    )


def _schema_bases() -> list[dict]:
    # A badge of each era, an endorsement, and the richest official example.
    from pathlib import Path

    from tests.builders import badge
    from tests.conftest import VECTORS
    from vc import schema as module

    bases = [badge()]
    for folder in ("openbadges3/examples", "openbadges3/validator-test-resources"):
        for path in sorted(Path(VECTORS / folder).rglob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(document, dict) and _both_verdicts(document) == (True, True):
                target = module._target(document)
                if isinstance(target, str) and target not in {module._target(b) for b in bases}:
                    bases.append(document)
    bases.append(max(_valid_examples(), key=lambda d: len(json.dumps(d))))
    return bases


def _valid_examples() -> list[dict]:
    from pathlib import Path

    from tests.conftest import VECTORS
    from vc import schema as module

    found = []
    for path in sorted(Path(VECTORS / "openbadges3").rglob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if (
            isinstance(document, dict)
            and isinstance(module._target(document), str)
            and _both_verdicts(document) == (True, True)
        ):
            found.append(document)
    return found


def test_fast_validator_never_passes_what_jsonschema_fails():
    # Up to three edits (a value replaced, or a member or item removed) anywhere in a
    # badge of either era, an endorsement or the richest official example: the typed
    # rules (vc/schema/_rules.py) and jsonschema give the same answer on each.
    import copy

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    bases = _schema_bases()
    assert len(bases) >= 4

    def paths(node, prefix=()):
        yield prefix
        if isinstance(node, dict):
            for key, value in node.items():
                yield from paths(value, (*prefix, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from paths(value, (*prefix, index))

    all_paths = [[p for p in paths(base) if p] for base in bases]
    edit = st.tuples(st.integers(0, 10**6), st.booleans(), _mutations())

    @settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(which=st.integers(0, len(bases) - 1), edits=st.lists(edit, min_size=1, max_size=3))
    def check(which, edits):
        document = copy.deepcopy(bases[which])
        for at, remove, value in edits:
            path = all_paths[which][at % len(all_paths[which])]
            node = document
            try:
                for step in path[:-1]:
                    node = node[step]
                if remove:
                    del node[path[-1]]
                else:
                    node[path[-1]] = value
            except (KeyError, IndexError, TypeError):
                continue  # an earlier edit changed what this path leads to
        fast, full = _both_verdicts(document)
        assert fast == full

    check()


def test_several_status_entries_are_each_validated():
    from tests.builders import unsigned_badge

    document = unsigned_badge()
    entry = {
        "id": "https://issuer.example/status/revocation/1#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": "https://issuer.example/status/revocation/1",
    }
    document["credentialStatus"] = [entry, {**entry, "statusPurpose": "suspension"}]
    assert [(c.id, c.status.value) for c in check_schema(document)] == [("schema", "passed")]
    document["credentialStatus"] = [entry, {"id": "https://issuer.example/x"}]
    assert {c.id for c in check_schema(document) if c.status.value == "failed"} == {
        "schema.credential_status"
    }
