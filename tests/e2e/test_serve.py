"""`laurel serve` for real: granian with two workers on loopback."""

from __future__ import annotations

import contextlib
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


def _cores(worker: int) -> set[tuple[int, ...]]:
    # The CPU sets of every thread of a worker process (a thread that ends meanwhile is left out).
    found: set[tuple[int, ...]] = set()
    for task in Path(f"/proc/{worker}/task").iterdir():
        with contextlib.suppress(ProcessLookupError):
            found.add(tuple(sorted(os.sched_getaffinity(int(task.name)))))
    return found


_TWO_CORES = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")


@pytest.mark.e2e
@_TWO_CORES
def test_each_worker_runs_on_a_core_of_its_own_and_a_replacement_takes_it_over() -> None:
    with laurel_serve("--workers", "2") as server:
        assert server.proc is not None
        workers = _workers(server.proc.pid)
        cores = {worker: _cores(worker) for worker in workers}
        assert all(len(sets) == 1 and len(next(iter(sets))) == 1 for sets in cores.values()), cores
        assert len({frozenset(sets) for sets in cores.values()}) == 2, cores
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while (replacements := _workers(server.proc.pid) - workers) == set():
            assert time.monotonic() < deadline, "no new worker"
            time.sleep(0.1)
        (replacement,) = replacements
        while _cores(replacement) != cores[victim]:  # pinned once it has loaded the app
            assert time.monotonic() < deadline, (_cores(replacement), cores[victim])
            time.sleep(0.1)


@pytest.mark.e2e
@_TWO_CORES
def test_two_instances_on_one_machine_take_different_cores() -> None:
    with laurel_serve("--workers", "1") as one, laurel_serve("--workers", "1") as other:
        assert one.proc is not None
        assert other.proc is not None
        (first,) = _workers(one.proc.pid)
        (second,) = _workers(other.proc.pid)
        assert len(_cores(first)) == 1, _cores(first)
        assert len(_cores(second)) == 1, _cores(second)
        assert _cores(first) != _cores(second)


@pytest.mark.e2e
@_TWO_CORES
def test_no_pin_leaves_the_workers_to_the_scheduler() -> None:
    with laurel_serve("--workers", "2", "--no-pin") as server:
        assert server.proc is not None
        everywhere = {tuple(sorted(os.sched_getaffinity(0)))}
        assert [_cores(w) for w in _workers(server.proc.pid)] == [everywhere, everywhere]


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


@pytest.mark.e2e
def test_the_access_log_is_written_in_batches_and_whole_at_shutdown_and_x12_unforgeable(
    tmp_path: Path,
) -> None:
    # Lines are kept and written together (verifier/access_log.py): each shows up
    # within about a second, and none is lost when the server is stopped.
    import subprocess

    from tests.service_tools import LAUREL, free_port, listeners

    port = free_port()
    out = tmp_path / "serve.log"

    def access_lines() -> list[str]:
        text = out.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if ' "POST /credentials/verify ' in line]

    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [LAUREL, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while listeners(port) < 1:
            assert proc.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.1)
        body = {"verifiableCredential": badge()}
        for _ in range(3):
            assert call(port, "POST", "/credentials/verify", body)[0] == 200
        deadline = time.monotonic() + 10
        while len(access_lines()) < 3:
            assert time.monotonic() < deadline, "the access lines were never written"
            time.sleep(0.05)
        assert call(port, "POST", "/credentials/verify", body)[0] == 200
        # X12: a path that decodes to a newline and a made-up line of its own.
        forged = (
            "/x%0A%5B2026-12-07%2010:00:00%20+0000%5D%2010.0.0.1%20%22POST%20/credentials/verify"
        )
        assert call(port, "GET", forged)[0] == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    lines = access_lines()
    assert len(lines) == 4
    assert all(line.endswith("ms") and '" 200 ' in line for line in lines)
    text = out.read_text(encoding="utf-8", errors="replace")
    (line,) = [line for line in text.splitlines() if "GET /x" in line]
    assert line.endswith("ms")
    assert '" 404 ' in line
    assert "10.0.0.1" in line
    assert not any(line.startswith("[2026-12-07 10:00:00") for line in text.splitlines())


@pytest.mark.e2e
def test_serve_trust_applies_to_the_api(tmp_path: Path) -> None:
    # `laurel serve --trust FILE`: the VC-API's trust check reads the registry (not only the page).
    from tests.builders import ISSUER

    registry = tmp_path / "recognized.csv"
    registry.write_text(f"did,name\n{ISSUER.did},Riverside\n", encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text("did,name\ndid:web:lakeshore.example,Lakeshore USD\n", encoding="utf-8")
    request = {"verifiableCredential": badge("eddsa-jcs-2022")}
    with laurel_serve("--workers", "1", "--trust", str(registry)) as server:
        status, body, _ = call(server.port, "POST", "/credentials/verify", request)
        assert (status, body["verified"]) == (200, True)
        assert "trust" in body["checks"]
    with laurel_serve("--workers", "1", env={"LAUREL_TRUST_REGISTRY": str(other)}) as server:
        status, body, _ = call(server.port, "POST", "/credentials/verify", request)
        assert (status, body["errors"]) == (422, ["trust.unknown_issuer"])


@pytest.mark.e2e
def test_serve_says_how_many_recognized_issuers_it_read(tmp_path: Path) -> None:
    import subprocess

    from tests.service_tools import LAUREL, free_port

    registry = tmp_path / "recognized.csv"
    registry.write_text(
        "did,name\ndid:web:riverside.example,Riverside\ndid:web:lakeshore.example,Lakeshore\n",
        encoding="utf-8",
    )
    with subprocess.Popen(
        [LAUREL, "serve", "--port", str(free_port()), "--workers", "1", "--trust", str(registry)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    ) as serve:
        try:
            assert serve.stderr is not None
            said = [serve.stderr.readline() for _ in range(2)]
        finally:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=20)
    assert said[1].startswith(f"2 recognized issuers from {registry}"), said
