from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import cli
from tests.builders import ISSUER, MALLORY, badge
from verifier.trust import TrustRegistry, TrustRegistryError


def test_csv_and_json_registries(tmp_path):
    csv_file = tmp_path / "trusted.csv"
    csv_file.write_text(f"did,name,note\n{ISSUER.did},Riverside,district\n", encoding="utf-8")
    json_file = tmp_path / "trusted.json"
    json_file.write_text(json.dumps([{"did": ISSUER.did, "name": "Riverside"}]), encoding="utf-8")
    for path in (csv_file, json_file):
        registry = TrustRegistry.from_file(path)
        assert registry.name_of(ISSUER.did) == "Riverside"
        assert registry.name_of(MALLORY.did) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("name\nRiverside\n", "csv"),
        ("did,name\nnot-a-did,x\n", "csv"),
        ("{", "json"),
        ('{"did": "did:example:x"}', "json"),
        ('[{"name": "no did"}]', "json"),
    ],
)
def test_bad_registries(text, kind):
    with pytest.raises(TrustRegistryError):
        TrustRegistry.from_text(text, kind)


def test_verify_with_a_registry(tmp_path):
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(badge()), encoding="utf-8")
    known = tmp_path / "known.csv"
    known.write_text(f"did,name\n{ISSUER.did},Riverside\n", encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text(f"did,name\n{MALLORY.did},Someone\n", encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(cli, ["verify", "--json", "--trust", str(known), str(path)])
    assert ok.exit_code == 0, ok.output
    assert {
        "id": "trust",
        "status": "passed",
        "message": "a recognized issuer: Riverside",
    } in json.loads(ok.output)["checks"]
    unknown = runner.invoke(
        cli, ["verify", "--json", str(path)], env={"LAUREL_TRUST_REGISTRY": str(other)}
    )
    assert unknown.exit_code == 1
    assert [c["id"] for c in json.loads(unknown.output)["checks"] if c["status"] == "failed"] == [
        "trust.unknown_issuer"
    ]
    broken = tmp_path / "broken.csv"
    broken.write_text("name\nx\n", encoding="utf-8")
    bad = runner.invoke(cli, ["verify", "--trust", str(broken), str(path)])
    assert bad.exit_code == 1
    assert "did column" in bad.output
