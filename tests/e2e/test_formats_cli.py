"""Issue #13 end to end: VC-JWT issuing, and bringing badges of every format into a wallet.

Real wallets (SQLite files), the real `laurel` command (click, in process), and for
Open Badges 2.0 a real HTTPS server on loopback behind the real fetch guard.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.vc.formats.corpus import CORPUS
from tests.wallet.conftest import PASSPHRASE
from wallet.home import Wallet
from wallet.keystore import KdfParams

ENV = {"LAUREL_PASSPHRASE": PASSPHRASE}


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env={**ENV, **(env or {})})


def _wallet(path: Path, name: str) -> Path:
    Wallet.create(path, name=name, passphrase=PASSPHRASE, kdf=KdfParams.for_tests()).close()
    return path


@pytest.fixture
def district(tmp_path: Path) -> Path:
    return _wallet(tmp_path / "district", "Riverside School District")


@pytest.fixture
def teacher(tmp_path: Path) -> Path:
    return _wallet(tmp_path / "teacher", "Ana")


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_issue_format_jwt_verifies_imports_lists_and_exports_as_the_token(
    district, teacher, achievement, tmp_path
):
    out = tmp_path / "ana.jwt"
    issued = run(
        "issue",
        "--home",
        str(district),
        "--achievement",
        str(achievement),
        "--recipient",
        "ana@school.example",
        "--format",
        "jwt",
        "--out",
        str(out),
    )
    assert issued.exit_code == 0, issued.output
    credential_id = issued.output.strip()
    token = out.read_text(encoding="utf-8").strip()
    assert token.count(".") == 2
    payload = _payload(token)
    assert payload["jti"] == credential_id
    assert payload["iss"] == payload["issuer"]["id"]
    # What laurel issues verifies in laurel, through the whole pipeline.
    verified = run("verify", "--json", "--recipient", "ana@school.example", str(out))
    line = json.loads(verified.stdout)
    assert verified.exit_code == 0, verified.stdout
    assert line["credential"]["format"] == "vc-jwt"
    assert line["credential"]["dataModel"] == "2.0"
    ids = {c["id"]: c["status"] for c in line["checks"]}
    assert ids["proof.signature"] == "passed"
    assert ids["issuer.key_binding"] == "passed"
    assert ids["presentation.recipient"] == "passed"
    wrong = run("verify", "--json", "--recipient", "bo@school.example", str(out))
    assert wrong.exit_code == 1
    # The issuer's wallet keeps it as a VC-JWT; export gives the token back.
    assert run("export", "--home", str(district), credential_id).output.strip() == token
    listed = json.loads(run("list", "--home", str(district), "--json").output)
    assert [(i["id"], i["format"]) for i in listed] == [(credential_id, "vc-jwt")]
    # The teacher brings it into her wallet.
    imported = run("import", "--home", str(teacher), str(out))
    assert imported.exit_code == 0, imported.output
    assert imported.output.strip() == credential_id
    listed = json.loads(run("list", "--home", str(teacher), "--json").output)
    assert [(i["format"], i["status"]) for i in listed] == [("vc-jwt", "verified")]
    assert run("export", "--home", str(teacher), credential_id).output.strip() == token


def test_a_jwt_badge_is_presented_enveloped_and_verifies(district, teacher, achievement, tmp_path):
    did = run("did", "--home", str(teacher)).output.strip()
    out = tmp_path / "badge.jwt"
    issued = run(
        "issue", "--home", str(district), "--achievement", str(achievement),
        "--recipient", did, "--format", "jwt", "--out", str(out),
    )  # fmt: skip
    assert issued.exit_code == 0, issued.output
    assert run("import", "--home", str(teacher), str(out)).exit_code == 0
    vp = tmp_path / "vp.json"
    made = run(
        "present", "--home", str(teacher), issued.output.strip(),
        "--challenge", "c-1", "--domain", "hiring.example", "--out", str(vp),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    presentation = json.loads(vp.read_text(encoding="utf-8"))
    envelope = presentation["verifiableCredential"][0]
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    assert envelope["id"].startswith("data:application/vc+jwt,ey")
    result = run("verify", "--json", "--challenge", "c-1", "--domain", "hiring.example", str(vp))
    line = json.loads(result.stdout)
    assert result.exit_code == 0, result.stdout
    assert line["credentials"][0]["credential"]["format"] == "vc-jwt"
    assert {c["id"] for c in line["checks"]} >= {"presentation.holder", "presentation.challenge"}


def test_a_roster_issued_as_jwts_writes_tokens_that_verify(district, achievement, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nAna,ana@school.example\nBo,bo@school.example\n")
    out_dir = tmp_path / "badges"
    issued = run(
        "issue", "--home", str(district), "--achievement", str(achievement),
        "--roster", str(roster), "--out-dir", str(out_dir), "--format", "jwt",
    )  # fmt: skip
    assert issued.exit_code == 0, issued.output
    files = sorted(out_dir.glob("*.jwt"))
    assert len(files) == 2
    result = run("verify", "--json", *map(str, files))
    assert result.exit_code == 0, result.stdout
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert all(x["verified"] and x["credential"]["format"] == "vc-jwt" for x in lines)
    again = run(
        "issue", "--home", str(district), "--achievement", str(achievement),
        "--roster", str(roster), "--out-dir", str(out_dir), "--format", "jwt",
    )  # fmt: skip
    assert "0 issued, 2 already issued" in again.output


def test_importing_what_laurel_cannot_keep_is_refused_by_name(teacher, tmp_path):
    sd_jwt = tmp_path / "pid.txt"
    sd_jwt.write_text(
        "eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.eyJ2Y3QiOiJ4In0.c2ln~WyJzIiwibiIsInYiXQ~"
    )
    result = run("import", "--home", str(teacher), str(sd_jwt))
    assert result.exit_code != 0
    assert "an SD-JWT VC" in result.output


def test_verify_names_what_it_cannot_read_never_not_valid_json(tmp_path):
    sd_jwt = tmp_path / "pid.txt"
    sd_jwt.write_text(
        "eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.eyJ2Y3QiOiJ4In0.c2ln~WyJzIiwibiIsInYiXQ~"
    )
    result = run("verify", "--json", str(sd_jwt))
    check = json.loads(result.stdout)["checks"][0]
    assert result.exit_code == 2
    assert check["id"] == "format.unsupported"
    assert "an SD-JWT VC" in check["message"]
    assert check["details"]["kind"] == "sd-jwt-vc"


def test_o03_a_png_with_an_ob2_and_an_ob3_payload_is_refused_by_name(tmp_path):
    from vc.baking import bake_png

    ob2 = (CORPUS / "openbadgeslib" / "ob2-signed.png").read_bytes()
    ob3_text = (CORPUS / "openbadgeslib" / "ob3-eddsa.jwt").read_text().strip()
    both = tmp_path / "both.png"
    both.write_bytes(bake_png(ob2, ob3_text))
    result = run("verify", "--json", str(both))
    check = json.loads(result.stdout)["checks"][0]
    assert result.exit_code == 2
    assert check["id"] == "format.baked_ambiguous"
    assert "ob2" in check["message"]
    assert "ob3" in check["message"]
