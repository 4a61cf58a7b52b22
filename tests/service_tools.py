"""Real services on loopback for the tests: `laurel serve` instances, a Flask app in a thread, Redis."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

LAUREL = str(Path(sys.executable).parent / "laurel")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(
    port: int,
    method: str,
    path: str,
    body: object | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, Any], http.client.HTTPMessage]:
    """One HTTP request to 127.0.0.1:`port`: status, JSON body (or {}), headers.

    The headers are looked up without regard to case, as HTTP names them.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} if payload is not None else {}
        sent.update(headers or {})
        connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        raw = response.read()
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {"_text": raw.decode("utf-8", "replace")}
        return response.status, parsed, response.msg
    finally:
        connection.close()


class RedisServer:
    """Debian's redis-server on a loopback port, no persistence; stop and start at will."""

    def __init__(self, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run scripts/redis")
        self.binary = binary
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        """The ``redis://`` URI of this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers PING."""
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock,
            ):
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
            assert self.proc.poll() is None, "redis-server exited"
            time.sleep(0.05)
        raise RuntimeError("redis-server did not come up")

    def flush(self) -> None:
        """Forget everything (challenges, counters)."""
        import redis

        client = redis.Redis.from_url(self.uri)
        try:
            client.flushdb()
        finally:
            client.close()

    def stop(self) -> None:
        """Kill it (as a crash would: nothing is saved)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A running Redis on loopback, stopped afterwards."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def listeners(port: int) -> int:
    """How many sockets listen on 127.0.0.1:`port` (a `laurel serve` worker has one each)."""
    local = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return sum(1 for row in rows if row[1] == local and row[3] == "0A")


class LaurelServe:
    """One `laurel serve` process on a loopback port (`port`, or a free one)."""

    def __init__(
        self, *args: str, env: Mapping[str, str] | None = None, port: int | None = None
    ) -> None:
        self.port = port or free_port()
        self.args = args
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> LaurelServe:
        """Start it and wait for /health."""
        self.proc = subprocess.Popen(
            [LAUREL, "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self.env,
        )
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                # /health answers once one worker serves; the others may still be warming
                # up (verifier.warm), with no socket yet: wait for every worker's.
                if (
                    call(self.port, "GET", "/health", timeout=5)[0] == 200
                    and listeners(self.port) >= self._workers()
                ):
                    return self
            assert self.proc.poll() is None, "laurel serve exited"
            assert time.monotonic() < deadline, "laurel serve did not come up"
            time.sleep(0.1)

    def _workers(self) -> int:
        # Sockets on the port: one per worker, or the front's one (its workers are behind).
        args = list(self.args)
        if "--front" in args:
            return 1
        return int(args[args.index("--workers") + 1]) if "--workers" in args else 2

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


@contextlib.contextmanager
def laurel_serve(
    *args: str, env: Mapping[str, str] | None = None, port: int | None = None
) -> Iterator[LaurelServe]:
    """A running `laurel serve`, stopped afterwards."""
    server = LaurelServe(*args, env=env, port=port)
    try:
        yield server.start()
    finally:
        server.stop()


@contextlib.contextmanager
def serving_in_a_thread(server: socketserver.TCPServer) -> Iterator[str]:
    """`server` (any socketserver on 127.0.0.1) serving from a thread; its base URL.

    Shut down and closed afterwards.
    """
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextlib.contextmanager
def serve_app(app: Any, port: int = 0) -> Iterator[str]:
    """`app` served by werkzeug in a thread on 127.0.0.1:`port` (0: a free one); its base URL."""
    from werkzeug.serving import make_server

    with serving_in_a_thread(make_server("127.0.0.1", port, app, threaded=True)) as base:
        yield base
