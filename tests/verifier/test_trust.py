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


# --- the service: `laurel serve --trust` applies to the API as to the page -------------------


def _service(registry: TrustRegistry | None):
    from vc.did import DidResolver
    from verifier.app import create_app

    return create_app(resolver=DidResolver(), testing=True, trust=registry).test_client()


def _trust_checks(results) -> list[tuple[str, str]]:
    # The VC-API body lists check ids; its `results` holds each check and each credential's.
    found = [(c["id"], c["status"]) for c in results["checks"] if c["id"].startswith("trust")]
    for credential in results.get("credentials", []):
        found += _trust_checks(credential)
    return found


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
def test_credentials_verify_checks_the_served_registry(suite):
    # The fast route answers jcs and rdfc badges alike ahead of Flask; both read the registry.
    known = TrustRegistry.from_text(f"did,name\n{ISSUER.did},Riverside\n", "csv")
    other = TrustRegistry.from_text(f"did,name\n{MALLORY.did},Someone\n", "csv")
    request = {"verifiableCredential": badge(suite)}

    recognized = _service(known).post("/credentials/verify", json=request)
    assert recognized.status_code == 200
    assert _trust_checks(recognized.get_json()["results"]) == [("trust", "passed")]

    unknown = _service(other).post("/credentials/verify", json=request)
    assert unknown.status_code == 422
    assert _trust_checks(unknown.get_json()["results"]) == [("trust.unknown_issuer", "failed")]
    assert unknown.get_json()["errors"] == ["trust.unknown_issuer"]
    assert "Riverside" in recognized.get_json()["verdict"]["sentence"]

    unset = _service(None).post("/credentials/verify", json=request)
    assert unset.status_code == 200
    assert _trust_checks(unset.get_json()["results"]) == [("trust", "warning")]


def test_presentations_verify_checks_the_served_registry():
    from tests.builders import presentation

    other = TrustRegistry.from_text(f"did,name\n{MALLORY.did},Someone\n", "csv")
    vp = presentation([badge()])
    answer = _service(other).post(
        "/presentations/verify",
        json={
            "verifiablePresentation": vp,
            "options": {"challenge": "c-1234", "domain": "hiring.example"},
        },
    )
    assert answer.status_code == 422
    assert ("trust.unknown_issuer", "failed") in _trust_checks(answer.get_json()["results"])


def test_serve_help_says_the_registry_applies_to_the_api():
    shown = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "checked by the API and the page" in " ".join(shown.split())
