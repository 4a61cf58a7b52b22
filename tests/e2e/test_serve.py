"""`laurel serve` for real: granian with two workers on loopback."""

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
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.builders import badge, presentation


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _request(port: int, method: str, path: str, body: object | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def service() -> Iterator[int]:
    port = _free_port()
    laurel = str(Path(sys.executable).parent / "laurel")
    proc = subprocess.Popen(
        [laurel, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _request(port, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, "laurel serve exited"
            assert time.monotonic() < deadline, "laurel serve did not come up"
            time.sleep(0.1)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.e2e
def test_serve_verifies_and_rejects(service: int) -> None:
    status, body = _request(
        service, "POST", "/credentials/verify", {"verifiableCredential": badge()}
    )
    assert (status, body["verified"]) == (200, True)
    tampered = badge()
    tampered["credentialSubject"]["achievement"]["name"] = "Distinguished"
    status, body = _request(
        service, "POST", "/credentials/verify", {"verifiableCredential": tampered}
    )
    assert (status, body["verified"]) == (422, False)
    assert "proof.signature_invalid" in json.dumps(body)


@pytest.mark.e2e
def test_challenges_work_across_workers(service: int) -> None:
    # Each challenge is issued by whichever worker answers, and consumed by another:
    # the store is shared, so every one is known exactly once.
    for _ in range(6):
        status, issued = _request(service, "POST", "/challenges", {})
        assert status == 201
        vp = presentation([badge()], challenge=issued["challenge"], domain=issued["domain"])
        options = {"challenge": issued["challenge"], "domain": issued["domain"]}
        status, body = _request(
            service,
            "POST",
            "/presentations/verify",
            {"verifiablePresentation": vp, "options": options},
        )
        assert status == 200, body
        status, body = _request(
            service,
            "POST",
            "/presentations/verify",
            {"verifiablePresentation": vp, "options": options},
        )
        assert status == 422
        assert "presentation.challenge_reused" in json.dumps(body)


@pytest.mark.e2e
def test_serve_shares_oid4vp_transactions_between_workers(service: int) -> None:
    status, started = _request(service, "POST", "/oid4vp/requests")
    assert status == 201
    path = "/" + started["status_uri"].split("/", 3)[3]
    # Several requests land on both workers: each knows the transaction.
    assert {_request(service, "GET", path)[1]["status"] for _ in range(8)} == {"pending"}
