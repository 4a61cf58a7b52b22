"""Revocation for real: `laurel serve --wallet` hosts the lists, separate `laurel verify` processes read them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.service_tools import LAUREL, free_port, laurel_serve
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE

pytestmark = pytest.mark.e2e


def _laurel(
    *args: str, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [LAUREL, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _status_checks(proc: subprocess.CompletedProcess[str]) -> dict[str, str]:
    line = json.loads(proc.stdout.splitlines()[0])
    return {c["id"]: c["status"] for c in line["checks"] if c["id"].startswith("status")}


def test_revoke_suspend_unsuspend_seen_by_separate_verifiers(tmp_path: Path) -> None:
    port = free_port()
    home = tmp_path / "district"
    env = {**os.environ, "LAUREL_PASSPHRASE": PASSPHRASE, "LAUREL_HOME": str(home)}
    _laurel(
        "init",
        "--name",
        "Riverside School District",
        "--base-url",
        f"http://127.0.0.1:{port}",
        env=env,
    )
    achievement = tmp_path / "achievement.json"
    achievement.write_text(json.dumps(ACHIEVEMENT), encoding="utf-8")
    badges = {}
    for name in ("revoked", "suspended"):
        credential_id = _laurel(
            "issue",
            "--achievement",
            str(achievement),
            "--recipient",
            f"did:example:{name}",
            "--out",
            str(tmp_path / f"{name}.json"),
            env=env,
        ).stdout.strip()
        badges[name] = (credential_id, tmp_path / f"{name}.json")
    verify = ("verify", "--json", "--allow-private-network")
    with laurel_serve("--workers", "2", "--wallet", str(home), env=env, port=port):
        fresh = _status_checks(_laurel(*verify, str(badges["revoked"][1]), env=env))
        assert fresh == {"status.revocation": "passed", "status.suspension": "passed"}

        _laurel("revoke", badges["revoked"][0], "--reason", "issued in error", "--yes", env=env)
        revoked = _laurel(*verify, str(badges["revoked"][1]), env=env, check=False)
        assert revoked.returncode == 1
        assert _status_checks(revoked)["status.revoked"] == "failed"
        refused = _laurel("unsuspend", badges["revoked"][0], "--yes", env=env, check=False)
        assert (
            _status_checks(_laurel(*verify, str(badges["revoked"][1]), env=env, check=False))[
                "status.revoked"
            ]
            == "failed"
        )
        assert refused.returncode in (0, 1)

        _laurel("suspend", badges["suspended"][0], "--yes", env=env)
        suspended = _laurel(*verify, str(badges["suspended"][1]), env=env, check=False)
        assert _status_checks(suspended)["status.suspended"] == "failed"
        _laurel("unsuspend", badges["suspended"][0], "--yes", env=env)
        cleared = _laurel(*verify, str(badges["suspended"][1]), env=env)
        assert _status_checks(cleared) == {
            "status.revocation": "passed",
            "status.suspension": "passed",
        }

    # The list host is down and nothing is cached (a new process): fail closed, or warn if asked.
    down = _laurel(*verify, str(badges["suspended"][1]), env=env, check=False)
    assert down.returncode == 1
    assert _status_checks(down)["status.retrieval_failed"] == "failed"
    warned = _laurel(
        *verify, "--status-unreachable", "warn", str(badges["suspended"][1]), env=env, check=False
    )
    assert warned.returncode == 0, warned.stdout
