"""credentialSchema (1EdTechJsonSchemaValidator2019): the schema a credential names, pinned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vc.errors import LaurelError
from vc.schema import check_credential_schema
from vc.schema._validators import SCHEMA_FILES, load_schema

CORPUS = Path(__file__).resolve().parents[1] / "vectors" / "formats"
ACHIEVEMENT = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


def _fixture(name: str) -> dict:
    return json.loads((CORPUS / name).read_text())


def test_named_published_schemas_validate_real_badges():
    for name in (
        "dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-notExpired-withSchema.json",
        "dcc-vc-test-fixtures/verifiableCredentials/v2/bothSignatureTypes/didkey/legacy-noStatus-notExpired-endorsement-withSchema.json",
        "1edtech-validator/ob30/endorsement-valid.json",
    ):
        [check] = check_credential_schema(_fixture(name))
        assert (check.id, check.status.value) == ("schema.credential_schema", "passed"), name


def test_a_badge_that_breaks_the_schema_it_names_fails():
    badge = _fixture(
        "dcc-vc-test-fixtures/verifiableCredentials/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-notExpired-withSchema.json"
    )
    del badge["credentialSubject"]["achievement"]
    [check] = check_credential_schema(badge)
    assert check.status.value == "failed"
    assert "achievement" in check.message


def test_vc11_badge_is_validated_against_the_schema_of_its_era():
    badge = _fixture("1edtech-validator/ob30/simple_v1.json")
    badge["credentialSchema"] = [{"id": ACHIEVEMENT, "type": "1EdTechJsonSchemaValidator2019"}]
    [check] = check_credential_schema(badge)
    assert check.status.value == "passed"


def test_unbundled_schema_is_fetched_only_through_the_given_fetch():
    badge = {
        "credentialSchema": {
            "id": "https://state.gov/schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    }
    [check] = check_credential_schema(badge)
    assert check.status.value == "warning"
    schema = {"$schema": "https://json-schema.org/draft/2019-09/schema", "required": ["name"]}
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return json.dumps(schema).encode()

    [check] = check_credential_schema(badge, fetch=fetch)
    assert check.status.value == "failed"
    assert fetched == ["https://state.gov/schema.json"]
    [check] = check_credential_schema({**badge, "name": "x"}, fetch=fetch)
    assert check.status.value == "passed"


def test_fetched_schema_cannot_pull_in_remote_refs():
    badge = {
        "name": 1,
        "credentialSchema": {"id": "https://a.example/s.json", "type": "JsonSchema"},
    }
    schema = {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$ref": "https://evil.example/x.json",
    }
    calls: list[str] = []

    def fetch(url: str) -> bytes:
        calls.append(url)
        return json.dumps(schema).encode()

    [check] = check_credential_schema(badge, fetch=fetch)
    assert check.status.value == "warning"
    assert "does not fetch" in check.message
    assert calls == ["https://a.example/s.json"]


def test_other_schema_types_are_skipped_and_too_many_entries_fail():
    [check] = check_credential_schema(
        {"credentialSchema": {"id": "x", "type": "ZkpExampleSchema2018"}}
    )
    assert check.status.value == "skipped"
    many = [{"id": ACHIEVEMENT, "type": "JsonSchema"}] * 5
    [check] = check_credential_schema({"credentialSchema": many})
    assert check.status.value == "failed"


def test_bundled_schemas_are_pinned():
    for name in SCHEMA_FILES:
        assert load_schema(name)["$schema"]
    with pytest.raises(LaurelError):
        load_schema("schemas/unknown.json")
