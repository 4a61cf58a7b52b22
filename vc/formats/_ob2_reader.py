"""Reading an OB 2.0 assertion's linked documents through the injected fetch.

An assertion names its BadgeClass, Issuer, signing key and revocation list by URL or
embeds them; :class:`_Reader` fetches and parses them, remembering every host the
verdict comes to depend on. :class:`_Stop` carries the failed check of a document
that cannot be had, which prevents the checks that need it.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

from vc.errors import LaurelError
from vc.jsontext import parse_document
from vc.results import CheckResult
from vc.types import JSONObject, JSONValue

__all__ = ["Fetch"]

#: Fetches a URL's body (raises a LaurelError on any failure, as the fetch guard does).
Fetch = Callable[[str], bytes]

_MAX_DOCUMENT = 256 * 1024


class _Stop(Exception):
    """A check that prevents the ones after it (the document it needs is missing)."""

    def __init__(self, check: CheckResult) -> None:
        super().__init__(check.message)
        self.check = check


class _Reader:
    """Fetches and parses the linked documents of one assertion, remembering hosts."""

    def __init__(self, fetch: Fetch | None) -> None:
        self._fetch = fetch
        self.hosts: list[str] = []

    def get(self, url: str, what: str, check_id: str) -> JSONObject:
        host = urllib.parse.urlsplit(url).hostname or ""
        if self._fetch is None:
            raise _Stop(
                CheckResult.failed(
                    check_id,
                    f"the {what} is at {url[:120]}, and network fetching is off",
                    url=url[:200],
                )
            )
        if host and host not in self.hosts:
            self.hosts.append(host)
        try:
            return parse_document(self._fetch(url), max_bytes=_MAX_DOCUMENT)
        except LaurelError as exc:
            raise _Stop(
                CheckResult.failed(
                    check_id, f"the {what} at {url[:120]} cannot be read: {exc}", url=url[:200]
                )
            ) from exc

    def node(self, value: JSONValue, what: str, check_id: str) -> JSONObject:
        if isinstance(value, dict):
            return value
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return self.get(value, what, check_id)
        raise _Stop(
            CheckResult.failed(check_id, f"the assertion's {what} is neither an object nor a URL")
        )
