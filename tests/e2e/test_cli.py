"""`laurel` from the outside: click's runner, and the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.builders import badge, presentation


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = badge()
    tampered = badge()
    tampered["credentialSubject"]["achievement"]["name"] = "Distinguished"
    out = {
        "good": good,
        "jcs": badge("eddsa-jcs-2022"),
        "tampered": tampered,
        "vp": presentation([good]),
    }
    paths = {}
    for name, document in out.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        paths[name] = path
    paths["duplicate"] = tmp_path / "duplicate.json"
    paths["duplicate"].write_text('{"a": 1, "a": 2}', encoding="utf-8")
    paths["deep"] = tmp_path / "deep.json"
    paths["deep"].write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    return paths


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_verify_json_lines_in_input_order(runner, files):
    result = runner.invoke(cli, ["verify", "--json", str(files["good"]), str(files["jcs"])])
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    assert [line["input"] for line in lines] == [str(files["good"]), str(files["jcs"])]
    assert all(line["verified"] for line in lines)
    first = lines[0]
    assert set(first) == {"input", "verified", "checks", "credential", "verdict"}
    assert first["verdict"]["tone"] == "verified"
    assert first["verdict"]["sentence"].startswith("Issued by Riverside School District on ")
    assert {"id", "status", "message"} <= set(first["checks"][0])
    assert first["credential"]["achievement"] == "Formative Assessment in Practice"


def test_verify_exit_1_when_not_verified(runner, files):
    result = runner.invoke(cli, ["verify", "--json", str(files["good"]), str(files["tampered"])])
    assert result.exit_code == 1
    lines = _lines(result.output)
    assert [line["verified"] for line in lines] == [True, False]
    failed = [c["id"] for c in lines[1]["checks"] if c["status"] == "failed"]
    assert failed == ["proof.signature_invalid"]


@pytest.mark.parametrize(
    ("name", "check"), [("duplicate", "format.duplicate_key"), ("deep", "format.too_deep")]
)
def test_verify_exit_2_for_unreadable_input_still_one_line(runner, files, name, check):
    result = runner.invoke(cli, ["verify", "--json", str(files["good"]), str(files[name])])
    assert result.exit_code == 2
    lines = _lines(result.output)
    assert len(lines) == 2
    assert lines[1]["checks"][0]["id"] in {check, "format.not_an_object"}
    assert "Traceback" not in result.output


def test_verify_missing_file_is_exit_2(runner, tmp_path):
    result = runner.invoke(cli, ["verify", "--json", str(tmp_path / "absent.json")])
    assert result.exit_code == 2
    assert _lines(result.output)[0]["checks"][0]["id"] == "format.unreadable"


def test_verify_from_stdin(runner, files):
    result = runner.invoke(cli, ["verify", "--json", "-"], input=files["good"].read_bytes())
    assert result.exit_code == 0
    assert _lines(result.output)[0]["input"] == "-"


def test_verify_presentation_with_challenge(runner, files):
    ok = runner.invoke(
        cli,
        [
            "verify",
            "--json",
            "--challenge",
            "c-1234",
            "--domain",
            "hiring.example",
            str(files["vp"]),
        ],
    )
    assert ok.exit_code == 0, ok.output
    wrong = runner.invoke(
        cli,
        [
            "verify",
            "--json",
            "--challenge",
            "other",
            "--domain",
            "hiring.example",
            str(files["vp"]),
        ],
    )
    assert wrong.exit_code == 1
    failed = [c["id"] for c in _lines(wrong.output)[0]["checks"] if c["status"] == "failed"]
    assert failed == ["presentation.challenge_mismatch"]


def test_clock_skew_is_configurable(runner, tmp_path):
    import datetime as dt

    from vc.timestamps import format_datetime_stamp

    soon = format_datetime_stamp(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=3))
    path = tmp_path / "soon.json"
    path.write_text(json.dumps(badge(valid_from=soon)), encoding="utf-8")
    assert runner.invoke(cli, ["verify", "--json", str(path)]).exit_code == 0
    strict = runner.invoke(cli, ["verify", "--json", "--clock-skew", "0", str(path)])
    assert strict.exit_code == 1
    assert "validity.not_yet_valid" in strict.output


def test_human_report_puts_the_verdict_first(runner, files):
    result = runner.invoke(cli, ["verify", str(files["tampered"])])
    assert result.exit_code == 1
    assert result.output.lstrip().startswith("✘ NOT VERIFIED")
    assert "proof.signature_invalid" in result.output


def test_usage_errors_exit_2(runner):
    assert runner.invoke(cli, ["verify"]).exit_code == 2
    assert runner.invoke(cli, ["nonsense"]).exit_code == 2


def test_help_teaches(runner):
    result = runner.invoke(cli, ["verify", "--help"])
    assert result.exit_code == 0
    assert "Exit status" in result.output
    assert "--json" in result.output


def test_demo_narrates_and_catches_the_tampering(runner):
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "✔ VERIFIED" in result.output
    assert "✘ NOT VERIFIED" in result.output
    assert "proof.signature_invalid" in result.output
    assert "anchor.ledger" in result.output
    assert "anchor.revoked" in result.output
    assert "trust.unknown_issuer" in result.output  # act 7: the API with an employer's registry


def _installed_laurel() -> str:
    candidate = Path(sys.executable).parent / "laurel"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("laurel")
    assert found, "the laurel console script is not installed (run scripts/bootstrap)"
    return found


@pytest.mark.e2e
def test_installed_console_script_verifies_and_reports(files):
    laurel = _installed_laurel()
    proc = subprocess.run(
        [laurel, "verify", "--json", str(files["good"]), str(files["tampered"])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert [line["verified"] for line in _lines(proc.stdout)] == [True, False]
    assert proc.stderr == ""


@pytest.mark.e2e
def test_installed_demo_runs():
    proc = subprocess.run(
        [_installed_laurel(), "demo"], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "proof.signature_invalid" in proc.stdout


@pytest.mark.e2e
def test_verify_path_does_not_import_heavy_modules(files):
    # The eddsa-jcs-2022 proof path stays lean: no pyld (asyncio, lxml), no jsonschema.
    code = (
        "import sys, json; from vc.jsontext import parse_document; from vc import proofs; "
        "from vc.did import DidResolver; "
        f"d = parse_document(open({str(files['jcs'])!r}, 'rb').read()); p = proofs.proofs_of(d)[0]; "
        "m, _ = DidResolver().resolve_verification_method(p['verificationMethod']); "
        "assert proofs.verify_signature(d, p, m.public_key).valid; "
        "print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] in "
        "{'pyld', 'jsonschema', 'web3', 'rich', 'multiformats', 'asyncio', 'lxml'})))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_every_command_is_found_in_the_module_the_lazy_group_names() -> None:
    # `laurel verify` imports only cli.verify; the table must name every command's module.
    import importlib

    import click

    from cli._common import COMMAND_MODULES

    defined: dict[str, str] = {}
    for module_name in sorted(set(COMMAND_MODULES.values())):
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, click.Command) and cli.commands.get(value.name or "") is value:
                defined[value.name or ""] = module_name
    assert defined == COMMAND_MODULES
    assert sorted(cli.list_commands(click.Context(cli))) == sorted(COMMAND_MODULES)
