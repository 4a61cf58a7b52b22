"""did:web: the HTTPS URL a did:web DID maps to, and the fetcher seam its document comes through."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from typing import Protocol

from vc._did_syntax import DID_PATTERN
from vc.errors import DidResolutionError

__all__ = ["DidWebFetcher", "did_web_url"]

_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class DidWebFetcher(Protocol):
    """Fetches a did:web document: HTTPS URL in, response body out (raises LaurelError)."""

    def __call__(self, url: str) -> bytes:
        """Return the body at `url` (raise a LaurelError on any failure)."""
        ...


def did_web_url(did: str) -> str:
    """The HTTPS URL of a did:web DID document (did:web spec, "Read (Resolve)").

    Raises:
        DidResolutionError: ``invalidDid`` for a malformed did:web, an IP-literal
            host, or a path that could climb (``..``).
    """
    if DID_PATTERN.fullmatch(did) is None or not did.startswith("did:web:"):
        raise DidResolutionError(f"{did[:120]!r} is not a did:web DID", code="invalidDid")
    host_part, *path = did.removeprefix("did:web:").split(":")
    host = urllib.parse.unquote(host_part)
    hostname, _, port = host.partition(":")
    hostname = hostname.lower()
    labels = hostname.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise DidResolutionError(
            f"did:web host {hostname[:120]!r} is not a DNS name", code="invalidDid"
        )
    if labels[-1].isdigit() or labels[-1].startswith("0x") or _is_ip(hostname):
        raise DidResolutionError("did:web must not name an IP address", code="invalidDid")
    if port and (not port.isdigit() or not 0 < int(port) < 65536):
        raise DidResolutionError(f"did:web port {port[:8]!r} is invalid", code="invalidDid")
    segments = [urllib.parse.unquote(p) for p in path]
    if any(s in ("", ".", "..") or "/" in s or "\\" in s for s in segments):
        raise DidResolutionError("did:web path segments must be plain names", code="invalidDid")
    authority = f"{hostname}:{port}" if port else hostname
    if not segments:
        return f"https://{authority}/.well-known/did.json"
    quoted = "/".join(urllib.parse.quote(s, safe="") for s in segments)
    return f"https://{authority}/{quoted}/did.json"


def _is_ip(hostname: str) -> bool:
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True
