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
* At most :data:`~verifier.host_slots.MAX_FETCHES_PER_HOST` fetches to one host are in
  flight in a process: past that a fetch fails at once, so a host that never answers
  holds few workers.
* Concurrent GETs of the same URL share one exchange (a popular status list whose cache
  ran out is fetched once, not once per request).

Fetcher instances satisfy :class:`vc.did.DidWebFetcher`: ``fetcher(url)`` is the body.

The parts: :mod:`verifier.ssrf` decides which URLs and addresses may be fetched,
:mod:`verifier.pinned_connection` connects to the checked address under the deadline,
:mod:`verifier.host_slots` bounds the fetches to one host, :mod:`verifier.shared_fetches`
lets concurrent askers share one, :mod:`verifier.fetched` is the answer; this module
follows redirects, keeps to the time budgets and reads the body.
"""

from __future__ import annotations

import dataclasses
import http.client
import os
import ssl
import time
import urllib.parse
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from verifier import budget, work_slots
from verifier.errors import FetchFailedError
from verifier.fetched import FetchedDocument, usable_etag
from verifier.host_slots import host_slot
from verifier.pinned_connection import PinnedConnection, connect, pinned_connection
from verifier.shared_fetches import shared
from verifier.ssrf import (
    IPAddress,
    Resolver,
    Target,
    checked_addresses,
    default_resolve,
    parse_target,
    short_url,
)

__all__ = ["FetchPolicy", "Fetcher"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_READ_CHUNK = 64 * 1024


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
class _Exchange:
    """What one request sends, and the statuses it takes besides 2xx."""

    method: str
    body: bytes | None
    headers: dict[str, str]
    accept: str
    also_accept: frozenset[int]


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
        #: Which trust store answers were fetched under (shared exchanges keep to one).
        self._trust: object = "system" if ssl_context is None else ssl_context
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
        etag = usable_etag(if_none_match)
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
                    f"not fetched: {short_url(url)}: this verification has used up its time "
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
            target = parse_target(current)
            with work_slots.lent():  # no work while the host answers: the slot is lent
                result = self._fetch_once(target, deadline, limit, exchange)
            if isinstance(result, FetchedDocument):
                return result
            status, location = result
            if not follow_redirects:
                raise FetchFailedError(
                    f"{short_url(url)} answered with a redirect (HTTP {status}), which is not followed"
                )
            next_url = urllib.parse.urljoin(current, location)
            next_url, _ = urllib.parse.urldefrag(next_url)
            if next_url in seen:
                raise FetchFailedError(f"{short_url(url)} redirects in a loop (HTTP {status})")
            current = next_url
        raise FetchFailedError(
            f"{short_url(url)} redirects more than {self.policy.max_redirects} times"
        )

    def _fetch_once(
        self, target: Target, deadline: float, limit: int, exchange: _Exchange
    ) -> FetchedDocument | tuple[int, str]:
        """One request: a document, or a redirect as (status, Location)."""
        addresses = checked_addresses(
            target, self._resolve, allow_private_network=self.policy.allow_private_network
        )

        def once() -> FetchedDocument | tuple[int, str]:
            with host_slot(target.host, target.url):
                return self._exchange_with(target, addresses, deadline, limit, exchange)

        if exchange.method != "GET" or exchange.body is not None:
            return once()
        key = (
            target.url,
            tuple(addresses),
            # A document fetched under one trust store is not handed to another.
            self._trust if target.scheme == "https" else None,
            limit,
            exchange.accept,
            tuple(sorted(exchange.headers.items())),
            exchange.also_accept,
        )
        return shared(key, target.url, deadline - self._clock(), once)

    def _exchange_with(
        self,
        target: Target,
        addresses: list[IPAddress],
        deadline: float,
        limit: int,
        exchange: _Exchange,
    ) -> FetchedDocument | tuple[int, str]:
        sock = connect(
            target,
            addresses,
            deadline,
            connect_timeout=self.policy.connect_timeout,
            ssl_context=self._ssl_context,
            clock=self._clock,
        )
        conn = pinned_connection(
            target, sock, deadline, read_timeout=self.policy.total_timeout, clock=self._clock
        )
        try:
            return self._exchange(conn, target, limit, exchange)
        except TimeoutError as exc:
            raise FetchFailedError(
                f"fetching {short_url(target.url)} took longer than {self.policy.total_timeout:g} s"
            ) from exc
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise FetchFailedError(
                f"{short_url(target.url)} gave no valid HTTP response ({type(exc).__name__})"
            ) from exc
        finally:
            conn.close()
            sock.close()

    def _exchange(
        self, conn: PinnedConnection, target: Target, limit: int, exchange: _Exchange
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
        target: Target,
        limit: int,
        also_accept: frozenset[int] = frozenset(),
    ) -> FetchedDocument | tuple[int, str]:
        status = response.status
        if status in _REDIRECTS and status not in also_accept:
            location = response.getheader("Location")
            if not location:
                raise FetchFailedError(
                    f"{short_url(target.url)} answered HTTP {status} without a Location"
                )
            return status, location
        if not 200 <= status < 300 and status not in also_accept:
            raise FetchFailedError(f"{short_url(target.url)} answered HTTP {status}")
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            raise FetchFailedError(
                f"{short_url(target.url)} sent a {encoding[:32]!r}-encoded body; "
                "only uncompressed bodies are accepted"
            )
        transfer = (response.getheader("Transfer-Encoding") or "").strip().lower()
        if transfer not in ("", "chunked"):
            raise FetchFailedError(
                f"{short_url(target.url)} used transfer encoding {transfer[:32]!r}"
            )
        # Content-Length is not trusted: read one byte past the cap and stop there.
        body = bytearray()
        while len(body) <= limit:
            chunk = response.read(min(_READ_CHUNK, limit + 1 - len(body)))
            if not chunk:
                break
            body += chunk
        if len(body) > limit:
            raise FetchFailedError(f"{short_url(target.url)} is larger than {limit} bytes")
        return FetchedDocument(
            final_url=target.url,
            status=status,
            content_type=response.getheader("Content-Type") or "",
            body=bytes(body),
            headers={name.lower(): value for name, value in response.getheaders()},
        )
