"""The guarded fetcher against real HTTPS servers on loopback (never any other address)."""

from __future__ import annotations

import concurrent.futures
import contextlib
import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from vc.did import DidResolver
from vc.errors import DidResolutionError, LaurelError
from verifier.errors import FetchBlockedError, FetchError, FetchFailedError
from verifier.fetch import Fetcher, FetchPolicy

ALLOW = FetchPolicy(allow_private_network=True)

# --------------------------------------------------------------------------- certificates


@dataclass(frozen=True)
class Pki:
    ca: Path
    cert: Path
    key: Path


def _openssl(*args: str, cwd: Path) -> None:
    openssl = shutil.which("openssl")
    assert openssl is not None
    subprocess.run([openssl, *args], cwd=cwd, check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A throwaway CA and a leaf for issuer.test, made with the openssl CLI."""
    if shutil.which("openssl") is None:
        pytest.fail("the openssl command is needed to make test certificates")
    d = tmp_path_factory.mktemp("pki")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=laurel test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=d,
    )  # fmt: skip
    _openssl(
        "req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=issuer.test", cwd=d
    )
    (d / "leaf.ext").write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=DNS:issuer.test,DNS:public.test\n"
        "authorityKeyIdentifier=keyid\n"
        "subjectKeyIdentifier=hash\n"
    )
    _openssl(
        "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext",
        cwd=d,
    )  # fmt: skip
    return Pki(ca=d / "ca.pem", cert=d / "leaf.pem", key=d / "leaf.key")


@pytest.fixture(scope="session")
def client_tls(pki: Pki) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki.ca))
    return ctx


# --------------------------------------------------------------------------- the server

Route = Callable[[http.server.BaseHTTPRequestHandler, "Server"], None]


@dataclass
class Server:
    port: int
    routes: dict[str, Route]
    stopping: threading.Event
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str, host: str = "issuer.test") -> str:
        return f"https://{host}:{self.port}{path}"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_state: Server

    def do_GET(self) -> None:
        state = self.server_state
        state.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = state.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"not found")
            return
        with contextlib.suppress(OSError):
            route(self, state)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Quiet(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@contextlib.contextmanager
def _serve(tls: ssl.SSLContext | None) -> Iterator[Server]:
    stopping = threading.Event()
    state = Server(port=0, routes={}, stopping=stopping)
    handler = type("Handler", (_Handler,), {"server_state": state})
    httpd = _Quiet(("127.0.0.1", 0), handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(
            httpd.socket, server_side=True, do_handshake_on_connect=False
        )
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def server(pki: Pki) -> Iterator[Server]:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(pki.cert, pki.key)
    with _serve(tls) as state:
        yield state


@pytest.fixture
def plain_server() -> Iterator[Server]:
    with _serve(None) as state:
        yield state


# --------------------------------------------------------------------------- spies


class Dns:
    """A resolver spy: host -> answers; every question is recorded."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "no such name")
        return self.answers[host]


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every socket.create_connection address, recorded; connects only to loopback."""
    calls: list[tuple[str, int]] = []
    real = socket.create_connection

    def spy(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        calls.append(address)
        assert address[0] == "127.0.0.1", "tests never connect beyond loopback"
        return real(address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "create_connection", spy)
    return calls


def _loopback() -> Dns:
    return Dns({"issuer.test": ["127.0.0.1"], "wrong.test": ["127.0.0.1"]})


def _fetcher(tls: ssl.SSLContext, policy: FetchPolicy = ALLOW, dns: Dns | None = None) -> Fetcher:
    return Fetcher(policy, resolve=dns or _loopback(), ssl_context=tls)


# --------------------------------------------------------------------------- routes


def body(data: bytes, content_type: str = "application/json", **headers: str) -> Route:
    def route(h: http.server.BaseHTTPRequestHandler, s: Server) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            h.send_header(name.replace("_", "-"), value)
        h.end_headers()
        h.wfile.write(data)

    return route


def chunked(parts: list[bytes] | None, *, endless: bool = False) -> Route:
    def route(h: http.server.BaseHTTPRequestHandler, s: Server) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        if endless:
            piece = b"x" * 4096
            for _ in range(100_000):  # 400 MB at most; the client hangs up long before
                if s.stopping.is_set():
                    return
                h.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            return
        for part in parts or []:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        h.wfile.write(b"0\r\n\r\n")

    return route


def redirect(location: str, status: int = 302) -> Route:
    def route(h: http.server.BaseHTTPRequestHandler, s: Server) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


# --------------------------------------------------------------------------- happy paths


def test_fetches_json_over_pinned_tls(
    server: Server, client_tls: ssl.SSLContext, connects: list[tuple[str, int]]
) -> None:
    server.routes["/doc.json"] = body(b'{"ok": true}')
    dns = _loopback()
    doc = _fetcher(client_tls, dns=dns).fetch(server.url("/doc.json"))
    assert doc.body == b'{"ok": true}'
    assert doc.status == 200
    assert doc.content_type == "application/json"
    assert doc.final_url == server.url("/doc.json")
    assert dns.asked == [("issuer.test", server.port)]
    assert connects == [("127.0.0.1", server.port)]
    path, headers = server.requests[0]
    assert path == "/doc.json"
    assert headers["host"] == f"issuer.test:{server.port}"
    assert headers["accept-encoding"] == "identity"
    assert headers["accept"] == "application/json"
    assert headers["user-agent"].startswith("laurel/")
    assert "cookie" not in headers


def test_fetches_chunked_body(server: Server, client_tls: ssl.SSLContext) -> None:
    server.routes["/c"] = chunked([b'{"a":', b" 1", b"}"])
    assert _fetcher(client_tls)(server.url("/c")) == b'{"a": 1}'


def test_call_returns_body_as_did_web_fetcher(server: Server, client_tls: ssl.SSLContext) -> None:
    server.routes["/x"] = body(b"[]")
    assert _fetcher(client_tls)(server.url("/x?q=1")) == b"[]"
    assert server.requests[0][0] == "/x?q=1"


def test_plain_http_allowed_only_to_private_with_flag(
    plain_server: Server, client_tls: ssl.SSLContext
) -> None:
    plain_server.routes["/p"] = body(b"{}")
    url = f"http://issuer.test:{plain_server.port}/p"
    assert _fetcher(client_tls)(url) == b"{}"
    with pytest.raises(FetchBlockedError):
        _fetcher(client_tls, FetchPolicy())(url)


# --------------------------------------------------------------------------- size and time


def test_50mb_body_is_cut_at_the_cap(server: Server, client_tls: ssl.SSLContext) -> None:
    def huge(h: http.server.BaseHTTPRequestHandler, s: Server) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(50 * 1024 * 1024))
        h.end_headers()
        block = b" " * 65536
        for _ in range(800):
            if s.stopping.is_set():
                return
            h.wfile.write(block)

    server.routes["/huge"] = huge
    start = time.monotonic()
    with pytest.raises(FetchFailedError, match=f"larger than {256 * 1024} bytes"):
        _fetcher(client_tls)(server.url("/huge"))
    assert time.monotonic() - start < 2


def test_lying_small_content_length_still_capped(
    server: Server, client_tls: ssl.SSLContext
) -> None:
    server.routes["/b"] = body(b"y" * 2000)
    with pytest.raises(FetchFailedError, match="larger than 1000 bytes"):
        _fetcher(client_tls).fetch(server.url("/b"), max_bytes=1000)
    assert _fetcher(client_tls).fetch(server.url("/b"), max_bytes=2000).body == b"y" * 2000


def test_endless_chunked_stream_is_cut(server: Server, client_tls: ssl.SSLContext) -> None:
    server.routes["/endless"] = chunked(None, endless=True)
    with pytest.raises(FetchFailedError, match="larger than"):
        _fetcher(client_tls)(server.url("/endless"))


def _drip(head: bytes) -> Route:
    def route(h: http.server.BaseHTTPRequestHandler, s: Server) -> None:
        h.wfile.write(head)
        h.wfile.flush()
        for _ in range(20):  # bounded: 20 s at most, and stops with the server
            if s.stopping.wait(1.0):
                return
            h.wfile.write(b" ")
            h.wfile.flush()

    return route


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n",  # drip in the body
        b"HTTP/1.1 200 OK\r\n",  # drip in the headers
    ],
    ids=["body", "headers"],
)
def test_one_byte_per_second_drip_fails_at_the_deadline(
    server: Server, client_tls: ssl.SSLContext, head: bytes
) -> None:
    server.routes["/drip"] = _drip(head)
    policy = FetchPolicy(allow_private_network=True, total_timeout=1.5)
    start = time.monotonic()
    with pytest.raises(FetchFailedError, match=r"took longer than 1\.5 s"):
        _fetcher(client_tls, policy)(server.url("/drip"))
    assert time.monotonic() - start < 1.5 + 1


# --------------------------------------------------------------------------- redirects


def test_redirect_to_metadata_service_is_blocked(
    server: Server, client_tls: ssl.SSLContext, connects: list[tuple[str, int]]
) -> None:
    server.routes["/r"] = redirect("http://169.254.169.254/latest/meta-data")
    dns = _loopback()
    with pytest.raises(FetchBlockedError, match="link-local"):
        _fetcher(client_tls, dns=dns)(server.url("/r"))
    assert dns.asked == [("issuer.test", server.port)]
    assert connects == [("127.0.0.1", server.port)]


def test_redirect_to_plain_http_is_blocked(
    server: Server, client_tls: ssl.SSLContext, connects: list[tuple[str, int]]
) -> None:
    server.routes["/r"] = redirect("http://public.test/did.json")
    dns = Dns({"issuer.test": ["127.0.0.1"], "public.test": ["93.184.216.34"]})
    with pytest.raises(FetchBlockedError, match="only https"):
        _fetcher(client_tls, dns=dns)(server.url("/r"))
    assert connects == [("127.0.0.1", server.port)]


def test_relative_location_is_followed(server: Server, client_tls: ssl.SSLContext) -> None:
    server.routes["/a/start"] = redirect("../b/end", 301)
    server.routes["/b/end"] = body(b'"done"')
    doc = _fetcher(client_tls).fetch(server.url("/a/start"))
    assert doc.body == b'"done"'
    assert doc.final_url == server.url("/b/end")


def test_three_redirects_allowed_four_refused(server: Server, client_tls: ssl.SSLContext) -> None:
    for i in range(4):
        server.routes[f"/{i}"] = redirect(f"/{i + 1}", 307)
    server.routes["/4"] = body(b"{}")
    assert _fetcher(client_tls)(server.url("/1")) == b"{}"
    with pytest.raises(FetchFailedError, match="more than 3 times"):
        _fetcher(client_tls)(server.url("/0"))


def test_redirect_loop_is_refused(server: Server, client_tls: ssl.SSLContext) -> None:
    server.routes["/ping"] = redirect("/pong", 308)
    server.routes["/pong"] = redirect("/ping", 303)
    with pytest.raises(FetchFailedError, match="loop"):
        _fetcher(client_tls)(server.url("/ping"))


# --------------------------------------------------------------------------- the address guard


@pytest.mark.parametrize(
    "answers",
    [
        ["10.0.0.5"],
        ["100.100.100.200"],
        ["::1"],
        ["::ffff:127.0.0.1"],
        ["127.0.0.1"],
        ["169.254.169.254"],
        ["fd00::1"],
        ["::127.0.0.1"],
        ["2002:7f00:1::"],
        ["0.0.0.0"],  # noqa: S104 (an answer to refuse, not a bind)
        ["93.184.216.34", "10.0.0.5"],  # rebinding: public first, private next
    ],
    ids=lambda a: ",".join(a),
)
def test_private_answers_are_blocked_with_zero_connects(
    client_tls: ssl.SSLContext, connects: list[tuple[str, int]], answers: list[str]
) -> None:
    dns = Dns({"issuer.test": answers})
    with pytest.raises(FetchBlockedError):
        Fetcher(resolve=dns, ssl_context=client_tls)("https://issuer.test/.well-known/did.json")
    assert dns.asked == [("issuer.test", 443)]
    assert connects == []


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/",
        "https://[::1]/",
        "https://169.254.169.254/latest/meta-data",
        "https://metadata.google.internal/computeMetadata/v1/",
    ],
)
def test_ip_literals_and_metadata_names_are_blocked_without_dns(
    client_tls: ssl.SSLContext, connects: list[tuple[str, int]], url: str
) -> None:
    dns = Dns({})
    with pytest.raises(FetchBlockedError):
        Fetcher(resolve=dns, ssl_context=client_tls)(url)
    assert dns.asked == []
    assert connects == []


@pytest.mark.parametrize(
    "answer",
    ["169.254.169.254", "100.100.100.200", "fd00:ec2::254", "::ffff:169.254.169.254", "::"],
)
def test_metadata_address_blocked_even_when_private_network_allowed(
    connects: list[tuple[str, int]], answer: str
) -> None:
    dns = Dns({"issuer.test": [answer]})
    with pytest.raises(FetchBlockedError, match="link-local"):
        Fetcher(ALLOW, resolve=dns)("https://issuer.test/")
    assert connects == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://issuer.test/did.json",
        "gopher://issuer.test:70/_GET",
        "data:application/json,{}",
        "http://issuer.test/did.json",
        "https://user:pw@issuer.test/",
    ],
)
def test_other_schemes_are_blocked_with_zero_sockets(
    connects: list[tuple[str, int]], url: str
) -> None:
    dns = Dns({"issuer.test": ["93.184.216.34"]})
    with pytest.raises(FetchBlockedError) as info:
        Fetcher(resolve=dns)(url)
    assert connects == []
    assert isinstance(info.value, LaurelError)


def test_unresolvable_host_fails(connects: list[tuple[str, int]]) -> None:
    with pytest.raises(FetchFailedError, match="could not resolve"):
        Fetcher(resolve=Dns({}))("https://nowhere.test/")
    assert connects == []


# --------------------------------------------------------------------------- HTTP and TLS errors


def test_wrong_tls_hostname_fails(server: Server, client_tls: ssl.SSLContext) -> None:
    with pytest.raises(FetchFailedError, match="TLS certificate"):
        _fetcher(client_tls)(server.url("/x", host="wrong.test"))


def test_untrusted_ca_fails(server: Server) -> None:
    with pytest.raises(FetchFailedError, match="TLS certificate"):
        Fetcher(ALLOW, resolve=_loopback())(server.url("/x"))


def test_404_fails_naming_status_without_body(server: Server, client_tls: ssl.SSLContext) -> None:
    with pytest.raises(FetchFailedError, match="HTTP 404") as info:
        _fetcher(client_tls)(server.url("/missing"))
    assert "not found" not in str(info.value)


def test_gzip_content_encoding_refused(server: Server, client_tls: ssl.SSLContext) -> None:
    server.routes["/gz"] = body(b"\x1f\x8b\x08\x00", Content_Encoding="gzip")
    with pytest.raises(FetchFailedError, match="gzip"):
        _fetcher(client_tls)(server.url("/gz"))


def test_long_urls_are_truncated_in_messages(client_tls: ssl.SSLContext) -> None:
    url = "ftp://issuer.test/" + "a" * 500
    with pytest.raises(FetchBlockedError) as info:
        Fetcher()(url)
    assert len(str(info.value)) < 220
    assert isinstance(info.value, FetchError)


def test_policy_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAUREL_ALLOW_PRIVATE_NETWORK", raising=False)
    assert FetchPolicy.from_env() == FetchPolicy()
    monkeypatch.setenv("LAUREL_ALLOW_PRIVATE_NETWORK", "1")
    assert FetchPolicy.from_env().allow_private_network is True
    assert FetchPolicy.from_env(max_bytes=10).max_bytes == 10
    assert FetchPolicy.from_env(allow_private_network=False).allow_private_network is False
    with pytest.raises(ValueError, match="positive"):
        FetchPolicy(total_timeout=0)


# --------------------------------------------------------------------------- did:web end to end


def _did_document(did: str) -> bytes:
    return json.dumps({"@context": ["https://www.w3.org/ns/did/v1"], "id": did}).encode()


def test_did_web_resolves_well_known(server: Server, client_tls: ssl.SSLContext) -> None:
    did = f"did:web:issuer.test%3A{server.port}"
    server.routes["/.well-known/did.json"] = body(_did_document(did))
    doc = DidResolver(web_fetcher=_fetcher(client_tls)).resolve(did)
    assert doc.id == did


def test_did_web_resolves_path(server: Server, client_tls: ssl.SSLContext) -> None:
    did = f"did:web:issuer.test%3A{server.port}:users:alice"
    server.routes["/users/alice/did.json"] = body(_did_document(did))
    assert DidResolver(web_fetcher=_fetcher(client_tls)).resolve(did).id == did


def test_did_web_id_mismatch(server: Server, client_tls: ssl.SSLContext) -> None:
    did = f"did:web:issuer.test%3A{server.port}"
    server.routes["/.well-known/did.json"] = body(_did_document("did:web:evil.test"))
    with pytest.raises(DidResolutionError) as info:
        DidResolver(web_fetcher=_fetcher(client_tls)).resolve(did)
    assert info.value.code == "invalidDidDocument"


def test_did_web_on_loopback_blocked_by_default(
    server: Server, client_tls: ssl.SSLContext, connects: list[tuple[str, int]]
) -> None:
    did = f"did:web:issuer.test%3A{server.port}"
    resolver = DidResolver(web_fetcher=_fetcher(client_tls, FetchPolicy()))
    with pytest.raises(FetchBlockedError):
        resolver.resolve(did)
    assert connects == []


# --------------------------------------------------------------------------- the pipeline over did:web


def _did_web_badge(tmp_path: Path, did: str) -> tuple[dict, bytes]:
    """A badge issued by a real did:web wallet, and the did.json that wallet publishes."""
    import datetime as dt

    from wallet.home import Wallet
    from wallet.issuer import IssueOptions, issue_badge, load_achievement
    from wallet.keystore import KdfParams

    wallet = Wallet.create(
        tmp_path / "district",
        name="Riverside",
        passphrase="pass phrase!",
        did_web=did,
        kdf=KdfParams.for_tests(),
    )
    achievement = load_achievement(b'{"name": "x", "description": "y", "criteria": "z"}')
    options = IssueOptions(now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    stored = issue_badge(wallet, "pass phrase!", achievement, "did:example:teacher", options)
    document = json.dumps(wallet.did_document()).encode()
    wallet.close()
    return stored.document, document


def test_did_web_badge_verifies_end_to_end(
    server: Server, client_tls: ssl.SSLContext, tmp_path: Path
) -> None:
    import datetime as dt

    from verifier import VerificationPolicy, verify

    did = f"did:web:issuer.test%3A{server.port}"
    badge, did_json = _did_web_badge(tmp_path, did)
    server.routes["/.well-known/did.json"] = body(did_json)
    policy = VerificationPolicy(now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    resolver = DidResolver(web_fetcher=_fetcher(client_tls))
    result = verify(badge, policy, resolver=resolver)
    assert result.verified, [(c.id, c.message) for c in result.failures()]
    assert result.check("issuer.key_binding") is not None
    # Cached: a second verification does not fetch again.
    fetched = len(server.requests)
    assert verify(badge, policy, resolver=resolver)
    assert len(server.requests) == fetched


def test_did_web_badge_with_unreachable_or_blocked_host(
    server: Server, client_tls: ssl.SSLContext, tmp_path: Path
) -> None:
    import datetime as dt

    from verifier import VerificationPolicy, verify

    did = f"did:web:issuer.test%3A{server.port}"
    badge, _ = _did_web_badge(tmp_path, did)
    policy = VerificationPolicy(now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    missing = verify(badge, policy, resolver=DidResolver(web_fetcher=_fetcher(client_tls)))
    assert [c.id for c in missing.failures()] == ["issuer.did_unresolved"]
    blocked = verify(
        badge, policy, resolver=DidResolver(web_fetcher=_fetcher(client_tls, FetchPolicy()))
    )
    assert [c.id for c in blocked.failures()] == ["issuer.did_fetch_blocked"]


# --------------------------------------------------------------------------- shared exchanges


def test_https_exchanges_are_shared_only_under_one_trust_store(
    server: Server, client_tls: ssl.SSLContext, pki: Pki
) -> None:
    # Concurrent GETs of one URL share one exchange (verifier.shared_fetches), but a
    # document fetched under one trust store is never handed to a fetcher with another.
    def late(h: http.server.BaseHTTPRequestHandler, s: Server) -> None:
        time.sleep(0.8)
        body(b'{"ok": true}')(h, s)

    server.routes["/list"] = late
    other_tls = ssl.create_default_context(cafile=str(pki.ca))
    fetchers = [_fetcher(client_tls), _fetcher(client_tls), _fetcher(other_tls)]
    start = threading.Barrier(len(fetchers))

    def fetch(fetcher: Fetcher) -> bytes:
        start.wait()
        return fetcher.fetch(server.url("/list")).body

    with concurrent.futures.ThreadPoolExecutor(len(fetchers)) as pool:
        bodies = list(pool.map(fetch, fetchers))
    assert bodies == [b'{"ok": true}'] * 3
    assert [path for path, _ in server.requests] == ["/list", "/list"]  # two trust stores
