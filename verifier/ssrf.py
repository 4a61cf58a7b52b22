"""Which URLs and addresses the fetch guard lets through: the SSRF rules of SECURITY.md rule 6.

    >>> from verifier.ssrf import parse_target
    >>> parse_target("https://Bücher.example/a?q=1").host
    'xn--bcher-kva.example'

A URL is parsed once (:func:`parse_target`); :func:`checked_addresses` resolves its host
once and judges every address it answers: a public address passes, a private or
loopback one only with ``allow_private_network``, a link-local, metadata, multicast or
reserved one never. :mod:`verifier.fetch` then connects to the very address checked.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from verifier.errors import FetchBlockedError, FetchFailedError

__all__ = [
    "BLOCKED_RANGES",
    "IPAddress",
    "Resolver",
    "Target",
    "checked_addresses",
    "default_resolve",
    "parse_target",
    "short_url",
]

_DEFAULT_PORTS = {"https": 443, "http": 80}
_URL_IN_MESSAGE = 120

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


def short_url(url: str) -> str:
    """`url` quoted for a message, cut to a readable length."""
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
class Target:
    """A URL the guard accepted the form of: where to connect, and what to send."""

    url: str
    scheme: str
    host: str
    port: int
    request_path: str
    host_header: str


def parse_target(url: str) -> Target:
    """`url` parsed for a fetch: scheme, IDNA host, port, request path and Host header.

    Raises:
        FetchBlockedError: not https (or http), or credentials in the URL.
        FetchFailedError: not a valid URL, or no valid host.
    """
    if not isinstance(url, str):
        raise TypeError("url must be a string")
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        raise FetchFailedError(
            f"{short_url(url)} is not a valid URL (spaces or control characters)"
        )
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchFailedError(f"{short_url(url)} is not a valid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise FetchBlockedError(
            f"refused to fetch {short_url(url)}: only https:// URLs are fetched",
            hint="laurel fetches only https:// URLs.",
        )
    if parts.username is not None or parts.password is not None:
        raise FetchBlockedError(
            f"refused to fetch {short_url(url)}: URLs with credentials are not fetched",
            hint="Remove the user name and password from the URL.",
        )
    raw_host = (parts.hostname or "").rstrip(".")
    if not raw_host:
        raise FetchFailedError(f"{short_url(url)} has no host")
    try:
        host = raw_host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise FetchFailedError(f"{short_url(url)} has an invalid host name") from exc
    port = port or _DEFAULT_PORTS[scheme]
    path = urllib.parse.quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + urllib.parse.quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    authority = f"[{host}]" if ":" in host else host
    host_header = authority if port == _DEFAULT_PORTS[scheme] else f"{authority}:{port}"
    return Target(url, scheme, host, port, path, host_header)


def checked_addresses(
    target: Target, resolve: Resolver, *, allow_private_network: bool
) -> list[IPAddress]:
    """The checked addresses of the target's host (one lookup, all must pass).

    Raises:
        FetchBlockedError: a metadata host, or an address (or the scheme) the rules refuse.
        FetchFailedError: the host does not resolve, or to no address.
    """
    if target.host in _METADATA_NAMES:
        raise FetchBlockedError(
            f"refused to fetch {short_url(target.url)}: a cloud metadata host",
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
            answers = resolve(target.host, target.port)
        except OSError as exc:
            raise FetchFailedError(
                f"could not resolve the host of {short_url(target.url)}"
            ) from exc
        addresses = []
        for answer in answers:
            try:
                addresses.append(ipaddress.ip_address(answer.split("%", 1)[0]))
            except ValueError as exc:
                raise FetchFailedError(
                    f"the host of {short_url(target.url)} resolved to a non-address"
                ) from exc
    if not addresses:
        raise FetchFailedError(f"the host of {short_url(target.url)} has no address")
    kinds = {_classify(a) for a in addresses}
    if "never" in kinds:
        raise FetchBlockedError(
            f"refused to fetch {short_url(target.url)}: it resolves to a link-local, "
            "metadata, multicast or reserved address",
            hint="Such addresses are never fetched, whatever the policy.",
        )
    if "private" in kinds and not allow_private_network:
        raise FetchBlockedError(
            f"refused to fetch {short_url(target.url)}: it resolves to a private or "
            "loopback address"
        )
    if target.scheme == "http" and (not allow_private_network or kinds != {"private"}):
        raise FetchBlockedError(
            f"refused to fetch {short_url(target.url)}: only https:// URLs are fetched",
            hint=(
                "laurel fetches only https:// URLs; plain http:// is allowed only to "
                "private hosts with --allow-private-network."
            ),
        )
    return addresses
