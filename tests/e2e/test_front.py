"""`laurel serve --front nginx`: Debian's nginx in front of the workers, on loopback.

nginx passes requests on to the workers and refuses, itself, those past what they
hold: the workers' own 503 (problem body, Retry-After) without a Python thread, so
at once. It writes the peer's address in X-Forwarded-For, never the client's word
(SECURITY.md X13). scripts/nginx installs nginx.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.builders import badge
from tests.service_tools import LaurelServe, call, laurel_serve, serving_in_a_thread
from verifier.front import free_loopback_port, running_front
from verifier.limits import OVERLOADED_BODY

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def front() -> Iterator[LaurelServe]:
    with laurel_serve("--front", "nginx", "--workers", "1") as server:
        yield server


class _Slow(BaseHTTPRequestHandler):
    # The workers, as the front sees them: POST /hold answers after 3 s, the rest at once.
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/hold":
            time.sleep(3)
        body = json.dumps({"forwarded": self.headers.get("X-Forwarded-For")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@contextlib.contextmanager
def _front_of_stub(bound: int) -> Iterator[int]:
    stub = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    stub.daemon_threads = True
    with serving_in_a_thread(stub):
        port = free_loopback_port()
        with running_front(
            host="127.0.0.1", port=port, upstream_port=stub.server_address[1], bound=bound
        ):
            yield port


@contextlib.contextmanager
def _slow_bodies(port: int, count: int) -> Iterator[None]:
    # Clients that send their headers and then nothing of the body they promised.
    held = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(
                b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            )
            held.append(sock)
        time.sleep(0.3)  # read by nginx
        yield
    finally:
        for sock in held:
            sock.close()


def test_past_the_bound_the_front_refuses_at_once_with_the_workers_own_503() -> None:
    with _front_of_stub(bound=2) as port, concurrent.futures.ThreadPoolExecutor(2) as pool:
        holding = [pool.submit(call, port, "POST", "/hold", {}) for _ in range(2)]
        time.sleep(0.5)  # both at the workers
        started = time.perf_counter()
        status, body, headers = call(port, "POST", "/credentials/verify", {})
        took = time.perf_counter() - started
        held = [future.result(timeout=20)[0] for future in holding]
    assert held == [200, 200]
    assert status == 503
    assert body == json.loads(OVERLOADED_BODY)
    assert headers["Retry-After"] == "1"
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert took < 1.0  # not queued behind the two held for 3 s


def test_x04_slow_bodies_are_held_by_the_front_and_never_counted() -> None:
    # Without a front, a slow body holds a worker's slot (X04); behind it, nginx reads
    # the body first, and only a whole request counts against the bound.
    with _front_of_stub(bound=2) as port, _slow_bodies(port, 20):
        answers = [call(port, "POST", "/fast", {})[0] for _ in range(5)]
    assert answers == [200] * 5


def test_behind_nginx_a_badge_verifies_and_the_answer_is_the_workers(front: LaurelServe) -> None:
    status, body, headers = call(
        front.port, "POST", "/credentials/verify", {"verifiableCredential": badge()}
    )
    assert status == 200
    assert body["verified"] is True
    assert headers["Server"] == "nginx"  # through the front, its version not told
    assert headers["X-Request-Id"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert call(front.port, "GET", "/health")[0] == 200


def test_x13_a_forged_x_forwarded_for_does_not_evade_the_per_client_limit(
    front: LaurelServe,
) -> None:
    # POST /challenges: 60 a minute per client. Behind the front the workers believe one
    # hop of X-Forwarded-For, which nginx writes itself: a client naming itself someone
    # new at each request is still the one peer.
    answers = [
        call(
            front.port,
            "POST",
            "/challenges",
            {},
            headers={"X-Forwarded-For": f"198.51.100.{i % 250}"},
        )[0]
        for i in range(70)
    ]
    assert answers[0] in (200, 201)
    assert 429 in answers
    assert answers.index(429) <= 61


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        with contextlib.suppress(OSError):
            with open(f"/proc/{parent}/task/{parent}/children") as listing:
                children = [int(child) for child in listing.read().split()]
            found.update(children)
            todo.extend(children)
    return found


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_laurel_serve_killed_outright_leaves_no_worker_or_nginx_serving() -> None:
    # kill -9 runs no cleanup: each granian worker and nginx asked the kernel for SIGTERM
    # when their parent dies (verifier/parent_death.py); nginx's workers follow its master.
    server = LaurelServe("--front", "nginx", "--workers", "2").start()
    assert server.proc is not None
    left = _descendants(server.proc.pid)
    assert len(left) >= 5  # two granian workers, nginx's master and its two workers
    server.proc.kill()
    server.proc.wait()
    # A worker stops as at Ctrl-C, its requests finished: seconds, more on a loaded machine.
    deadline = time.monotonic() + 60
    while running := {pid for pid in left if _running(pid)}:
        assert time.monotonic() < deadline, f"still running: {sorted(running)}"
        time.sleep(0.1)
    with pytest.raises(ConnectionRefusedError):  # nobody left on the port
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
