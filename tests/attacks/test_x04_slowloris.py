"""X04: slowloris, hundreds of connections that send a request a byte at a time.

`laurel serve` reads requests in granian's Rust I/O: a connection still sending its
headers holds no Python thread, so honest requests beside 300 of them are answered
at once. A slow *body* (R.U.D.Y.) is in the app's hands once its headers are in: it
may hold a slot, never the service, so ``/health`` still answers and verifications
are either served or refused with 503 + Retry-After, quickly; none hangs.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest

from tests.builders import badge
from tests.service_tools import call, laurel_serve

SLOW_CLIENTS = 300
#: An honest request beside the attack must be answered within this (s); unguarded,
#: gunicorn's threads all waited on slow clients and the probes timed out (20 s).
PROMPT = 2.0


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with laurel_serve("--workers", "1", "--no-access-log") as server:
        yield server.port


def _slow_clients(port: int, first_bytes: bytes) -> list[socket.socket]:
    sockets = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(first_bytes)
        sockets.append(sock)
    return sockets


def _trickle(sockets: list[socket.socket], data: bytes) -> None:
    for sock in sockets:
        # The server may have closed it: what a server under slowloris should do.
        with contextlib.suppress(OSError):
            sock.sendall(data)


def _timed(port: int, method: str, path: str, body: object | None = None) -> tuple[int, float]:
    started = time.monotonic()
    status, _, headers = call(port, method, path, body, timeout=20)
    if status == 503:
        assert headers["Retry-After"]
    return status, time.monotonic() - started


def _beside_slow_clients(port: int, head: bytes, trickle: bytes) -> list[int]:
    """Three rounds of a trickle from every slow client, each followed by honest requests:
    /health must answer 200 promptly; the verification statuses are returned."""
    sockets = _slow_clients(port, head)
    statuses = []
    try:
        for _ in range(3):
            _trickle(sockets, trickle)
            status, took = _timed(port, "GET", "/health")
            assert (status, took < PROMPT) == (200, True), took
            status, took = _timed(
                port, "POST", "/credentials/verify", {"verifiableCredential": badge()}
            )
            assert took < PROMPT, (status, took)
            statuses.append(status)
    finally:
        for sock in sockets:
            sock.close()
    return statuses


def test_x04_slow_headers_hold_no_thread(port: int) -> None:
    head = b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\n"
    assert _beside_slow_clients(port, head, b"X-Slow: 1\r\n") == [200, 200, 200]


def test_x04_slow_bodies_never_stall_the_service(port: int) -> None:
    head = (
        b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    )
    assert set(_beside_slow_clients(port, head, b" ")) <= {200, 503}
    # Once the slow clients are gone, the service verifies again.
    deadline = time.monotonic() + 15
    while True:
        status, _ = _timed(port, "POST", "/credentials/verify", {"verifiableCredential": badge()})
        if status == 200:
            break
        assert time.monotonic() < deadline, "the service did not recover"
        time.sleep(0.2)
