"""The wallet commands end to end: a real SQLite file, real processes, kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.wallet.conftest import PASSPHRASE
from wallet.home import Wallet
from wallet.keystore import KdfParams

ENV = {"LAUREL_PASSPHRASE": PASSPHRASE}


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    return CliRunner().invoke(cli, list(args), env={**ENV, **(env or {})}, input=input)


def _issue(
    home: Path, achievement: Path, recipient: str, *extra: str, env: dict[str, str] | None = None
):
    return run(
        "issue",
        "--home",
        str(home),
        "--achievement",
        str(achievement),
        "--recipient",
        recipient,
        *extra,
        env=env,
    )


def test_issue_list_show_export_delete(home, achievement, tmp_path):
    issued = _issue(
        home,
        achievement,
        "ana@school.example",
        "--evidence",
        "https://portfolio.example/ana",
        "--evidence-name",
        "Unit 3",
        "--result",
        "proficient",
        "--valid-until",
        "2030-06-30",
        "--suite",
        "eddsa-jcs-2022",
    )
    assert issued.exit_code == 0, issued.output
    credential_id = issued.output.strip()
    listed = run("list", "--home", str(home), "--json")
    items = json.loads(listed.output)
    assert [i["id"] for i in items] == [credential_id]
    assert set(items[0]) == {
        "id", "shortId", "format", "name", "issuer", "recipient", "recipientName", "validFrom",
        "status", "state", "anchored",
    }  # fmt: skip
    assert items[0]["format"] == "data-integrity"
    exported = run("export", "--home", str(home), credential_id)
    document = json.loads(exported.output)
    assert document["validUntil"] == "2030-06-30T00:00:00Z"
    badge = tmp_path / "badge.json"
    badge.write_text(exported.output, encoding="utf-8")
    assert run("verify", "--json", str(badge)).exit_code == 0
    assert run("show", "--home", str(home), credential_id).exit_code == 0
    assert run("delete", "--home", str(home), credential_id, "--yes").exit_code == 0
    assert json.loads(run("list", "--home", str(home), "--json").output) == []
    missing = run("show", "--home", str(home), credential_id)
    assert missing.exit_code == 1
    assert "laurel list" in missing.output


def test_init_refuses_to_overwrite(home):
    result = run("init", "--home", str(home), "--name", "Again")
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_wrong_passphrase_is_a_clear_error(home, achievement):
    result = _issue(
        home, achievement, "did:example:x", env={"LAUREL_PASSPHRASE": "wrong passphrase!"}
    )
    assert result.exit_code == 1
    assert "passphrase" in result.output.lower()
    assert json.loads(run("list", "--home", str(home), "--json").output) == []


def test_import_refuses_an_unverified_badge_unless_forced(home, achievement, tmp_path):
    credential_id = _issue(home, achievement, "did:example:x").output.strip()
    document = json.loads(run("export", "--home", str(home), credential_id).output)
    document["credentialSubject"]["achievement"]["name"] = "Forged"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document), encoding="utf-8")
    teacher = tmp_path / "teacher"
    Wallet.create(teacher, name="Ana", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()).close()
    refused = run("import", "--home", str(teacher), str(forged))
    assert refused.exit_code == 1
    assert "proof.signature_invalid" in refused.output
    forced = run("import", "--home", str(teacher), "--force", str(forged))
    assert forced.exit_code == 0
    assert (
        json.loads(run("list", "--home", str(teacher), "--json").output)[0]["status"]
        == "unverified"
    )


def test_did_and_document(home):
    did = run("did", "--home", str(home)).output.strip()
    assert did.startswith("did:key:z6Mk")
    document = json.loads(run("did", "--home", str(home), "--document").output)
    assert document["id"] == did


def test_did_web_wallet(tmp_path):
    home = tmp_path / "web"
    result = run(
        "init",
        "--home",
        str(home),
        "--name",
        "Riverside",
        "--did-web",
        "badges.riverside.example/district",
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "did:web:badges.riverside.example:district"
    document = json.loads(run("did", "--home", str(home), "--document").output)
    assert document["assertionMethod"] == [document["verificationMethod"][0]["id"]]


def test_backup_and_restore(home, achievement, tmp_path):
    credential_id = _issue(home, achievement, "did:example:x").output.strip()
    archive = tmp_path / "wallet.backup"
    assert run("backup", "--home", str(home), str(archive)).exit_code == 0
    assert credential_id.encode() not in archive.read_bytes()
    restored = tmp_path / "restored"
    result = run("restore", "--home", str(restored), str(archive))
    assert result.exit_code == 0, result.output
    assert [i["id"] for i in json.loads(run("list", "--home", str(restored), "--json").output)] == [
        credential_id
    ]
    # The restored keys sign.
    again = _issue(restored, achievement, "did:example:y")
    assert again.exit_code == 0, again.output
    tampered = bytearray(archive.read_bytes())
    tampered[len(tampered) // 2] ^= 0x01
    bad = tmp_path / "tampered.backup"
    bad.write_bytes(bytes(tampered))
    refused = run("restore", "--home", str(tmp_path / "other"), str(bad))
    assert refused.exit_code == 1
    assert not (tmp_path / "other" / "wallet.db").exists()


def test_passwd(home, achievement):
    result = run(
        "passwd", "--home", str(home), env={"LAUREL_NEW_PASSPHRASE": "a brand new passphrase"}
    )
    assert result.exit_code == 0, result.output
    old = _issue(home, achievement, "did:example:x")
    assert old.exit_code == 1
    new = _issue(
        home, achievement, "did:example:x", env={"LAUREL_PASSPHRASE": "a brand new passphrase"}
    )
    assert new.exit_code == 0, new.output


def _count(home: Path) -> int:
    import contextlib
    import sqlite3

    try:
        uri = f"file:{home / 'wallet.db'}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5)) as db:
            return int(db.execute("SELECT count(*) FROM credentials").fetchone()[0])
    except sqlite3.Error:
        return 0


def _laurel() -> str:
    return str(Path(sys.executable).parent / "laurel")


@pytest.mark.e2e
@pytest.mark.slow
def test_roster_killed_with_sigkill_and_rerun_issues_exactly_the_missing_rows(
    home, achievement, tmp_path
):
    n = 3000
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email\n" + "\n".join(f"Teacher {i},t{i}@riverside.example" for i in range(n)),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    command = [
        _laurel(),
        "issue",
        "--home",
        str(home),
        "--achievement",
        str(achievement),
        "--roster",
        str(roster),
        "--out-dir",
        str(out),
        "--suite",
        "eddsa-jcs-2022",
    ]
    env = {**os.environ, **ENV}
    counts = []
    for at_least in (1, 1000):
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while _count(home) < at_least and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)  # mid-run: some chunks committed, one in flight
        proc.wait(timeout=30)
        counts.append(_count(home))
    assert 0 < counts[0] < n, counts  # the kills really interrupted the run
    finish = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert finish.returncode == 0, finish.stderr
    items = json.loads(
        subprocess.run(
            [_laurel(), "list", "--home", str(home), "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert len(items) == n
    assert len({i["id"] for i in items}) == n
    files = sorted(out.glob("*.json"))
    assert len(files) == n
    assert {json.loads(f.read_text())["id"] for f in files} == {i["id"] for i in items}


def test_truncated_database_is_a_clear_error_and_left_alone(home):
    database = home / "wallet.db"
    data = database.read_bytes()
    database.write_bytes(data[: len(data) // 2])
    before = database.read_bytes()
    result = run("list", "--home", str(home), "--json")
    assert result.exit_code == 1
    assert str(database) in result.output.replace("\n", "")  # rich wraps long paths
    assert "restore" in result.output.lower()
    assert database.read_bytes() == before
    assert run("init", "--home", str(home), "--name", "Again").exit_code == 1  # never re-created


def test_world_readable_wallet_is_refused(home):
    home.chmod(0o755)
    result = run("list", "--home", str(home))
    assert result.exit_code == 1
    assert "chmod" in result.output
    home.chmod(0o700)
    assert run("list", "--home", str(home)).exit_code == 0


def test_secrets_never_leave_the_keystore(home, achievement, tmp_path):
    from vc.keys import Ed25519KeyPair, encode_multibase_btc
    from wallet.home import KEYSTORE_FILE, SIGNING_KEY
    from wallet.keystore import Keystore

    seed = Keystore.open(home / KEYSTORE_FILE, PASSPHRASE).secret(SIGNING_KEY)
    key = Ed25519KeyPair.from_seed(seed)
    needles = [
        seed.hex(),
        seed.hex().upper(),
        encode_multibase_btc(seed)[1:],
        key.export_private_key_unencrypted(),
        PASSPHRASE,
    ]
    archive = tmp_path / "wallet.backup"
    outputs = [
        run("did", "--home", str(home), "--document").output,
        _issue(home, achievement, "did:example:x").output,
        run("list", "--home", str(home), "--json").output,
        run("backup", "--home", str(home), str(archive)).output,
        _issue(home, achievement, "x", env={"LAUREL_PASSPHRASE": "wrong passphrase!"}).output,
        repr(Wallet.open(home).unlock(PASSPHRASE)),
    ]
    blobs = [
        *outputs,
        archive.read_bytes().decode("latin-1"),
        (home / KEYSTORE_FILE).read_bytes().decode("latin-1"),
        (home / "wallet.db").read_bytes().decode("latin-1"),
    ]
    for blob in blobs:
        for needle in needles:
            assert needle not in blob
    assert seed not in archive.read_bytes()
    assert seed not in (home / KEYSTORE_FILE).read_bytes()


@pytest.mark.e2e
def test_two_issue_processes_at_once_are_serialized(home, achievement, tmp_path):
    n = 400
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email\n" + "\n".join(f"T {i},t{i}@r.example" for i in range(n)), encoding="utf-8"
    )
    env = {**os.environ, **ENV}
    procs = [
        subprocess.Popen(
            [
                _laurel(),
                "issue",
                "--home",
                str(home),
                "--achievement",
                str(achievement),
                "--roster",
                str(roster),
                "--out-dir",
                str(tmp_path / f"out{i}"),
                "--suite",
                "eddsa-jcs-2022",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert _count(home) == n  # the same roster twice at once: each row issued exactly once


def test_force_twice_keeps_every_old_wallet(home):
    for name in ("Second", "Third"):
        assert run("init", "--home", str(home), "--name", name, "--force").exit_code == 0
    kept = sorted(p.name for p in home.glob("wallet.db.*.bak"))
    assert len(kept) == 2


def test_init_with_a_short_passphrase_is_a_usage_error_and_sets_nothing_aside(home):
    before = sorted(p.name for p in home.iterdir())
    result = run(
        "init", "--name", "X", "--home", str(home), "--force", env={"LAUREL_PASSPHRASE": "short"}
    )
    assert result.exit_code == 2
    assert "at least 8 characters" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in home.iterdir()) == before
