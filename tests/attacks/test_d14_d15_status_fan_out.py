"""D14, D15: one request must not hold a worker (status fan-out at a host that never answers).

A "black hole" on loopback accepts connections and never answers. Credentials point
their status entries at it: with a broken signature nothing is fetched at all; with
too many entries nothing is fetched either; with a valid (self-issued) signature the
fetches share one network budget and a per-host limit. Against a real
`laurel serve --workers 2`, `/health` keeps answering while hostile requests arrive.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import datetime as dt
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.builders import MALLORY, sign, unsigned_badge
from vc.results import Status
from vc.status import status_entry
from verifier.errors import FetchFailedError
from verifier.fetch import Fetcher, FetchPolicy
from verifier.host_slots import MAX_FETCHES_PER_HOST
from verifier.policy import VerificationPolicy
from verifier.verify import networked_status_checker, verify

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


class BlackHole:
    """A TCP server on loopback that accepts every connection and never answers."""

    def __init__(self) -> None:
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(128)
        self.port = int(self._server.getsockname()[1])
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self._server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                continue
            self.accepted += 1
            self._held.append(conn)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/status/{name}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self._held:
            conn.close()
        self._server.close()


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    try:
        yield hole
    finally:
        hole.close()


def _badge_with_entries(hole: BlackHole, count: int, *, broken: bool) -> dict[str, Any]:
    unsigned = unsigned_badge(issuer=MALLORY)
    unsigned["credentialStatus"] = [
        status_entry(list_url=hole.url(str(i)), index=1000 + i, purpose="revocation")
        for i in range(count)
    ]
    signed = sign(unsigned, MALLORY)
    if broken:
        signed = copy.deepcopy(signed)
        signed["name"] = "District Leader"
    return signed


def _checker() -> Any:
    return networked_status_checker(allow_private_network=True)


def test_d14_fifty_entries_and_a_broken_signature_fetch_nothing(black_hole: BlackHole) -> None:
    document = _badge_with_entries(black_hole, 50, broken=True)
    result = verify(document, VerificationPolicy(now=NOW), status_checker=_checker())
    assert not result
    assert "proof.signature_invalid" in {c.id for c in result.failures()}
    status = result.check("status")
    assert status is not None
    assert status.status is Status.SKIPPED
    assert "signature is invalid" in status.message
    time.sleep(0.2)
    assert black_hole.accepted == 0


def test_d14_too_many_entries_with_a_valid_signature_fetch_nothing(black_hole: BlackHole) -> None:
    document = _badge_with_entries(black_hole, 10, broken=False)
    result = verify(document, VerificationPolicy(now=NOW), status_checker=_checker())
    assert "status.too_many_entries" in {c.id for c in result.failures()}
    time.sleep(0.2)
    assert black_hole.accepted == 0


def test_d14_all_network_work_shares_one_budget(black_hole: BlackHole) -> None:
    # Three entries at a host that never answers: each fetch alone may take 5 s, but
    # the verification's budget (1 s here) bounds all of them together.
    document = _badge_with_entries(black_hole, 3, broken=False)
    policy = VerificationPolicy(now=NOW, network_budget=1.0)
    started = time.monotonic()
    result = verify(document, policy, status_checker=_checker())
    elapsed = time.monotonic() - started
    failed = [c for c in result.failures() if c.id == "status.retrieval_failed"]
    assert len(failed) == 3
    assert elapsed < 4.0, elapsed  # three fetches of 5 s each would take 15 s
    assert "used up its time" in failed[-1].message


def test_d15_fetches_to_one_host_past_the_limit_fail_at_once(black_hole: BlackHole) -> None:
    fetcher = Fetcher(FetchPolicy(allow_private_network=True, total_timeout=3.0))
    outcomes: list[str] = []

    def fetch(index: int) -> None:
        try:
            fetcher.fetch(black_hole.url(str(index)))
        except FetchFailedError as exc:
            outcomes.append("busy" if "already waiting" in exc.message else "timeout")

    threads = [threading.Thread(target=fetch, args=(i,)) for i in range(MAX_FETCHES_PER_HOST + 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(outcomes) == ["busy"] * 3 + ["timeout"] * MAX_FETCHES_PER_HOST
    assert black_hole.accepted == MAX_FETCHES_PER_HOST


# --- against a real `laurel serve --workers 2` ---------------------------------------------


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post(port: int, path: str, body: object, timeout: float = 60) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            "POST",
            path,
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _health(port: int, timeout: float) -> float:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/health")
        response = connection.getresponse()
        response.read()
        assert response.status == 200
    finally:
        connection.close()
    return time.monotonic() - started


def _start(log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    laurel = str(Path(sys.executable).parent / "laurel")
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            # 40 requests at once may all land on one worker (whichever accepts first):
            # a queue with room for all of them, so the test measures /health, not shedding.
            [
                *(laurel, "serve", "--port", str(port), "--workers", "2", "--queue", "64"),
                "--allow-private-network",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ},
        )
    return proc, port


@pytest.fixture
def service(tmp_path: Path) -> Iterator[int]:
    log = tmp_path / "serve.log"
    for _attempt in range(3):
        # Another process may take the free port between the probe and the bind.
        proc, port = _start(log)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                _health(port, timeout=2)
                break
            except (OSError, AssertionError):
                time.sleep(0.1)
        if proc.poll() is None:
            break
    else:
        raise AssertionError("laurel serve did not come up:\n" + log.read_text()[-2000:])
    try:
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _health_while(port: int, documents: list[dict[str, Any]]) -> tuple[list[int], list[float]]:
    """POST every document at once; meanwhile ask /health again and again; return both."""
    pauses: list[float] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(documents)) as pool:
        answers = [
            pool.submit(_post, port, "/credentials/verify", {"verifiableCredential": doc})
            for doc in documents
        ]
        while not all(a.done() for a in answers):
            pauses.append(_health(port, timeout=60))
            time.sleep(0.05)
        return [a.result() for a in answers], pauses


@pytest.mark.e2e
@pytest.mark.slow
def test_d15_health_keeps_answering_under_hostile_status_fan_out(
    service: int, black_hole: BlackHole
) -> None:
    hostile = [_badge_with_entries(black_hole, 10, broken=True) for _ in range(30)]
    hostile += [_badge_with_entries(black_hole, 4, broken=False) for _ in range(10)]
    # The baseline, in the same run: as many honest requests (a badge without status).
    honest = [sign(unsigned_badge(issuer=MALLORY), MALLORY) for _ in range(len(hostile))]
    honest_statuses, honest_pauses = _health_while(service, honest)
    statuses, pauses = _health_while(service, hostile)
    assert honest_statuses == [200] * len(honest)
    assert statuses == [422] * len(hostile)
    assert pauses, "the hostile requests finished before /health was asked"
    # /health waits no longer behind hostile requests than behind as many honest ones
    # (plus the time of one slow fetch): without the fixes each forged request held a
    # thread for 50 s (10 fetches of 5 s) and /health waited for minutes.
    slowest = max(honest_pauses, default=0.0)
    assert max(pauses) < slowest + 5.0, (sorted(pauses)[-5:], sorted(honest_pauses)[-5:])
    # The forged ones fetched nothing; the others at most the per-host limit at a time.
    assert black_hole.accepted <= 10 * 4
