"""The report the ``format`` check fills in, and the helpers its messages share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from vc.results import CheckResult
from vc.types import JSONValue

__all__ = [
    "CREDENTIAL_TYPE",
    "ENVELOPED_CREDENTIAL_TYPE",
    "ENVELOPED_PRESENTATION_TYPE",
    "PRESENTATION_TYPE",
    "Report",
    "describe",
    "is_url",
    "join",
    "objects",
    "quote",
    "shorten",
    "strings",
]

CREDENTIAL_TYPE = "VerifiableCredential"
PRESENTATION_TYPE = "VerifiablePresentation"
ENVELOPED_CREDENTIAL_TYPE = "EnvelopedVerifiableCredential"
ENVELOPED_PRESENTATION_TYPE = "EnvelopedVerifiablePresentation"

#: How much of an attacker-controlled string a message or a detail quotes.
QUOTE_LIMIT = 60
MESSAGE_LIMIT = 200

# RFC 3986 "scheme"; the rest of an IRI must hold no space, control or
# delimiter characters (RFC 3987 excludes them, and N-Quads cannot carry them).
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')


@dataclass(slots=True)
class Report:
    failures: list[CheckResult] = field(default_factory=list)
    # Strings already reported as not being URLs, so that the undefined-term
    # check does not report them a second time as relative IRIs.
    bad_iris: set[str] = field(default_factory=set)
    # False once an @context is unusable: expansion would only repeat that.
    contexts_ok: bool = True
    # Where failures were reported, so that a later walk does not repeat them.
    paths: set[str] = field(default_factory=set)

    def fail(self, reason: str, message: str, path: str, **details: JSONValue) -> None:
        if len(message) > MESSAGE_LIMIT:
            message = message[: MESSAGE_LIMIT - 1] + "…"
        self.paths.add(path)
        self.failures.append(CheckResult.failed(f"format.{reason}", message, path=path, **details))


def quote(value: str) -> str:
    # repr() escapes quotes, newlines and invisible characters (bidi overrides).
    if len(value) > QUOTE_LIMIT:
        return repr(value[:QUOTE_LIMIT] + "…")
    return repr(value)


def shorten(value: str) -> str:
    return value if len(value) <= QUOTE_LIMIT else value[:QUOTE_LIMIT] + "…"


def describe(value: JSONValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"the string {quote(value)}"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return "an object" if value else "an empty object"


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def strings(value: JSONValue) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def objects(value: JSONValue) -> Iterator[tuple[int | None, JSONValue]]:
    # One object, or a list of them: yield (index or None, item).
    if isinstance(value, list):
        yield from enumerate(value)
    else:
        yield None, value


def is_url(value: str) -> bool:
    # An absolute URL, any scheme (did:, urn:, https:, ...).
    match = _SCHEME.match(value)
    if match is None or match.end() == len(value):
        return False
    return _NOT_IN_IRI.search(value) is None
