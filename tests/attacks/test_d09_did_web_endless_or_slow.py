"""D09: did.json of 50 MB, a 1 byte/s drip, an endless chunked stream: issuer.did_unresolved."""

from __future__ import annotations

import http.server
import ssl
import time

import pytest

from tests.attacks.conftest import Dns, Server, chunked, failed, verify_document, web_badge
from vc.did import DidResolver
from verifier.fetch import Fetcher, FetchPolicy


def _huge(h: http.server.BaseHTTPRequestHandler, s: Server) -> None:
    h.send_response(200)
    h.send_header("Content-Length", str(50 * 1024 * 1024))
    h.end_headers()
    for _ in range(800):
        if s.stopping.is_set():
            return
        h.wfile.write(b" " * 65536)


def _drip(h: http.server.BaseHTTPRequestHandler, s: Server) -> None:
    h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{")
    h.wfile.flush()
    for _ in range(20):  # 20 s at most, and stops with the server
        if s.stopping.wait(1.0):
            return
        h.wfile.write(b" ")
        h.wfile.flush()


@pytest.mark.parametrize("kind", ["huge", "drip", "endless"])
def test_d09_is_did_unresolved_within_the_deadline(
    kind: str, server: Server, client_tls: ssl.SSLContext
) -> None:
    did = f"did:web:issuer.test%3A{server.port}"
    server.routes["/.well-known/did.json"] = {
        "huge": _huge,
        "drip": _drip,
        "endless": chunked(None, endless=True),
    }[kind]
    policy = FetchPolicy(allow_private_network=True, total_timeout=2.0)
    fetcher = Fetcher(policy, resolve=Dns({"issuer.test": ["127.0.0.1"]}), ssl_context=client_tls)
    started = time.monotonic()
    result = verify_document(web_badge(did), DidResolver(web_fetcher=fetcher))
    assert failed(result) == ["issuer.did_unresolved"]
    assert time.monotonic() - started < 2.0 + 1.5
