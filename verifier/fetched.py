"""What a fetch returns: the document, and what its headers say about keeping it.

    >>> from verifier.fetched import FetchedDocument
    >>> headers = {"etag": '"v1"', "cache-control": "max-age=60"}
    >>> answer = FetchedDocument("https://a.example/l", 200, "application/json", b"{}", headers)
    >>> answer.etag, answer.max_age
    ('"v1"', 60.0)

An entity tag is kept only when it is short and printable, and no answer is kept
fresh for longer than a day, whatever its host says.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["FetchedDocument", "usable_etag"]


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
        return usable_etag(self.headers.get("etag"))

    @property
    def max_age(self) -> float | None:
        """Seconds ``Cache-Control`` lets this answer be used without asking again (None: unsaid)."""
        return _max_age(self.headers.get("cache-control"))


#: An entity tag laurel keeps and sends back (RFC 9110, "ETag"): short and printable.
_ETAG = re.compile(r'(?:W/)?"[\x21\x23-\x7e]{0,200}"')
#: The longest max-age honoured: a day, whatever a host says.
_MAX_AGE_CAP = 86_400


def usable_etag(value: str | None) -> str | None:
    """`value` when it is an entity tag laurel may keep and send back, else None."""
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
