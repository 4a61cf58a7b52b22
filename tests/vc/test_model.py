from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import VECTORS
from vc.jsontext import parse_document
from vc.model import check_format, document_kind
from vc.results import Status

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
SUITE = "vc-dm2-test-suite-inputs"

# The W3C VC 2.0 test suite's inputs, by outcome. A file named *-fail or
# *-fail-or-inject maps to the check that must report it.
EXPECTED_FAILURES = {
    "credential-context-combo3-fail.json": "format.context",
    "credential-context-combo4-fail.json": "format.context",
    "credential-evidence-missing-type-fail.json": "format.evidence",
    "credential-id-multi-fail.json": "format.id",
    "credential-id-nonidentifier-fail.json": "format.id",
    "credential-id-not-url-fail.json": "format.id",
    "credential-id-subject-multi-fail.json": "format.credential_subject",
    "credential-issuer-no-url-fail.json": "format.issuer",
    "credential-issuer-null-fail.json": "format.issuer",
    "credential-issuer-object-id-no-url-fail.json": "format.issuer",
    "credential-issuer-object-id-null-fail.json": "format.issuer",
    "credential-missing-base-context-fail-or-inject.json": "format.context",
    "credential-missing-required-type-fail.json": "format.type",
    "credential-no-context-fail-or-inject.json": "format.context",
    # Named for its missing issuer, but an input may omit it (the issuer adds
    # one); its empty credentialSubject is what makes it invalid.
    "credential-no-issuer-fail.json": "format.credential_subject",
    "credential-no-subject-fail.json": "format.credential_subject",
    "credential-no-type-fail.json": "format.type",
    "credential-proof-missing-type-fail.json": "format.proof",
    "credential-redef-type-fail.json": "format.jsonld",
    "credential-redef-type2-fail.json": "format.jsonld",
    "credential-refresh-no-type-fail.json": "format.refresh_service",
    "credential-schema-no-id-fail.json": "format.credential_schema",
    "credential-schema-no-type-fail.json": "format.credential_schema",
    "credential-schema-non-url-id-fail.json": "format.credential_schema",
    "credential-status-missing-type-fail.json": "format.credential_status",
    "credential-status-multiple-id-fail.json": "format.credential_status",
    "credential-status-nonurl-id-fail.json": "format.credential_status",
    "credential-status-type-nonurl-fail.json": "format.credential_status",
    "credential-subject-multiple-empty-fail.json": "format.credential_subject",
    "credential-subject-no-claims-fail.json": "format.credential_subject",
    "credential-termsofuse-missing-type-fail.json": "format.terms_of_use",
    "credential-termsofuse-no-type-fail.json": "format.terms_of_use",
    "credential-type-mapped-nonurl-fail.json": "format.jsonld",
    # {"@vocab": null} with no vocabulary set: pyld 3.3.0 raises KeyError.
    "credential-type-unmapped-fail.json": "format.jsonld",
    "credential-validUntil-validFrom-fail.json": "format.validity_dates",
    "credential-validfrom-invalid-fail.json": "format.validity_dates",
    "credential-validuntil-invalid-fail.json": "format.validity_dates",
    "names-and-descriptions/credential-description-extra-prop-en-fail.json": "format.name_description",
    "names-and-descriptions/credential-name-extra-prop-en-fail.json": "format.name_description",
    "names-and-descriptions/issuer-description-extra-prop-en-fail.json": "format.name_description",
    "names-and-descriptions/issuer-name-extra-prop-en-fail.json": "format.name_description",
    "presentation-context-order-fail.json": "format.context",
    "presentation-enveloped-vc-missing-type-fail.json": "format.enveloped",
    "presentation-holder-fail.json": "format.holder",
    "presentation-holder-name-fail.json": "format.holder",
    "presentation-holder-object-fail.json": "format.holder",
    "presentation-missing-base-context-fail.json": "format.context",
    "presentation-missing-required-type-fail.json": "format.type",
    "presentation-no-context-fail-or-inject.json": "format.context",
    "presentation-no-type-fail.json": "format.type",
    "presentation-vc-as-string-fail.json": "format.verifiable_credential",
    "presentation-vc-missing-required-type-fail.json": "format.verifiable_credential",
}

# No outcome in their names: the issuer/holder relation they test is the
# presentation group's business; structurally each is a valid presentation.
SELF_ASSERTED = [
    "presentation-self-asserted-vc-holder-mismatch.json",
    "presentation-self-asserted-vc-issuer-mismatch.json",
    "presentation-self-asserted-vc-no-holder.json",
    "presentation-self-asserted-vc-ok.json",
]


def _suite_files(suffixes: tuple[str, ...]) -> list[str]:
    root = VECTORS / SUITE
    return sorted(
        str(path.relative_to(root)) for path in root.rglob("*.json") if path.name.endswith(suffixes)
    )


OK_FILES = _suite_files(("-ok.json",))
FAIL_FILES = _suite_files(("-fail.json", "-fail-or-inject.json"))


def _load(vector, name: str) -> dict:
    document = parse_document(vector(f"{SUITE}/{name}").read_bytes())
    # The suite fills these placeholders in before use (assertions.js,
    # testTemporality: now -1 and +1 year); format checks do not read the clock.
    dates = {"PAST DATE": "2025-06-01T00:00:00Z", "FUTURE DATE": "2027-06-01T00:00:00Z"}
    for key in ("validFrom", "validUntil"):
        if document.get(key) in dates:
            document[key] = dates[document[key]]
    return document


def _credential(**changes: object) -> dict:
    document: dict = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    document.update(changes)
    return {k: v for k, v in document.items() if v is not _DROP}


def _presentation(**changes: object) -> dict:
    document: dict = {"@context": [V2], "type": ["VerifiablePresentation"]}
    document.update(changes)
    return {k: v for k, v in document.items() if v is not _DROP}


_DROP = object()


def _failed(results) -> list[str]:
    assert results, "check_format must never return an empty list"
    return [r.id for r in results if r.status is Status.FAILED]


def _assert_sane(results) -> None:
    for result in results:
        json.dumps(result.to_json())
        assert len(result.message) <= 200, result.message
        assert result.id == "format" or result.id.startswith("format.")


def _passes(results) -> bool:
    return [(r.id, r.status) for r in results] == [("format", Status.PASSED)]


# --- the W3C test-suite inputs -------------------------------------------------------


def test_the_suite_inputs_are_all_accounted_for():
    assert len(OK_FILES) + len(FAIL_FILES) == 117
    assert set(FAIL_FILES) == set(EXPECTED_FAILURES)
    others = _suite_files((".json",))
    assert sorted(set(others) - set(OK_FILES) - set(FAIL_FILES)) == SELF_ASSERTED[:3]


@pytest.mark.parametrize("name", OK_FILES, ids=[Path(n).stem for n in OK_FILES])
def test_valid_suite_input_passes(vector, name):
    results = check_format(_load(vector, name))
    assert _passes(results), [r.to_json() for r in results]


@pytest.mark.parametrize("name", FAIL_FILES, ids=[Path(n).stem for n in FAIL_FILES])
def test_invalid_suite_input_fails_the_named_check(vector, name):
    results = check_format(_load(vector, name))
    _assert_sane(results)
    assert all(r.status is Status.FAILED for r in results)
    assert EXPECTED_FAILURES[name] in _failed(results)


@pytest.mark.parametrize("name", SELF_ASSERTED, ids=[Path(n).stem for n in SELF_ASSERTED])
def test_self_asserted_presentations_are_well_formed(vector, name):
    assert _passes(check_format(_load(vector, name)))


def test_unfilled_date_placeholders_fail(vector):
    raw = parse_document(vector(f"{SUITE}/credential-validUntil-validFrom-ok.json").read_bytes())
    assert _failed(check_format(raw)) == ["format.validity_dates", "format.validity_dates"]


def test_embedded_credential_failure_names_its_index_and_check(vector):
    results = check_format(_load(vector, "presentation-vc-missing-required-type-fail.json"))
    embedded = next(r for r in results if r.id == "format.verifiable_credential")
    assert embedded.details["index"] == 0
    assert embedded.details["check"] == "format.type"
    assert embedded.details["path"] == "verifiableCredential[0].type"
    assert embedded.message.startswith("verifiableCredential[0]: ")


def test_a_bad_url_is_reported_once_not_again_as_an_undefined_term(vector):
    results = check_format(_load(vector, "credential-issuer-no-url-fail.json"))
    assert _failed(results) == ["format.issuer"]


def test_all_problems_are_reported_not_only_the_first():
    document = _credential(
        id=5,
        issuer=None,
        credentialSubject=[],
        validFrom="yesterday",
        credentialStatus={"id": "nope"},
        proof="z123",
    )
    failed = _failed(check_format(document))
    for check in (
        "format.id",
        "format.issuer",
        "format.credential_subject",
        "format.validity_dates",
        "format.credential_status",
        "format.proof",
    ):
        assert check in failed


# --- credentials: each rule --------------------------------------------------------------


def test_minimal_credential_passes():
    results = check_format(_credential())
    assert _passes(results)
    assert results[0].message == "a well-formed VC Data Model 2.0 credential"


@pytest.mark.parametrize(
    "subject",
    [
        "did:example:subject",
        42,
        None,
        True,
        ["did:example:a"],
        [{"id": "did:example:a"}, 3],
        {},
        [],
    ],
)
def test_non_object_or_empty_credential_subject_fails(subject):
    results = check_format(_credential(credentialSubject=subject))
    _assert_sane(results)
    assert "format.credential_subject" in _failed(results)


def test_credential_subject_with_only_a_context_makes_no_claims():
    failed = _failed(check_format(_credential(credentialSubject={"@context": V2})))
    assert "format.credential_subject" in failed


@pytest.mark.parametrize("subject_id", [7, None, ["did:a:b"], {"id": "did:a:b"}, "alice"])
def test_credential_subject_id_must_be_one_url(subject_id):
    failed = _failed(check_format(_credential(credentialSubject={"id": subject_id})))
    assert "format.credential_subject" in failed


def test_missing_credential_subject_fails():
    assert _failed(check_format(_credential(credentialSubject=_DROP))) == [
        "format.credential_subject"
    ]


@pytest.mark.parametrize(
    "issuer",
    [
        None,
        7,
        1.5,
        False,
        [],
        ["did:example:a"],
        "issuer",
        "",
        {"id": None},
        {"id": 3},
        {"id": ["did:a:b"]},
    ],
)
def test_bad_issuer_fails(issuer):
    results = check_format(_credential(issuer=issuer))
    _assert_sane(results)
    assert "format.issuer" in _failed(results)


@pytest.mark.parametrize(
    "issuer", ["did:example:issuer", "https://example.edu", {"id": "urn:uuid:1"}]
)
def test_url_or_identified_object_issuer_passes(issuer):
    assert _passes(check_format(_credential(issuer=issuer), require_issuer=True))


def test_issuer_is_optional_unless_required():
    assert _passes(check_format(_credential(issuer=_DROP)))
    assert _passes(check_format(_credential(issuer={"name": "Example University"})))
    assert _failed(check_format(_credential(issuer=_DROP), require_issuer=True)) == [
        "format.issuer"
    ]
    assert _failed(check_format(_credential(issuer={"name": "Uni"}), require_issuer=True)) == [
        "format.issuer"
    ]


@pytest.mark.parametrize(
    "value", [None, 3, [], [7], ["VerifiableCredential", 7], [""], {"a": 1}, "", ["Other"]]
)
def test_bad_type_fails(value):
    results = check_format(_credential(type=value))
    _assert_sane(results)
    assert "format.type" in _failed(results)


def test_type_may_be_a_single_string():
    assert _passes(check_format(_credential(type="VerifiableCredential")))


def test_both_credential_and_presentation_types_fail():
    document = _credential(type=["VerifiableCredential", "VerifiablePresentation"])
    assert "format.type" in _failed(check_format(document))
    assert document_kind(document) == "unknown"


@pytest.mark.parametrize(
    "value", [7, None, ["urn:a", "urn:b"], {"id": "urn:a"}, "not a url", "urn:"]
)
def test_credential_id_must_be_one_url(value):
    assert "format.id" in _failed(check_format(_credential(id=value)))


@pytest.mark.parametrize(
    "url",
    ["did:example:123", "urn:uuid:9c9a36f8-518f-4976-a934-6649502d0008", "https://a.example/x?y#z"],
)
def test_any_absolute_url_is_an_id(url):
    assert _passes(check_format(_credential(id=url)))


@pytest.mark.parametrize(
    "url",
    [
        "https ://x.example",
        "https://x.example/a b",
        "https://x\n.example",
        "//x.example",
        "1http://x",
    ],
)
def test_strings_with_spaces_or_no_scheme_are_not_urls(url):
    assert "format.id" in _failed(check_format(_credential(id=url)))


# --- @context ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "context",
    [None, 5, "", [], {}, [5], [None], [V2, None], [V2, 5], [V2, [V2]], [EXAMPLES, V2], V2 + "/"],
)
def test_bad_context_fails(context):
    results = check_format(_credential(**{"@context": context}))
    _assert_sane(results)
    assert "format.context" in _failed(results)


def test_context_may_be_the_v2_url_alone():
    assert _passes(check_format(_credential(**{"@context": V2})))


def test_vc_1_1_documents_are_checked_with_the_1_1_rules():
    document = _credential(**{"@context": ["https://www.w3.org/2018/credentials/v1"]})
    # VC 1.1, "Issuance Date": a credential MUST have an issuanceDate.
    results = check_format(document)
    assert _failed(results) == ["format.validity_dates"]
    assert "issuanceDate" in results[0].message
    document["issuanceDate"] = "2024-01-01T00:00:00Z"
    results = check_format(document)
    assert _passes(results)
    assert "VC Data Model 1.1" in results[0].message
    document["expirationDate"] = "2023-01-01T00:00:00Z"
    assert _failed(check_format(document)) == ["format.validity_dates"]


def test_vc_1_1_and_2_0_base_contexts_together_are_refused():
    both = ["https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/v2"]
    document = _credential(**{"@context": both, "issuanceDate": "2024-01-01T00:00:00Z"})
    assert "format.context" in _failed(check_format(document))


def test_unbundled_context_is_reported_by_url_and_never_fetched(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    document = _credential(**{"@context": [V2, "https://attacker.example/ctx.jsonld"]})
    results = check_format(document)
    assert _failed(results) == ["format.context"]
    assert results[0].details["context"] == "https://attacker.example/ctx.jsonld"


@pytest.mark.parametrize(
    "nested",
    [
        {"@context": "relative"},
        {"@context": ""},
        {"@context": ["https://attacker.example/ctx"]},
        {"@context": {"term": {"@id": "https://a.example/t", "@context": "@list"}}},
        {"@context": {"@import": "other"}},
        {"@context": {"@context": "en"}},
    ],
)
def test_context_references_anywhere_must_be_bundled(nested):
    # pyld raises ValueError (not JsonLdError) on a relative context reference.
    document = _credential(credentialSubject={"id": "did:example:s", "detail": nested})
    results = check_format(document)
    _assert_sane(results)
    assert "format.context" in _failed(results)


@pytest.mark.parametrize(
    "context",
    [{"@foo": "https://a.example/foo"}, {"foo": "@bar"}, {"foo": {"@reverse": "@bar"}}],
)
def test_terms_json_ld_reserves_are_refused_not_warned_about(context):
    # pyld would warnings.warn() and ignore them; pytest turns warnings into errors.
    results = check_format(_credential(**{"@context": [V2, context]}))
    assert _failed(results) == ["format.context"]


@pytest.mark.parametrize("keyword", ["@vocab", "@language", "@direction"])
def test_unsetting_an_unset_default_is_a_failure_not_a_crash(keyword):
    # pyld 3.3.0 raises KeyError for these no-ops.
    results = check_format(_credential(**{"@context": [V2, {keyword: None}]}))
    assert _failed(results) == ["format.jsonld"]
    assert keyword in results[0].message


def test_unsetting_a_vocabulary_that_is_set_is_fine():
    document = _credential(**{"@context": [V2, EXAMPLES, {"@vocab": None}]})
    assert _passes(check_format(document))


def test_protected_term_redefinition_fails_as_jsonld():
    context = [V2, {"VerifiableCredential": "https://attacker.example/#VC"}]
    assert _failed(check_format(_credential(**{"@context": context}))) == ["format.jsonld"]


# --- undefined terms ---------------------------------------------------------------------


def test_undefined_terms_are_named():
    document = _credential(credentialSubject={"id": "did:example:s", "grade": "A"})
    results = check_format(document)
    assert _failed(results) == ["format.undefined_term"]
    assert "'grade'" in results[0].message
    assert results[0].details["terms"] == ["grade"]


def test_many_undefined_terms_are_summarised():
    claims = {f"claim{i}": i for i in range(30)}
    results = check_format(_credential(credentialSubject={"id": "did:example:s", **claims}))
    assert _failed(results) == ["format.undefined_term"]
    assert "and 27 more" in results[0].message
    assert len(results[0].details["terms"]) == 10


def test_terms_under_an_examples_vocabulary_are_defined():
    document = _credential(
        **{"@context": [V2, EXAMPLES]}, credentialSubject={"id": "did:example:s", "grade": "A"}
    )
    assert _passes(check_format(document))


def test_undefined_type_fails():
    assert _failed(check_format(_credential(type=["VerifiableCredential", "MadeUp"]))) == [
        "format.undefined_term"
    ]


def test_terms_inside_a_proof_are_left_to_the_proof_check():
    proof = {"type": "DataIntegrityProof", "madeUp": "x"}
    assert _passes(check_format(_credential(proof=proof)))


# --- validity dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    [
        "2024-01-01T00:00:00Z",
        "2024-02-29T12:00:00+14:00",
        "2000-02-29T00:00:00-14:00",
        "2024-01-01T00:00:00.123456789Z",
        "2024-12-31T24:00:00Z",
        "4023-02-26T01:02:58.447Z",
        "12024-01-01T00:00:00Z",
        "-0044-03-15T12:00:00Z",
        "0000-01-01T00:00:00Z",
    ],
)
def test_date_time_stamps_pass(stamp):
    assert _passes(check_format(_credential(validFrom=stamp)))


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-01T00:00:00",  # no time zone
        "2024-01-01",
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-01-01T24:00:01Z",
        "2016-12-31T23:59:60Z",
        "2024-01-01T00:00:00+14:01",
        "2024-01-01T00:00:00+15:00",
        "2024-01-01t00:00:00z",
        "\uff12\uff10\uff12\uff14-01-01T00:00:00Z",  # fullwidth digits
        "0024-1-01T00:00:00Z",
        "02024-01-01T00:00:00Z",
        "2024-01-01T00:00:00Z ",
        "9" * 70 + "-01-01T00:00:00Z",
        "",
        20240101,
        None,
        ["2024-01-01T00:00:00Z"],
        {"@value": "2024-01-01T00:00:00Z"},
    ],
)
def test_bad_validity_dates_fail(value):
    for key in ("validFrom", "validUntil"):
        results = check_format(_credential(**{key: value}))
        _assert_sane(results)
        assert "format.validity_dates" in _failed(results)


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "ok"),
    [
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", True),
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.0001Z", True),
        ("2024-01-01T00:00:00.5Z", "2024-01-01T00:00:00.49Z", False),
        ("2023-02-26T01:21:23Z", "2023-02-25T19:21:29-06:00", True),
        ("2023-02-26T01:21:23Z", "2023-02-25T19:21:22-06:00", False),
        ("2024-12-31T24:00:00Z", "2025-01-01T00:00:00Z", True),
        ("9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z", True),
        ("-0001-12-31T00:00:00Z", "0000-01-01T00:00:00Z", True),
    ],
)
def test_valid_until_must_not_precede_valid_from(valid_from, valid_until, ok):
    results = check_format(_credential(validFrom=valid_from, validUntil=valid_until))
    assert _passes(results) is ok
    if not ok:
        assert _failed(results) == ["format.validity_dates"]


# --- names, descriptions, typed objects --------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        3,
        None,
        {"@value": 3},
        {"@language": "en"},
        {"@value": "x", "@language": "not a tag"},
        {"@value": "x", "@direction": "up"},
        {"@value": "x", "@type": "https://a.example/t"},
        ["ok", 5],
        [["nested"]],
    ],
)
def test_bad_names_and_descriptions_fail(value):
    for key in ("name", "description"):
        results = check_format(_credential(**{key: value}))
        _assert_sane(results)
        assert "format.name_description" in _failed(results)
        issuer = {"id": "did:example:issuer", key: value}
        assert "format.name_description" in _failed(check_format(_credential(issuer=issuer)))


@pytest.mark.parametrize(
    ("key", "check"),
    [
        ("credentialStatus", "format.credential_status"),
        ("credentialSchema", "format.credential_schema"),
        ("evidence", "format.evidence"),
        ("refreshService", "format.refresh_service"),
        ("termsOfUse", "format.terms_of_use"),
        ("renderMethod", "format.render_method"),
        ("confidenceMethod", "format.confidence_method"),
        ("relatedResource", "format.related_resource"),
        ("proof", "format.proof"),
    ],
)
@pytest.mark.parametrize(
    "value", ["did:example:x", 3, None, [], [5], [{}], {"type": 7}, {"type": []}]
)
def test_typed_objects_need_an_object_with_a_type(key, check, value):
    results = check_format(_credential(**{key: value}))
    _assert_sane(results)
    assert check in _failed(results)


def test_credential_schema_needs_a_url_id():
    schema = {"type": "JsonSchema", "id": "https://example.org/schema.json"}
    assert _passes(check_format(_credential(credentialSchema=schema)))
    assert "format.credential_schema" in _failed(
        check_format(_credential(credentialSchema={"type": "JsonSchema"}))
    )


def test_related_resources_need_unique_ids_and_a_digest():
    good = {"id": "https://a.example/logo.png", "digestSRI": "sha384-abc"}
    assert _passes(check_format(_credential(relatedResource=[good])))
    for bad in (
        [{"id": "https://a.example/logo.png"}],
        [good, good],
        [{"digestSRI": "sha384-abc"}],
        [{"id": "https://a.example/x", "digestMultibase": 5}],
    ):
        assert "format.related_resource" in _failed(check_format(_credential(relatedResource=bad)))


# --- presentations -----------------------------------------------------------------------


def test_minimal_presentation_passes():
    results = check_format(_presentation())
    assert _passes(results)
    assert results[0].message == "a well-formed VC Data Model 2.0 presentation"


@pytest.mark.parametrize(
    "holder", [None, 3, "z6MkpJy", {}, {"name": "Acme"}, {"id": None}, ["did:example:h"]]
)
def test_bad_holder_fails(holder):
    assert "format.holder" in _failed(check_format(_presentation(holder=holder)))


@pytest.mark.parametrize("embedded", ["eyJhbGciOi.x.y", 3, None, [None], [], [[_credential()]]])
def test_embedded_credentials_must_be_objects(embedded):
    results = check_format(_presentation(verifiableCredential=embedded))
    _assert_sane(results)
    assert "format.verifiable_credential" in _failed(results)


def test_a_single_embedded_credential_object_passes():
    assert _passes(check_format(_presentation(verifiableCredential=_credential())))


def test_embedded_credentials_are_checked_and_need_an_issuer():
    embedded = [_credential(), _credential(issuer=_DROP), _credential(validFrom="soon")]
    results = check_format(_presentation(verifiableCredential=embedded))
    assert {(r.details["index"], r.details["check"]) for r in results} == {
        (1, "format.issuer"),
        (2, "format.validity_dates"),
    }
    assert all(r.id == "format.verifiable_credential" for r in results)


def test_embedded_credential_contexts_are_checked():
    embedded = _credential(**{"@context": [V2, "https://attacker.example/ctx"]})
    results = check_format(_presentation(verifiableCredential=[embedded]))
    assert _failed(results) == ["format.context"]
    assert results[0].details["path"] == "verifiableCredential[0].@context[1]"


def test_enveloped_credentials_need_type_and_data_url():
    good = {
        "@context": V2,
        "type": "EnvelopedVerifiableCredential",
        "id": "data:application/vc+jwt,eyJ",
    }
    assert _passes(check_format(_presentation(verifiableCredential=[good])))
    for bad in (
        {**good, "id": "https://a.example/vc"},
        {**good, "id": 3},
        {**good, "@context": []},
    ):
        results = check_format(_presentation(verifiableCredential=[bad]))
        assert "format.enveloped" in _failed(results)


def test_a_top_level_envelope_is_well_formed():
    envelope = {
        "@context": [V2],
        "type": "EnvelopedVerifiablePresentation",
        "id": "data:application/vp+jwt,eyJ",
    }
    assert _passes(check_format(envelope))
    assert _failed(check_format({**envelope, "id": "urn:x"})) == ["format.enveloped"]


# --- odd input never escapes as an exception ---------------------------------------------


def test_document_kind():
    assert document_kind(_credential()) == "credential"
    assert document_kind(_presentation()) == "presentation"
    assert document_kind({"type": 5}) == "unknown"
    assert document_kind({}) == "unknown"


def test_a_non_object_is_a_programming_error():
    with pytest.raises(TypeError):
        check_format([_credential()])  # type: ignore[arg-type]


def test_empty_object_fails_context_and_type():
    assert _failed(check_format({})) == ["format.context", "format.type"]


def test_deeply_nested_claims_do_not_crash():
    text = '{"a": ' * 60 + "1" + "}" * 60
    subject = {"id": "did:example:s", "nested": json.loads(text)}
    document = parse_document(
        json.dumps(_credential(**{"@context": [V2, EXAMPLES]}, credentialSubject=subject))
    )
    assert _passes(check_format(document))


def test_messages_quote_only_a_short_escaped_prefix():
    hostile = "\u202e" + "x" * 10_000 + "\n"
    results = check_format(_credential(id=hostile, issuer=hostile, validFrom=hostile))
    _assert_sane(results)
    for result in results:
        assert "x" * 100 not in result.message
        assert "\u202e" not in result.message
        assert "\n" not in result.message


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "x", "did:example:x", V2, "@id", "@vocab", "VerifiableCredential"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["@context", "@id", "@type", "@vocab", "type", "id", "name", "x", "@value"]
            ),
            children,
            max_size=3,
        )
    ),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    context=st.lists(_JSON, max_size=2).map(lambda extra: [V2, *extra]),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "type",
                "id",
                "issuer",
                "credentialSubject",
                "validFrom",
                "name",
                "proof",
                "holder",
                "verifiableCredential",
                "credentialStatus",
                "relatedResource",
                "@graph",
                "x",
            ]
        ),
        _JSON,
        max_size=6,
    ),
)
def test_arbitrary_json_never_raises(context, fields):
    results = check_format({"@context": context, **fields})
    _assert_sane(results)
