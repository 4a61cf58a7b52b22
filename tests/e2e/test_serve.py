"""`laurel serve` for real: granian with two workers on loopback."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.builders import badge, presentation
from tests.service_tools import call, laurel_serve


@pytest.fixture(scope="module")
def service() -> Iterator[int]:
    with laurel_serve("--workers", "2") as server:
        yield server.port


@pytest.mark.e2e
def test_serve_verifies_and_rejects(service: int) -> None:
    status, body, _ = call(
        service, "POST", "/credentials/verify", {"verifiableCredential": badge()}
    )
    assert (status, body["verified"]) == (200, True)
    tampered = badge()
    tampered["credentialSubject"]["achievement"]["name"] = "Distinguished"
    status, body, _ = call(
        service, "POST", "/credentials/verify", {"verifiableCredential": tampered}
    )
    assert (status, body["verified"]) == (422, False)
    assert "proof.signature_invalid" in json.dumps(body)


@pytest.mark.e2e
def test_challenges_work_across_workers(service: int) -> None:
    # Each challenge is issued by whichever worker answers, and consumed by another:
    # the store is shared, so every one is known exactly once.
    for _ in range(6):
        status, issued, _ = call(service, "POST", "/challenges", {})
        assert status == 201
        vp = presentation([badge()], challenge=issued["challenge"], domain=issued["domain"])
        options = {"challenge": issued["challenge"], "domain": issued["domain"]}
        status, body, _ = call(
            service,
            "POST",
            "/presentations/verify",
            {"verifiablePresentation": vp, "options": options},
        )
        assert status == 200, body
        status, body, _ = call(
            service,
            "POST",
            "/presentations/verify",
            {"verifiablePresentation": vp, "options": options},
        )
        assert status == 422
        assert "presentation.challenge_reused" in json.dumps(body)


@pytest.mark.e2e
def test_serve_shares_oid4vp_transactions_between_workers(service: int) -> None:
    status, started, _ = call(service, "POST", "/oid4vp/requests")
    assert status == 201
    path = "/" + started["status_uri"].split("/", 3)[3]
    # Several requests land on both workers: each knows the transaction.
    assert {call(service, "GET", path)[1]["status"] for _ in range(8)} == {"pending"}


def _workers(pid: int) -> set[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {int(child) for child in children}


@pytest.mark.e2e
def test_a_worker_killed_mid_service_is_replaced_and_the_other_keeps_answering() -> None:
    # A worker that dies (OOM killer, kill -9) takes only the connections it held with
    # it (a load balancer retries those): once it is gone, every request is answered
    # by the other, and the server starts a new one.
    with laurel_serve("--workers", "2") as server:
        assert server.proc is not None
        before = _workers(server.proc.pid)
        assert len(before) == 2
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while victim in _workers(server.proc.pid):
            assert time.monotonic() < deadline, "the killed worker was never reaped"
            time.sleep(0.05)
        for _ in range(10):
            status, body, _ = call(
                server.port, "POST", "/credentials/verify", {"verifiableCredential": badge()}
            )
            assert (status, body["verified"]) == (200, True)
        while len(_workers(server.proc.pid)) != 2:
            assert time.monotonic() < deadline, "no new worker"
            time.sleep(0.2)
        status, _, _ = call(server.port, "GET", "/health")
        assert status == 200
