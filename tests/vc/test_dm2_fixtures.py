"""The W3C VC 2.0 test-suite inputs: every -ok passes `format`, every -fail fails it, by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import VECTORS
from vc.model import check_format, document_kind
from vc.results import Status

ROOT = VECTORS / "vc-dm2-test-suite-inputs"
# The suite fills these in at run time (tests/input/*validUntil-validFrom*).
PLACEHOLDERS = {'"PAST DATE"': '"2020-01-01T00:00:00Z"', '"FUTURE DATE"': '"2099-01-01T00:00:00Z"'}

#: What each -fail fixture must fail with (the set of failed check ids).
EXPECTED_FAILURES = {
    "credential-context-combo3-fail.json": ["format.context"],
    "credential-context-combo4-fail.json": ["format.context"],
    "credential-evidence-missing-type-fail.json": ["format.evidence"],
    "credential-id-multi-fail.json": ["format.id", "format.jsonld"],
    "credential-id-nonidentifier-fail.json": ["format.id", "format.jsonld"],
    "credential-id-not-url-fail.json": ["format.id"],
    "credential-id-subject-multi-fail.json": ["format.credential_subject", "format.jsonld"],
    "credential-issuer-no-url-fail.json": ["format.issuer"],
    "credential-issuer-null-fail.json": ["format.issuer", "format.not_compacted"],
    "credential-issuer-object-id-no-url-fail.json": ["format.issuer"],
    "credential-issuer-object-id-null-fail.json": ["format.issuer", "format.jsonld"],
    "credential-missing-base-context-fail-or-inject.json": ["format.context"],
    "credential-missing-required-type-fail.json": ["format.type"],
    "credential-no-context-fail-or-inject.json": ["format.context"],
    "credential-no-issuer-fail.json": ["format.credential_subject"],
    "credential-no-subject-fail.json": ["format.credential_subject"],
    "credential-no-type-fail.json": ["format.type", "format.undefined_term"],
    "credential-proof-missing-type-fail.json": ["format.proof"],
    "credential-redef-type-fail.json": ["format.jsonld"],
    "credential-redef-type2-fail.json": ["format.jsonld"],
    "credential-refresh-no-type-fail.json": ["format.refresh_service"],
    "credential-schema-no-id-fail.json": ["format.credential_schema"],
    "credential-schema-no-type-fail.json": ["format.credential_schema"],
    "credential-schema-non-url-id-fail.json": ["format.credential_schema"],
    "credential-status-missing-type-fail.json": ["format.credential_status"],
    "credential-status-multiple-id-fail.json": ["format.credential_status", "format.jsonld"],
    "credential-status-nonurl-id-fail.json": ["format.credential_status"],
    "credential-status-type-nonurl-fail.json": ["format.credential_status", "format.jsonld"],
    "credential-subject-multiple-empty-fail.json": ["format.credential_subject"],
    "credential-subject-no-claims-fail.json": ["format.credential_subject"],
    "credential-termsofuse-missing-type-fail.json": ["format.terms_of_use"],
    "credential-termsofuse-no-type-fail.json": ["format.terms_of_use"],
    "credential-type-mapped-nonurl-fail.json": ["format.jsonld"],
    "credential-type-unmapped-fail.json": ["format.jsonld"],
    "credential-validUntil-validFrom-fail.json": ["format.validity_dates"],
    "credential-validfrom-invalid-fail.json": ["format.validity_dates"],
    "credential-validuntil-invalid-fail.json": ["format.validity_dates"],
    "names-and-descriptions/credential-description-extra-prop-en-fail.json": [
        "format.name_description",
        "format.undefined_term",
    ],
    "names-and-descriptions/credential-name-extra-prop-en-fail.json": [
        "format.name_description",
        "format.undefined_term",
    ],
    "names-and-descriptions/issuer-description-extra-prop-en-fail.json": [
        "format.name_description",
        "format.undefined_term",
    ],
    "names-and-descriptions/issuer-name-extra-prop-en-fail.json": [
        "format.name_description",
        "format.undefined_term",
    ],
    "presentation-context-order-fail.json": ["format.context"],
    "presentation-enveloped-vc-missing-type-fail.json": ["format.enveloped"],
    "presentation-holder-fail.json": ["format.holder"],
    "presentation-holder-name-fail.json": ["format.holder"],
    "presentation-holder-object-fail.json": ["format.holder"],
    "presentation-missing-base-context-fail.json": ["format.context"],
    "presentation-missing-required-type-fail.json": ["format.type"],
    "presentation-no-context-fail-or-inject.json": ["format.context"],
    "presentation-no-type-fail.json": ["format.type"],
    "presentation-vc-as-string-fail.json": ["format.verifiable_credential"],
    "presentation-vc-missing-required-type-fail.json": [
        "format.not_compacted",  # its credential's "type": [] (RDF holds no empty list)
        "format.undefined_term",
        "format.verifiable_credential",
    ],
}


def _load(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return json.loads(text)


def _named(suffixes: tuple[str, ...]) -> list[str]:
    return sorted(
        str(p.relative_to(ROOT)) for p in ROOT.rglob("*.json") if p.name.endswith(suffixes)
    )


OK = _named(("-ok.json",))
FAIL = _named(("-fail.json", "-fail-or-inject.json"))


def test_the_suite_has_117_named_fixtures():
    assert len(OK) + len(FAIL) == 117
    assert sorted(EXPECTED_FAILURES) == FAIL


@pytest.mark.parametrize("name", OK)
def test_ok_fixture_passes_format(name):
    results = check_format(_load(ROOT / name))
    assert [(c.id, c.status) for c in results] == [("format", Status.PASSED)], [
        c.message for c in results
    ]


@pytest.mark.parametrize("name", FAIL)
def test_fail_fixture_fails_format_by_name(name):
    results = check_format(_load(ROOT / name))
    failed = sorted({c.id for c in results if c.status is Status.FAILED})
    assert failed == EXPECTED_FAILURES[name]


@pytest.mark.parametrize(
    "name", sorted(p.name for p in ROOT.glob("presentation-self-asserted-vc-*.json"))
)
def test_unsuffixed_self_asserted_fixtures_get_a_verdict(name):
    document = _load(ROOT / name)
    assert document_kind(document) == "presentation"
    assert check_format(document)
