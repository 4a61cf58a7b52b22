"""Revocation for real: `laurel serve --wallet` hosts the lists, separate `laurel verify` processes read them."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE

pytestmark = pytest.mark.e2e


def _laurel(
    *args: str, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    laurel = str(Path(sys.executable).parent / "laurel")
    proc = subprocess.run(
        [laurel, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _up(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _status_checks(proc: subprocess.CompletedProcess[str]) -> dict[str, str]:
    line = json.loads(proc.stdout.splitlines()[0])
    return {c["id"]: c["status"] for c in line["checks"] if c["id"].startswith("status")}


def test_revoke_suspend_unsuspend_seen_by_separate_verifiers(tmp_path: Path) -> None:
    port = _free_port()
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
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "laurel"),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--wallet",
            str(home),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    verify = ("verify", "--json", "--allow-private-network")
    try:
        deadline = time.monotonic() + 60
        while not _up(port):
            assert server.poll() is None, "laurel serve exited"
            assert time.monotonic() < deadline, "laurel serve did not start"
            time.sleep(0.1)
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
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)

    # The list host is down and nothing is cached (a new process): fail closed, or warn if asked.
    down = _laurel(*verify, str(badges["suspended"][1]), env=env, check=False)
    assert down.returncode == 1
    assert _status_checks(down)["status.retrieval_failed"] == "failed"
    warned = _laurel(
        *verify, "--status-unreachable", "warn", str(badges["suspended"][1]), env=env, check=False
    )
    assert warned.returncode == 0, warned.stdout
