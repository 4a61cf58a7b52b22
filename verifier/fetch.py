"""The one guarded HTTP client every outbound request of the verifier goes through.

    >>> from verifier.fetch import Fetcher, FetchPolicy
    >>> from verifier.errors import FetchBlockedError
    >>> fetcher = Fetcher(FetchPolicy())
    >>> try:
    ...     fetcher.fetch("file:///etc/passwd")
    ... except FetchBlockedError as exc:
    ...     print(exc)
    refused to fetch 'file:///etc/passwd': only https:// URLs are fetched

Every fetch is hostile (SECURITY.md rule 6, "outbound fetch"):

* ``https`` only; plain ``http`` only with ``allow_private_network`` and only to a
  private or loopback address.
* The host is resolved once; if *any* address is in a blocked range the fetch is
  refused, otherwise the socket connects to that checked address while TLS verifies
  the certificate against the host name (no second lookup: DNS rebinding safe).
* Redirects are followed by hand, at most ``max_redirects``, each target checked again
  from scratch.
* The body is capped at ``max_bytes`` whatever Content-Length says, and the whole
  fetch (redirects and a slow drip included) at ``total_timeout`` seconds (the
  endless-data and slow-retrieval attacks of TUF).
* No cookies, no proxy environment variables, no compression.
* Inside a :func:`verifier.budget.network_budget` (one verification), the deadline is
  also cut to what is left of the budget, and nothing is sent once it is spent.
* At most :data:`MAX_FETCHES_PER_HOST` fetches to one host are in flight in a process:
  past that a fetch fails at once, so a host that never answers holds few workers.

Fetcher instances satisfy :class:`vc.did.DidWebFetcher`: ``fetcher(url)`` is the body.
"""

from __future__ import annotations

import dataclasses
import http.client
import io
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any, cast

from verifier import budget
from verifier.errors import FetchBlockedError, FetchFailedError

__all__ = [
    "BLOCKED_RANGES",
    "MAX_FETCHES_PER_HOST",
    "FetchPolicy",
    "FetchedDocument",
    "Fetcher",
    "default_resolve",
]

#: Fetches to one host in flight at once in one process (SECURITY.md D15).
MAX_FETCHES_PER_HOST = 3

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"https": 443, "http": 80}
_URL_IN_MESSAGE = 120
_READ_CHUNK = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# Cloud metadata services by name: refused before any lookup, whatever the policy.
_METADATA_NAMES = frozenset(
    {
        "metadata.google.internal",
        "metadata.goog",
        "metadata",
        "instance-data",
        "instance-data.ec2.internal",
    }
)


def _nets(*cidrs: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# Reachable with allow_private_network (a verifier inside an intranet); refused by default.
_PRIVATE = _nets(
    "127.0.0.0/8",  # loopback
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",  # RFC 1918
    "100.64.0.0/10",  # CGNAT (RFC 6598)
    "::1/128",  # loopback
    "fc00::/7",  # unique local (RFC 4193)
)
# Never reachable: metadata endpoints and addresses that are no host's address.
_NEVER = _nets(
    "169.254.169.254/32",  # AWS, GCP, Azure, OpenStack metadata
    "100.100.100.200/32",  # Alibaba Cloud metadata
    "fd00:ec2::254/128",  # AWS metadata over IPv6
    "0.0.0.0/8",  # "this network", unspecified
    "169.254.0.0/16",  # link-local
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved, and 255.255.255.255 broadcast
    "::/96",  # unspecified, and IPv4-compatible (deprecated, RFC 4291)
    "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215)
    "fe80::/10",  # link-local
    "ff00::/8",  # multicast
)
# Blocked-range summary for documentation and reports.
BLOCKED_RANGES = tuple(str(n) for n in (*_PRIVATE, *_NEVER))

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _user_agent() -> str:
    try:
        version = metadata.version("laurel")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"laurel/{version}"


_USER_AGENT = _user_agent()


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits of one fetch (SECURITY.md §2, "outbound fetch").

    `allow_private_network` also permits plain ``http://``, but only to private or
    loopback addresses; link-local, metadata, multicast and reserved addresses are
    refused whatever the policy.
    """

    allow_private_network: bool = False
    connect_timeout: float = 2.0
    total_timeout: float = 5.0
    max_redirects: int = 3
    max_bytes: int = 256 * 1024

    def __post_init__(self) -> None:
        if not (self.connect_timeout > 0 and self.total_timeout > 0):
            raise ValueError("timeouts must be positive")
        if self.max_redirects < 0 or self.max_bytes < 0:
            raise ValueError("max_redirects and max_bytes must not be negative")

    @classmethod
    def from_env(cls, **overrides: Any) -> FetchPolicy:
        """The default policy, with ``LAUREL_ALLOW_PRIVATE_NETWORK=1`` honoured.

        Keyword `overrides` win over the environment.

        Raises:
            TypeError: an override names no field of the policy.
        """
        flag = os.environ.get("LAUREL_ALLOW_PRIVATE_NETWORK", "").strip().lower()
        values: dict[str, Any] = {"allow_private_network": flag in ("1", "true", "yes", "on")}
        values.update(overrides)
        return dataclasses.replace(cls(), **values)


@dataclass(frozen=True, slots=True)
class FetchedDocument:
    """A successful (2xx) response: where it finally came from, and its body."""

    final_url: str
    status: int
    content_type: str
    body: bytes
    #: The response headers, names in lower case (ETag, Cache-Control...).
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def etag(self) -> str | None:
        """The response's entity tag when it is one laurel may send back (short, printable)."""
        return _etag(self.headers.get("etag"))

    @property
    def max_age(self) -> float | None:
        """Seconds ``Cache-Control`` lets this answer be used without asking again (None: unsaid)."""
        return _max_age(self.headers.get("cache-control"))


#: An entity tag laurel keeps and sends back (RFC 9110, "ETag"): short and printable.
_ETAG = re.compile(r'(?:W/)?"[\x21\x23-\x7e]{0,200}"')
#: The longest max-age honoured: a day, whatever a host says.
_MAX_AGE_CAP = 86_400


def _etag(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if _ETAG.fullmatch(value) else None


def _max_age(cache_control: str | None) -> float | None:
    """The freshness lifetime ``Cache-Control`` gives (RFC 9111, "max-age", "no-cache")."""
    found: float | None = None
    for directive in (cache_control or "").lower().split(","):
        name, _, value = directive.strip().partition("=")
        if name in ("no-cache", "no-store"):
            return 0.0
        if name == "max-age" and value.strip().strip('"').isdigit():
            found = float(min(int(value.strip().strip('"')), _MAX_AGE_CAP))
    return found


def default_resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in resolver order (``socket.getaddrinfo``).

    Raises:
        OSError: the name does not resolve.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def _short(url: str) -> str:
    return repr(url if len(url) <= _URL_IN_MESSAGE else url[: _URL_IN_MESSAGE - 3] + "...")


def _classify(address: IPAddress) -> str:
    """``"public"``, ``"private"`` (allowed by the flag) or ``"never"``."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv6 address that carries an IPv4 one is judged by the IPv4 one.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _classify(embedded)
    if address.is_loopback:
        return "private"
    if any(address in net for net in _NEVER):
        return "never"
    if any(address in net for net in _PRIVATE):
        return "private"
    # Documentation, benchmarking, IETF-reserved, Teredo...: nothing to fetch there.
    return "public" if address.is_global else "never"


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    request_path: str
    host_header: str


def _parse(url: str) -> _Target:
    if not isinstance(url, str):
        raise TypeError("url must be a string")
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        raise FetchFailedError(f"{_short(url)} is not a valid URL (spaces or control characters)")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchFailedError(f"{_short(url)} is not a valid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise FetchBlockedError(
            f"refused to fetch {_short(url)}: only https:// URLs are fetched",
            hint="laurel fetches only https:// URLs.",
        )
    if parts.username is not None or parts.password is not None:
        raise FetchBlockedError(
            f"refused to fetch {_short(url)}: URLs with credentials are not fetched",
            hint="Remove the user name and password from the URL.",
        )
    raw_host = (parts.hostname or "").rstrip(".")
    if not raw_host:
        raise FetchFailedError(f"{_short(url)} has no host")
    try:
        host = raw_host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise FetchFailedError(f"{_short(url)} has an invalid host name") from exc
    port = port or _DEFAULT_PORTS[scheme]
    path = urllib.parse.quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + urllib.parse.quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    authority = f"[{host}]" if ":" in host else host
    host_header = authority if port == _DEFAULT_PORTS[scheme] else f"{authority}:{port}"
    return _Target(url, scheme, host, port, path, host_header)


class _DeadlineReader(io.RawIOBase):
    """A socket's read side where every read ends by the fetch's deadline."""

    def __init__(
        self, sock: socket.socket, deadline: float, read_timeout: float, clock: Callable[[], float]
    ) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline
        self._read_timeout = read_timeout
        self._clock = clock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - self._clock()
        if remaining <= 0:
            raise TimeoutError("the fetch deadline passed")
        self._sock.settimeout(min(remaining, self._read_timeout))
        return self._sock.recv_into(buffer)


class _GuardedSocket:
    """What http.client sees as its socket: sends go through, reads obey the deadline."""

    def __init__(self, sock: socket.socket, reader: _DeadlineReader) -> None:
        self._sock = sock
        self._reader = reader

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        if mode != "rb":
            raise ValueError("only binary reads are supported")
        return io.BufferedReader(self._reader)

    def sendall(self, data: bytes) -> None:
        self._sock.sendall(data)

    def close(self) -> None:
        # http.client closes its socket as soon as the headers say "Connection: close",
        # before the body is read; the Fetcher closes the real socket when done.
        return None


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP/1.1 connection over a socket laurel opened and checked itself."""

    def __init__(self, host: str, port: int, sock: _GuardedSocket) -> None:
        super().__init__(host, port)
        self._guarded = sock

    def connect(self) -> None:
        self.sock = cast(socket.socket, self._guarded)


@dataclass(frozen=True, slots=True)
class _Exchange:
    """What one request sends, and the statuses it takes besides 2xx."""

    method: str
    body: bytes | None
    headers: dict[str, str]
    accept: str
    also_accept: frozenset[int]


class _HostSlots:
    """Counts the fetches in flight per host; refuses one past the limit instead of queueing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: dict[str, int] = {}

    def take(self, host: str, url: str) -> None:
        with self._lock:
            count = self._busy.get(host, 0)
            if count >= MAX_FETCHES_PER_HOST:
                raise FetchFailedError(
                    f"not fetched: {count} requests to the host of {_short(url)} are "
                    "already waiting for it to answer",
                    hint="The host is slow or not answering; try again later.",
                )
            self._busy[host] = count + 1

    def give(self, host: str) -> None:
        with self._lock:
            count = self._busy.get(host, 1) - 1
            if count > 0:
                self._busy[host] = count
            else:
                self._busy.pop(host, None)


_HOSTS = _HostSlots()


class Fetcher:
    """Fetches one URL under a :class:`FetchPolicy`; satisfies ``vc.did.DidWebFetcher``.

    `resolve` (host, port -> addresses) and `ssl_context` are injectable for tests and
    private deployments; `clock` is a monotonic clock in seconds.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        resolve: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy if policy is not None else FetchPolicy()
        self._resolve = resolve if resolve is not None else default_resolve
        if ssl_context is None:
            ssl_context = ssl.create_default_context()
            ssl_context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._ssl_context = ssl_context
        self._clock = clock

    def __call__(self, url: str) -> bytes:
        """The body at `url` (``vc.did.DidWebFetcher``).

        Raises:
            FetchBlockedError: the guard refused the URL or a redirect target.
            FetchFailedError: the fetch was made and failed.
        """
        return self.fetch(url).body

    def fetch(
        self,
        url: str,
        *,
        max_bytes: int | None = None,
        accept: str = "application/json",
        if_none_match: str | None = None,
    ) -> FetchedDocument:
        """GET `url`, following redirects, within the policy's limits.

        Args:
            url: an ``https://`` URL (``http://`` only to private hosts when allowed).
            max_bytes: the body cap for this fetch; the policy's by default.
            accept: the ``Accept`` header.
            if_none_match: an entity tag from an earlier answer: sent as
                ``If-None-Match``, and a 304 (Not Modified, empty body) is then returned.

        Raises:
            FetchBlockedError: the scheme, an address or a redirect target is refused;
                nothing was sent to it.
            FetchFailedError: DNS, connect, TLS, a non-2xx status, a compressed or
                oversized body, too many redirects, or the deadline passed.
        """
        etag = _etag(if_none_match)
        if etag is None:
            return self.request("GET", url, max_bytes=max_bytes, accept=accept)
        # RFC 9110, "If-None-Match" and "304 Not Modified": the copy held is still current.
        return self.request(
            "GET",
            url,
            max_bytes=max_bytes,
            accept=accept,
            headers={"If-None-Match": etag},
            also_accept=(304,),
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        accept: str = "application/json",
        max_bytes: int | None = None,
        follow_redirects: bool = True,
        also_accept: Collection[int] = (),
    ) -> FetchedDocument:
        """Send one request through the guard: `fetch` for any method, body and headers.

        A 2xx answer, or one whose status is in `also_accept` (an OAuth error's 4xx, a
        304 to a conditional request), is returned; any other fails. Without
        `follow_redirects` a redirect is a failure (a POST is never sent elsewhere).

        Raises:
            FetchBlockedError: the scheme, an address or a redirect target is refused;
                nothing was sent to it.
            FetchFailedError: DNS, connect, TLS, another status, a compressed or
                oversized body, a redirect (or too many), or the deadline passed.
        """
        limit = self.policy.max_bytes if max_bytes is None else max_bytes
        if limit < 0:
            raise ValueError("max_bytes must not be negative")
        seconds = self.policy.total_timeout
        left = budget.remaining()
        if left is not None:
            if left <= 0:
                raise FetchFailedError(
                    f"not fetched: {_short(url)}: this verification has used up its time "
                    "for network requests",
                    hint="The hosts it named answered too slowly; try again later.",
                )
            seconds = min(seconds, left)
        deadline = self._clock() + seconds
        exchange = _Exchange(method, body, dict(headers or {}), accept, frozenset(also_accept))
        redirects = self.policy.max_redirects if follow_redirects else 0
        seen: set[str] = set()
        current = url
        for _ in range(redirects + 1):
            seen.add(current)
            target = _parse(current)
            result = self._fetch_once(target, deadline, limit, exchange)
            if isinstance(result, FetchedDocument):
                return result
            status, location = result
            if not follow_redirects:
                raise FetchFailedError(
                    f"{_short(url)} answered with a redirect (HTTP {status}), which is not followed"
                )
            next_url = urllib.parse.urljoin(current, location)
            next_url, _ = urllib.parse.urldefrag(next_url)
            if next_url in seen:
                raise FetchFailedError(f"{_short(url)} redirects in a loop (HTTP {status})")
            current = next_url
        raise FetchFailedError(
            f"{_short(url)} redirects more than {self.policy.max_redirects} times"
        )

    def _addresses(self, target: _Target) -> list[IPAddress]:
        """The checked addresses of the target's host (one lookup, all must pass)."""
        if target.host in _METADATA_NAMES:
            raise FetchBlockedError(
                f"refused to fetch {_short(target.url)}: a cloud metadata host",
                hint="Metadata services are never fetched.",
            )
        try:
            literal: IPAddress | None = ipaddress.ip_address(target.host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            try:
                answers = self._resolve(target.host, target.port)
            except OSError as exc:
                raise FetchFailedError(
                    f"could not resolve the host of {_short(target.url)}"
                ) from exc
            addresses = []
            for answer in answers:
                try:
                    addresses.append(ipaddress.ip_address(answer.split("%", 1)[0]))
                except ValueError as exc:
                    raise FetchFailedError(
                        f"the host of {_short(target.url)} resolved to a non-address"
                    ) from exc
        if not addresses:
            raise FetchFailedError(f"the host of {_short(target.url)} has no address")
        kinds = {_classify(a) for a in addresses}
        if "never" in kinds:
            raise FetchBlockedError(
                f"refused to fetch {_short(target.url)}: it resolves to a link-local, "
                "metadata, multicast or reserved address",
                hint="Such addresses are never fetched, whatever the policy.",
            )
        if "private" in kinds and not self.policy.allow_private_network:
            raise FetchBlockedError(
                f"refused to fetch {_short(target.url)}: it resolves to a private or "
                "loopback address"
            )
        if target.scheme == "http" and (
            not self.policy.allow_private_network or kinds != {"private"}
        ):
            raise FetchBlockedError(
                f"refused to fetch {_short(target.url)}: only https:// URLs are fetched",
                hint=(
                    "laurel fetches only https:// URLs; plain http:// is allowed only to "
                    "private hosts with --allow-private-network."
                ),
            )
        return addresses

    def _connect(
        self, target: _Target, addresses: list[IPAddress], deadline: float
    ) -> socket.socket:
        """A connected (and for https, verified) socket to one of the checked addresses."""
        last: OSError | None = None
        for address in addresses:
            remaining = deadline - self._clock()
            if remaining <= 0:
                break
            try:
                # socket.create_connection is looked up on the module at call time, so the
                # address connected to is the checked one and nothing resolves it again.
                sock = socket.create_connection(
                    (str(address), target.port),
                    timeout=min(self.policy.connect_timeout, remaining),
                )
            except OSError as exc:
                last = exc
                continue
            if target.scheme == "http":
                return sock
            try:
                sock.settimeout(
                    min(self.policy.connect_timeout, max(deadline - self._clock(), 0.001))
                )
                # TLS SNI and certificate verification use the host name, not the address.
                return self._ssl_context.wrap_socket(sock, server_hostname=target.host)
            except ssl.SSLCertVerificationError as exc:
                sock.close()
                raise FetchFailedError(
                    f"the TLS certificate of {_short(target.url)} is not valid for "
                    f"{target.host[:64]!r}: {exc.verify_message}"
                ) from exc
            except OSError as exc:
                sock.close()
                raise FetchFailedError(
                    f"the TLS handshake with {_short(target.url)} failed"
                ) from exc
        if last is None:
            raise FetchFailedError(f"fetching {_short(target.url)} took too long")
        raise FetchFailedError(f"could not connect to {_short(target.url)}") from last

    def _fetch_once(
        self, target: _Target, deadline: float, limit: int, exchange: _Exchange
    ) -> FetchedDocument | tuple[int, str]:
        """One request: a document, or a redirect as (status, Location)."""
        addresses = self._addresses(target)
        _HOSTS.take(target.host, target.url)
        try:
            return self._exchange_with(target, addresses, deadline, limit, exchange)
        finally:
            _HOSTS.give(target.host)

    def _exchange_with(
        self,
        target: _Target,
        addresses: list[IPAddress],
        deadline: float,
        limit: int,
        exchange: _Exchange,
    ) -> FetchedDocument | tuple[int, str]:
        sock = self._connect(target, addresses, deadline)
        reader = _DeadlineReader(sock, deadline, self.policy.total_timeout, self._clock)
        conn = _PinnedConnection(target.host, target.port, _GuardedSocket(sock, reader))
        try:
            return self._exchange(conn, target, limit, exchange)
        except TimeoutError as exc:
            raise FetchFailedError(
                f"fetching {_short(target.url)} took longer than {self.policy.total_timeout:g} s"
            ) from exc
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise FetchFailedError(
                f"{_short(target.url)} gave no valid HTTP response ({type(exc).__name__})"
            ) from exc
        finally:
            conn.close()
            sock.close()

    def _exchange(
        self, conn: _PinnedConnection, target: _Target, limit: int, exchange: _Exchange
    ) -> FetchedDocument | tuple[int, str]:
        conn.request(
            exchange.method,
            target.request_path,
            body=exchange.body,
            headers={
                "Host": target.host_header,
                "User-Agent": _USER_AGENT,
                "Accept": exchange.accept,
                "Accept-Encoding": "identity",
                "Connection": "close",
                **exchange.headers,
            },
        )
        with conn.getresponse() as response:
            return self._read_response(response, target, limit, exchange.also_accept)

    def _read_response(
        self,
        response: http.client.HTTPResponse,
        target: _Target,
        limit: int,
        also_accept: frozenset[int] = frozenset(),
    ) -> FetchedDocument | tuple[int, str]:
        status = response.status
        if status in _REDIRECTS and status not in also_accept:
            location = response.getheader("Location")
            if not location:
                raise FetchFailedError(
                    f"{_short(target.url)} answered HTTP {status} without a Location"
                )
            return status, location
        if not 200 <= status < 300 and status not in also_accept:
            raise FetchFailedError(f"{_short(target.url)} answered HTTP {status}")
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            raise FetchFailedError(
                f"{_short(target.url)} sent a {encoding[:32]!r}-encoded body; "
                "only uncompressed bodies are accepted"
            )
        transfer = (response.getheader("Transfer-Encoding") or "").strip().lower()
        if transfer not in ("", "chunked"):
            raise FetchFailedError(f"{_short(target.url)} used transfer encoding {transfer[:32]!r}")
        # Content-Length is not trusted: read one byte past the cap and stop there.
        body = bytearray()
        while len(body) <= limit:
            chunk = response.read(min(_READ_CHUNK, limit + 1 - len(body)))
            if not chunk:
                break
            body += chunk
        if len(body) > limit:
            raise FetchFailedError(f"{_short(target.url)} is larger than {limit} bytes")
        return FetchedDocument(
            final_url=target.url,
            status=status,
            content_type=response.getheader("Content-Type") or "",
            body=bytes(body),
            headers={name.lower(): value for name, value in response.getheaders()},
        )
