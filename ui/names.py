"""Names instead of DIDs: who an issuer is, in the words a person can check.

A DID is exact but unreadable. The name shown for an issuer comes, best first, from
the verifier's own registry of recognized issuers (the verifier vouches for it), the
issuer's profile in a credential whose signature holds (the issuer's own words), the
host of a did:web DID (proven by the HTTPS certificate of that host), and last a
shortened DID.

    >>> issuer_name("did:web:badges.lakeshore.example", profile_name="Lakeshore USD").text
    'Lakeshore USD'
    >>> issuer_name("did:web:badges.lakeshore.example").text
    'badges.lakeshore.example'
    >>> issuer_name("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp").text
    'did:key:z6MkiT…mDooWp'
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Literal

__all__ = ["Name", "did_web_host", "issuer_name", "short_did"]

#: Where a shown name comes from: the verifier's registry, the issuer's own profile,
#: the did:web host, or the DID itself.
Source = Literal["registry", "profile", "host", "did"]


@dataclass(frozen=True, slots=True)
class Name:
    """A name to show, where it comes from, and the DID it stands for."""

    text: str
    source: Source
    did: str | None = None

    @property
    def host(self) -> str | None:
        """The did:web host of the DID, when it is one."""
        return did_web_host(self.did)


def did_web_host(did: str | None) -> str | None:
    """The host (with its port) a did:web DID is served from, else None.

    did:web, "Read (Resolve)": the method-specific id's first part is the host,
    a port percent-encoded (``%3A``).

    >>> did_web_host("did:web:example.org%3A8443:user:ana"), did_web_host("did:key:z6Mk")
    ('example.org:8443', None)
    """
    if not isinstance(did, str) or not did.startswith("did:web:"):
        return None
    host = urllib.parse.unquote(did[len("did:web:") :].split(":", 1)[0]).strip()
    return host or None


def short_did(did: str, *, keep: int = 6) -> str:
    """A DID cut to its method and the first and last `keep` characters of its id.

    >>> short_did("did:web:riverside.example")
    'did:web:riverside.example'
    """
    method, _, rest = did.partition(":")[2].partition(":")
    # A did:web id is a host name: readable, and every character of it matters.
    if method == "web" or len(rest) <= 2 * keep + 1:
        return did
    return f"did:{method}:{rest[:keep]}…{rest[-keep:]}"


def _clean(value: str | None) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text[:120] if text else None


def issuer_name(
    did: str | None,
    *,
    registry_name: str | None = None,
    profile_name: str | None = None,
) -> Name:
    """The name to show for the issuer `did` (see the module's order of sources).

    Give `profile_name` only when the credential's signature verified: an altered
    badge's profile is nobody's word.
    """
    candidates: tuple[tuple[str | None, Source], ...] = (
        (registry_name, "registry"),
        (profile_name, "profile"),
    )
    for text, source in candidates:
        cleaned = _clean(text)
        if cleaned is not None:
            return Name(cleaned, source, did)
    host = did_web_host(did)
    if host is not None:
        return Name(host, "host", did)
    if did:
        return Name(short_did(did), "did", did)
    return Name("?", "did", None)
