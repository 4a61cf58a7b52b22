"""Faults around a running `laurel serve`: the status host down, slow (10 s) or answering
garbage, while other requests keep being served.

Badges whose status lives on the faulty host answer 422 by name within the fetch
deadline; meanwhile plain did:key badges verify at their usual pace, and /health
answers. Nothing is lost: once the host is back, the same badge verifies.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import http.server
import json
import threading
import time
from collections.abc import Iterator

import pytest

from tests.builders import badge
from tests.service_tools import call, free_port, laurel_serve
from tests.verifier.test_status import INDEX, badge_with_status, signed_list
from vc.status import status_entry

pytestmark = pytest.mark.e2e


class StatusHost:
    """A loopback status host whose behaviour the test switches: ok, late, slow, garbage, down."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mode = "ok"
        self.fetches = 0
        self.url = f"http://127.0.0.1:{self.port}/status/1"
        self.list = json.dumps(signed_list(url=self.url)).encode()
        self.stopping = threading.Event()
        self.server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> None:
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.fetches += 1
                if host.mode == "slow":
                    host.stopping.wait(10.0)
                elif host.mode == "late":  # a distant host: answers, in its own time
                    host.stopping.wait(1.0)
                body = b"\x00garbage{" * 50 if host.mode == "garbage" else host.list
                with contextlib.suppress(OSError):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/vc+ld+json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.stopping.set()
            self.server.shutdown()
            self.server.server_close()
            self.server = None
            self.stopping.clear()


@pytest.fixture(scope="module")
def host() -> Iterator[StatusHost]:
    status_host = StatusHost()
    status_host.start()
    try:
        yield status_host
    finally:
        status_host.stop()


@pytest.fixture(scope="module")
def service() -> Iterator[int]:
    # Each test's status list is cached per worker: a fresh service per module, and the
    # faulty host is only ever asked for a list nobody cached (another index, same URL
    # is fine: the cache is per list, so each test uses its own list URL below).
    with laurel_serve("--workers", "2", "--allow-private-network") as server:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:  # warm every worker and thread
            list(pool.map(lambda _: _verify(server.port, badge()), range(32)))
        yield server.port


def _verify(port: int, document: dict) -> tuple[int, dict, float]:
    started = time.monotonic()
    status, body, _ = call(port, "POST", "/credentials/verify", {"verifiableCredential": document})
    return status, body, time.monotonic() - started


@pytest.mark.parametrize(
    ("mode", "check_id"),
    [
        ("down", "status.retrieval_failed"),
        ("slow", "status.retrieval_failed"),
        ("garbage", "status.list_invalid"),
    ],
)
def test_a_faulty_status_host_holds_only_its_own_requests(
    mode: str, check_id: str, host: StatusHost, service: int
) -> None:
    # A list URL no worker has cached yet (the query makes it another list).
    url = f"{host.url}?{mode}"
    host.list = json.dumps(signed_list(url=url)).encode()
    affected = badge_with_status(status_entry(list_url=url, index=INDEX, purpose="revocation"))
    if mode == "down":
        host.stop()
    host.mode = mode
    try:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            pending = [pool.submit(_verify, service, affected) for _ in range(4)]
            time.sleep(0.3)  # the affected requests are in flight
            plain = [_verify(service, badge()) for _ in range(10)]
            health = call(service, "GET", "/health")[0]
            answers = [p.result(timeout=30) for p in pending]
    finally:
        host.mode = "ok"
        if host.server is None:
            host.start()
    assert [status for status, _, _ in plain] == [200] * 10
    # Not queued behind the held requests: each well inside the 5 s they may take (a
    # loaded CI machine is slow, never that slow).
    assert max(seconds for _, _, seconds in plain) < 2.5, plain
    assert health == 200
    for status, body, seconds in answers:
        assert status == 422
        assert check_id in body["errors"], body["errors"]
        assert seconds < 8.0  # the 5 s fetch deadline, not the host's 10 s
    # Nothing lost: with the host healthy again the same badge verifies.
    status, body, _ = _verify(service, affected)
    assert (status, body["verified"]) == (200, True), body["errors"]


def test_a_burst_naming_one_new_list_fetches_it_once_per_worker(
    host: StatusHost, service: int
) -> None:
    # Eight employers verify badges of one district at once, and its list is in no
    # worker's cache; its host takes a second to answer. Each worker fetches it once and
    # every request waits for that answer (before, past three fetches to one host the
    # rest failed as if the host were down). Eight: even all on one worker, each can
    # wait with its work slot lent.
    url = f"{host.url}?burst"
    host.list = json.dumps(signed_list(url=url)).encode()
    affected = badge_with_status(status_entry(list_url=url, index=INDEX, purpose="revocation"))
    host.mode, host.fetches = "late", 0
    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: _verify(service, affected), range(8)))
    finally:
        host.mode = "ok"
    assert [(status, body["verified"]) for status, body, _ in answers] == [(200, True)] * 8, [
        body["errors"] for _, body, _ in answers
    ]
    assert host.fetches in (1, 2), host.fetches  # once per worker at most (was up to 6)
