"""`laurel issue`, `init` and `serve` refuse bad input by name: one line per problem, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from verifier import VerificationPolicy, verify
from wallet.home import Wallet
from wallet.keystore import KdfParams

ENV = {"LAUREL_PASSPHRASE": PASSPHRASE}
HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "district"
    Wallet.create(
        path,
        name="Riverside School District",
        passphrase=PASSPHRASE,
        base_url="https://badges.riverside.example",
        kdf=KdfParams.for_tests(),
    ).close()
    return path


def write(tmp_path: Path, name: str, value: object) -> Path:
    path = tmp_path / name
    data = value if isinstance(value, str) else json.dumps(value)
    path.write_text(data, encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), env=ENV)


def count(home: Path) -> int:
    with Wallet.open(home) as wallet:
        return wallet.store.count_credentials()


def test_a_bad_achievement_file_is_refused_with_its_own_paths(home, tmp_path):
    bad = dict(ACHIEVEMENT)
    bad["tags"] = bad.pop("tag")
    bad["achievmentType"] = "Badge"
    path = write(tmp_path, "formative.json", bad)
    result = run("issue", "--home", str(home), "--achievement", str(path), "--recipient", HOLDER)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == "error: laurel will not sign the credential: 2 problems"
    assert (
        "  formative.json: tags: no @context defines 'tags', so a signature would not cover "
        "it; did you mean 'tag'? [format.undefined_term]"
    ) in lines
    assert any(
        line.startswith("  formative.json: achievmentType:")
        and "did you mean 'achievementType'?" in line
        for line in lines
    )
    assert lines[-1].startswith("hint: ")
    assert count(home) == 0


def test_friendly_result_and_valid_until(home, tmp_path):
    path = write(tmp_path, "formative.json", ACHIEVEMENT)
    base = ["issue", "--home", str(home), "--achievement", str(path), "--recipient", HOLDER]
    unknown = run(*base, "--result", "expert")
    assert unknown.exit_code == 2
    assert "the levels are: developing, proficient" in unknown.output
    past = run(*base, "--valid-until", "2020-01-01")
    assert past.exit_code == 2
    assert "'2020-01-01' is in the past" in past.output
    nonsense = run(*base, "--valid-until", "2027-02-30")
    assert nonsense.exit_code == 2
    assert "'2027-02-30' is no such date" in nonsense.output
    assert "T00:00:00Z" not in nonsense.output  # never echoes what laurel appended
    out = tmp_path / "badge.json"
    issued = run(*base, "--result", "PROFICIENT", "--valid-until", "2099-06-30", "--out", str(out))
    assert issued.exit_code == 0, issued.output
    badge = json.loads(out.read_text(encoding="utf-8"))
    assert badge["validUntil"] == "2099-06-30T00:00:00Z"
    assert verify(badge, VerificationPolicy(now=_now())).verified


def _now():
    import datetime as dt

    return dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(
    ("recipient", "why"),
    [
        ("did:", "'did:' is not a DID"),
        ("did:key:zBAD", "'did:key:zBAD' is not a valid DID"),
        ("not-an-email", "'not-an-email' is neither a DID nor an email address"),
    ],
)
def test_bad_recipients_are_refused_cleanly(home, tmp_path, recipient, why):
    path = write(tmp_path, "formative.json", ACHIEVEMENT)
    result = run("issue", "--home", str(home), "--achievement", str(path), "--recipient", recipient)
    assert result.exit_code == 2
    assert why in result.output
    assert "Traceback" not in result.output


def test_roster_dry_run_then_issue_with_names(home, tmp_path):
    achievement = write(tmp_path, "formative.json", ACHIEVEMENT)
    roster = write(
        tmp_path,
        "cohort.csv",
        "name,email\nJosé Müller,jose@school.example\n张伟,zhang@school.example\n",
    )
    out = tmp_path / "badges"
    common = [
        "issue",
        "--home",
        str(home),
        "--achievement",
        str(achievement),
        "--roster",
        str(roster),
    ]
    dry = run(*common, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "2 would be issued" in dry.output
    assert count(home) == 0
    issued = run(*common, "--out-dir", str(out), "--include-name")
    assert issued.exit_code == 0, issued.output
    files = sorted(p.name for p in out.iterdir())
    assert files == ["00002-josé-müller.json", "00003-张伟.json"]
    subject = json.loads((out / files[0]).read_text(encoding="utf-8"))["credentialSubject"]
    assert subject["name"] == "José Müller"


def test_every_bad_roster_row_in_one_run(home, tmp_path):
    achievement = write(tmp_path, "formative.json", ACHIEVEMENT)
    roster = write(
        tmp_path, "cohort.csv", "name,email,did\nAna,not-an-email,\nBo,,\nCy,,did:key:zBAD\n"
    )
    result = run(
        "issue", "--home", str(home), "--achievement", str(achievement), "--roster", str(roster),
        "--out-dir", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == "error: the roster has 3 bad lines"
    assert lines[1].startswith("  cohort.csv line 2, column email: 'not-an-email'")
    assert lines[2] == "  cohort.csv line 3, column email: neither an email nor a DID is given"
    assert lines[3].startswith("  cohort.csv line 4, column did: 'did:key:zBAD' is not a valid DID")
    assert count(home) == 0


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("notaurl", False),
        ("http://badges.example", False),
        ("ftp://badges.example", False),
        ("https://badges.example/x?y=1", False),
        ("https://badges.example/district", True),
        ("http://127.0.0.1:8080", True),
    ],
)
def test_init_base_url_must_be_absolute_https(tmp_path, url, ok):
    result = run("init", "--home", str(tmp_path / "w"), "--name", "R", "--base-url", url)
    assert (result.exit_code == 0) is ok, result.output
    if not ok:
        assert result.exit_code == 2
        assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("token", ["", "   ", "short"])
def test_attack_serve_refuses_an_empty_or_short_issuer_token_at_start_up(home, token):
    result = run("serve", "--wallet", str(home), "--issuer-token", token)
    assert result.exit_code == 2
    assert 'python -c "import secrets; print(secrets.token_urlsafe(32))"' in result.output
