"""VC Data Model 2.0 structure checks: the verifier's ``format`` check.

    >>> from vc.model import check_format, document_kind
    >>> credential = {"@context": ["https://www.w3.org/ns/credentials/v2"],
    ...               "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
    ...               "credentialSubject": {"id": "did:example:alice"}}
    >>> document_kind(credential)
    'credential'
    >>> [(c.id, c.status.value) for c in check_format(credential)]
    [('format', 'passed')]
    >>> [c.id for c in check_format({**credential, "issuer": None})]
    ['format.issuer']

:func:`check_format` reports every problem it finds as its own failed
``format.<reason>`` check and never raises for a bad document. It does no I/O:
contexts come from the bundled set (:mod:`vc.jsonld`), and the only JSON-LD work
is :func:`vc.compaction.inspect`, which finds the terms a signature would silently
not cover and tells whether the document is the compacted form of its contexts.

It follows the W3C VC 2.0 test-suite inputs where the specification leaves room:
those are issuer inputs, so a credential without ``issuer`` (or with an issuer
object without ``id``) passes unless ``require_issuer=True``; credentials embedded
in a presentation are issued, so they always need an identified issuer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from vc import compaction, jsonld
from vc.compaction import FormReport
from vc.errors import LaurelError, MalformedDocumentError, UnknownContextError
from vc.results import CheckResult
from vc.types import JSONObject, JSONValue

__all__ = [
    "CREDENTIAL_TYPE",
    "PRESENTATION_TYPE",
    "ENVELOPED_CREDENTIAL_TYPE",
    "ENVELOPED_PRESENTATION_TYPE",
    "DocumentForm",
    "DocumentKind",
    "check_format",
    "document_kind",
    "inspect_form",
]

CREDENTIAL_TYPE = "VerifiableCredential"
PRESENTATION_TYPE = "VerifiablePresentation"
ENVELOPED_CREDENTIAL_TYPE = "EnvelopedVerifiableCredential"
ENVELOPED_PRESENTATION_TYPE = "EnvelopedVerifiablePresentation"

DocumentKind = Literal["credential", "presentation", "unknown"]

#: How many undefined terms a failure names (the details list a few more).
_TERMS_IN_MESSAGE = 3
_TERMS_IN_DETAILS = 10
#: How much of an attacker-controlled string a message or a detail quotes.
_QUOTE_LIMIT = 60
_MESSAGE_LIMIT = 200

# RFC 3986 "scheme"; the rest of an IRI must hold no space, control or
# delimiter characters (RFC 3987 excludes them, and N-Quads cannot carry them).
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_NOT_IN_IRI = frozenset(' <>"{}|\\^`') | {chr(c) for c in range(0x21)} | {"\x7f"}

# XML Schema 1.1 Part 2, "dateTimeStamp": a dateTime whose time zone is required.
# ASCII digits only (``\d`` would accept other scripts' digits).
_DATE_TIME_STAMP = re.compile(
    r"(?P<year>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))-(?P<month>0[1-9]|1[0-2])"
    r"-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?:(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9])"
    r"(?P<fraction>\.[0-9]+)?|(?P<end_of_day>24:00:00(?:\.0+)?))"
    r"(?P<zone>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
_DATE_TIME_MAX_LENGTH = 64

# JSON-LD 1.1 keywords (and those of framing, which pyld also knows).
_KEYWORDS = frozenset(
    [
        "@base",
        "@container",
        "@context",
        "@default",
        "@direction",
        "@embed",
        "@explicit",
        "@first",
        "@graph",
        "@id",
        "@import",
        "@included",
        "@index",
        "@json",
        "@language",
        "@list",
        "@nest",
        "@none",
        "@omitDefault",
        "@propagate",
        "@protected",
        "@preserve",
        "@requireAll",
        "@reverse",
        "@set",
        "@type",
        "@value",
        "@version",
        "@vocab",
    ]
)
_RESERVED = re.compile(r"^@[a-zA-Z]+$")
_PYLD_UNSET_KEYS = frozenset({"@vocab", "@language", "@direction"})

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_LANGUAGE_VALUE_KEYS = frozenset({"@value", "@language", "@direction"})

# VC 2.0 sections that require each object of a property to name its `type`:
# (property, check reason, whether `id` is required). An `id`, when present,
# must be a URL everywhere ("Identifiers").
_TYPED_PROPERTIES: tuple[tuple[str, str, bool], ...] = (
    ("credentialStatus", "credential_status", False),  # "Status"
    ("credentialSchema", "credential_schema", True),  # "Data Schemas"
    ("evidence", "evidence", False),  # "Evidence"
    ("refreshService", "refresh_service", False),  # "Refreshing"
    ("termsOfUse", "terms_of_use", False),  # "Terms of Use"
    ("renderMethod", "render_method", False),  # "Reserved Extension Points"
    ("confidenceMethod", "confidence_method", False),  # "Reserved Extension Points"
)


def document_kind(document: JSONObject) -> DocumentKind:
    """Tell a credential from a presentation by its ``type``.

    A document whose types hold both or neither is ``"unknown"``.
    """
    types = _strings(document.get("type"))
    is_credential = CREDENTIAL_TYPE in types
    is_presentation = PRESENTATION_TYPE in types
    if is_credential and not is_presentation:
        return "credential"
    if is_presentation and not is_credential:
        return "presentation"
    return "unknown"


def check_format(
    document: JSONObject, *, require_issuer: bool = False, form: DocumentForm | None = None
) -> list[CheckResult]:
    """Check a credential or presentation against the VC Data Model 2.0.

    Args:
        document: a parsed JSON object (see :func:`vc.jsontext.parse_document`).
        require_issuer: also fail a credential without an issuer identified by a
            URL (the W3C test-suite inputs leave it to the issuer to add one).
        form: the document's :func:`inspect_form` report, when the caller has it.

    Returns:
        One passed ``format`` check, or one failed ``format.<reason>`` check per
        problem found. Bad input never raises.

    Raises:
        TypeError: `document` is not a dict (a programming error).
    """
    if not isinstance(document, dict):
        raise TypeError(f"check_format takes a JSON object, not {type(document).__name__}")
    report = _Report()
    types = _strings(document.get("type"))
    if ENVELOPED_CREDENTIAL_TYPE in types or ENVELOPED_PRESENTATION_TYPE in types:
        noun = (
            "enveloped credential"
            if ENVELOPED_CREDENTIAL_TYPE in types
            else "enveloped presentation"
        )
        _check_envelope(document, report, "")
    else:
        noun = _check_document(document, report, require_issuer=require_issuer)
    _check_context_references(document, report)
    if report.contexts_ok:
        _check_terms(document, report, form)
    if report.failures:
        return report.failures
    return [CheckResult.passed("format", f"a well-formed VC Data Model 2.0 {noun}")]


# --- collecting failures -------------------------------------------------------------


@dataclass(slots=True)
class _Report:
    failures: list[CheckResult] = field(default_factory=list)
    # Strings already reported as not being URLs, so that the undefined-term
    # check does not report them a second time as relative IRIs.
    bad_iris: set[str] = field(default_factory=set)
    # False once an @context is unusable: expansion would only repeat that.
    contexts_ok: bool = True
    # Where failures were reported, so that a later walk does not repeat them.
    paths: set[str] = field(default_factory=set)

    def fail(self, reason: str, message: str, path: str, **details: JSONValue) -> None:
        if len(message) > _MESSAGE_LIMIT:
            message = message[: _MESSAGE_LIMIT - 1] + "…"
        self.paths.add(path)
        self.failures.append(CheckResult.failed(f"format.{reason}", message, path=path, **details))


def _quote(value: str) -> str:
    # repr() escapes quotes, newlines and invisible characters (bidi overrides).
    if len(value) > _QUOTE_LIMIT:
        return repr(value[:_QUOTE_LIMIT] + "…")
    return repr(value)


def _prefix(value: str) -> str:
    return value if len(value) <= _QUOTE_LIMIT else value[:_QUOTE_LIMIT] + "…"


def _describe(value: JSONValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"the string {_quote(value)}"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return "an object" if value else "an empty object"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _strings(value: JSONValue) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _objects(value: JSONValue) -> Iterator[tuple[int | None, JSONValue]]:
    # One object, or a list of them: yield (index or None, item).
    if isinstance(value, list):
        yield from enumerate(value)
    else:
        yield None, value


def _is_url(value: str) -> bool:
    # An absolute URL, any scheme (did:, urn:, https:, ...).
    match = _SCHEME.match(value)
    if match is None or match.end() == len(value):
        return False
    return not any(c in _NOT_IN_IRI for c in value)


# --- one document --------------------------------------------------------------------


def _check_document(document: JSONObject, report: _Report, *, require_issuer: bool) -> str:
    # Returns the noun for the passed message.
    types = _strings(document.get("type"))
    is_credential = CREDENTIAL_TYPE in types
    is_presentation = PRESENTATION_TYPE in types
    if is_presentation and not is_credential:
        _check_presentation(document, report)
        return "presentation"
    if is_credential and not is_presentation:
        _check_credential(document, report, "", require_issuer=require_issuer)
        return "credential"
    # Neither or both: say so.
    _check_context(document, report, "")
    if is_credential:
        report.fail(
            "type",
            "type names both VerifiableCredential and VerifiablePresentation; keep one",
            "type",
        )
    else:
        _check_type(document, report, "", None)
    # Apply the rules of what the document most looks like, if anything.
    if is_credential or "credentialSubject" in document or "issuer" in document:
        _check_credential_body(document, report, "", require_issuer=require_issuer)
        return "credential"
    if "verifiableCredential" in document or "holder" in document:
        _check_presentation_body(document, report)
        return "presentation"
    _check_url_property(document, "id", report, "id", "", required=False)
    _check_language_values(document, report, "")
    _check_proofs(document, report, "")
    return "document"


def _check_credential(
    document: JSONObject, report: _Report, path: str, *, require_issuer: bool
) -> None:
    _check_context(document, report, path)
    _check_type(document, report, path, CREDENTIAL_TYPE)
    _check_credential_body(document, report, path, require_issuer=require_issuer)


def _check_credential_body(
    document: JSONObject, report: _Report, path: str, *, require_issuer: bool
) -> None:
    _check_url_property(document, "id", report, "id", path, required=False)
    _check_issuer(document, report, path, required=require_issuer)
    _check_subjects(document, report, path)
    _check_validity_dates(document, report, path)
    _check_language_values(document, report, path)
    for key, reason, id_required in _TYPED_PROPERTIES:
        _check_typed_objects(document, key, reason, report, path, id_required=id_required)
    _check_related_resources(document, report, path)
    _check_proofs(document, report, path)


def _check_presentation(document: JSONObject, report: _Report) -> None:
    _check_context(document, report, "")
    _check_type(document, report, "", PRESENTATION_TYPE)
    _check_presentation_body(document, report)


def _check_presentation_body(document: JSONObject, report: _Report) -> None:
    _check_url_property(document, "id", report, "id", "", required=False)
    _check_holder(document, report)
    _check_language_values(document, report, "")
    _check_typed_objects(document, "termsOfUse", "terms_of_use", report, "", id_required=False)
    _check_related_resources(document, report, "")
    _check_proofs(document, report, "")
    _check_embedded_credentials(document, report)


# --- @context and type ---------------------------------------------------------------


def _check_context(document: JSONObject, report: _Report, path: str) -> None:
    # VC 2.0 "Contexts": an ordered set whose first item is the v2 URL; the
    # others are URLs or objects, each processable as a JSON-LD context.
    where = _join(path, "@context")
    if "@context" not in document:
        report.contexts_ok = False
        report.fail(
            "context",
            f"there is no @context; its first entry must be {jsonld.CREDENTIALS_V2!r}",
            where,
        )
        return
    value = document["@context"]
    entries = value if isinstance(value, list) else [value]
    if not entries:
        report.contexts_ok = False
        report.fail(
            "context",
            f"@context is empty; its first entry must be {jsonld.CREDENTIALS_V2!r}",
            where,
        )
        return
    first = entries[0]
    first_at = _join(where, 0) if isinstance(value, list) else where
    if first == jsonld.CREDENTIALS_V1:
        report.fail(
            "context",
            "this is a VC Data Model 1.1 document (credentials/v1 context); laurel checks VC 2.0 only",
            first_at,
        )
    elif first != jsonld.CREDENTIALS_V2:
        report.fail(
            "context",
            f"the first @context entry is {_describe(first)}; it must be {jsonld.CREDENTIALS_V2!r}",
            first_at,
        )
    for index, entry in enumerate(entries):
        if isinstance(entry, dict) or (isinstance(entry, str) and _is_url(entry)):
            continue
        # Whether a URL is bundled is checked with every other context reference.
        report.contexts_ok = False
        at = _join(where, index) if isinstance(value, list) else where
        if isinstance(entry, str):
            report.bad_iris.add(entry)
        if at != first_at or first == jsonld.CREDENTIALS_V2:
            report.fail(
                "context", f"@context entry {_describe(entry)} is neither a URL nor an object", at
            )


def _local_contexts(document: JSONObject) -> Iterator[tuple[str, JSONValue]]:
    # Every local context anywhere, with its path: the @context of any node and,
    # inside contexts, scoped contexts of term definitions and @import.
    nodes: list[tuple[str, JSONValue]] = [("", document)]
    contexts: list[tuple[str, JSONValue]] = []
    while nodes:
        path, node = nodes.pop()
        if isinstance(node, list):
            nodes.extend((_join(path, i), item) for i, item in enumerate(node))
        elif isinstance(node, dict):
            for key, value in node.items():
                target = contexts if key == "@context" else nodes
                target.append((_join(path, key), value))
    while contexts:
        path, context = contexts.pop()
        if isinstance(context, list):
            contexts.extend((_join(path, i), item) for i, item in enumerate(context))
            continue
        yield path, context
        if isinstance(context, dict):
            for key, value in context.items():
                if key in ("@context", "@import"):
                    contexts.append((_join(path, key), value))
                elif isinstance(value, dict) and "@context" in value:
                    contexts.append((_join(_join(path, key), "@context"), value["@context"]))


def _reserved(value: JSONValue) -> bool:
    # JSON-LD 1.1 "Keywords": "@" followed by letters is reserved; pyld warns
    # and ignores such terms, and a warning is not a result.
    return isinstance(value, str) and value not in _KEYWORDS and _RESERVED.match(value) is not None


def _reserved_term(context: JSONObject) -> str | None:
    for key, value in context.items():
        definition = value if isinstance(value, dict) else {"@id": value}
        reverse = definition.get("@reverse")
        if (
            _reserved(key)
            or _reserved(definition.get("@id"))
            or (isinstance(reverse, str) and _RESERVED.match(reverse))
        ):
            return key
    return None


def _check_context_references(document: JSONObject, report: _Report) -> None:
    # Contexts: laurel processes only its bundled, pinned contexts, and no
    # context a JSON-LD processor would only partly apply.
    for at, context in _local_contexts(document):
        if isinstance(context, dict):
            term = _reserved_term(context)
            if term is not None:
                report.contexts_ok = False
                report.fail(
                    "context",
                    f"@context defines {_quote(term)}, which JSON-LD reserves and ignores",
                    at,
                )
            continue
        if not isinstance(context, str) or context in jsonld.PINNED_CONTEXTS:
            continue  # the structure checks and JSON-LD report the others
        report.contexts_ok = False
        if at in report.paths:
            continue
        if not _is_url(context):
            report.bad_iris.add(context)
            report.fail("context", f"@context reference {_describe(context)} is not a URL", at)
        else:
            report.fail(
                "context",
                f"@context {_quote(context)} is not bundled with laurel, which never fetches contexts",
                at,
                context=_prefix(context),
            )


def _check_type(document: JSONObject, report: _Report, path: str, required: str | None) -> None:
    # VC 2.0 "Types": one or more terms or absolute URLs; VerifiableCredential
    # (or VerifiablePresentation) among them.
    where = _join(path, "type")
    needed = repr(required) if required else "'VerifiableCredential' or 'VerifiablePresentation'"
    if "type" not in document:
        report.fail("type", f"there is no type; it must include {needed}", where)
        return
    value = document["type"]
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item for item in items):
        report.fail(
            "type", f"type is {_describe(value)}; it must be one or more non-empty strings", where
        )
        return
    if required is None or required not in items:
        report.fail("type", f"type must include {needed}", where)


# --- identifiers and parties ---------------------------------------------------------


def _check_url_property(
    node: JSONObject,
    key: str,
    report: _Report,
    reason: str,
    path: str,
    *,
    required: bool,
    owner: str = "",
) -> None:
    where = _join(path, key)
    name = f"{owner} {key}".strip()
    if key not in node:
        if required:
            report.fail(reason, f"{owner or 'the object'} has no {key}; it must be a URL", where)
        return
    value = node[key]
    if isinstance(value, str):
        if not _is_url(value):
            report.bad_iris.add(value)
            report.fail(
                reason,
                f"{name} {_quote(value)} is not a URL (a URL has a scheme, e.g. did: or https:)",
                where,
            )
        return
    if isinstance(value, list):
        report.fail(reason, f"{name} must be a single URL, not a list", where)
        return
    report.fail(reason, f"{name} must be a URL, not {_describe(value)}", where)


def _check_issuer(document: JSONObject, report: _Report, path: str, *, required: bool) -> None:
    # VC 2.0 "Issuer": a URL, or an object whose id is a URL.
    where = _join(path, "issuer")
    if "issuer" not in document:
        if required:
            report.fail(
                "issuer", "there is no issuer; it must be a URL or an object with a URL id", where
            )
        return
    issuer = document["issuer"]
    if isinstance(issuer, str):
        _check_url_property(document, "issuer", report, "issuer", path, required=True)
        return
    if not isinstance(issuer, dict):
        report.fail(
            "issuer",
            f"issuer must be a URL or an object with a URL id, not {_describe(issuer)}",
            where,
        )
        return
    _check_url_property(issuer, "id", report, "issuer", where, required=required, owner="issuer")
    _check_language_values(issuer, report, where)


def _check_holder(document: JSONObject, report: _Report) -> None:
    # VC 2.0 "Presentations": holder is a URL or an object with an id.
    if "holder" not in document:
        return
    holder = document["holder"]
    if isinstance(holder, str):
        _check_url_property(document, "holder", report, "holder", "", required=True)
    elif isinstance(holder, dict):
        _check_url_property(holder, "id", report, "holder", "holder", required=True, owner="holder")
    else:
        report.fail(
            "holder",
            f"holder must be a URL or an object with a URL id, not {_describe(holder)}",
            "holder",
        )


def _check_subjects(document: JSONObject, report: _Report, path: str) -> None:
    # VC 2.0 "Credential Subject": one or more objects, each the subject of claims.
    where = _join(path, "credentialSubject")
    if "credentialSubject" not in document:
        report.fail(
            "credential_subject", "there is no credentialSubject; it must hold the claims", where
        )
        return
    value = document["credentialSubject"]
    if value == []:
        report.fail(
            "credential_subject",
            "credentialSubject is an empty list; it must hold the claims",
            where,
        )
        return
    for index, subject in _objects(value):
        at = where if index is None else _join(where, index)
        label = "credentialSubject" if index is None else f"credentialSubject[{index}]"
        if not isinstance(subject, dict):
            report.fail(
                "credential_subject",
                f"{label} must be an object of claims, not {_describe(subject)}",
                at,
            )
        elif not any(key != "@context" for key in subject):
            report.fail(
                "credential_subject", f"{label} is empty; it must make at least one claim", at
            )
        else:
            _check_url_property(
                subject, "id", report, "credential_subject", at, required=False, owner=label
            )


# --- dates and language values -------------------------------------------------------


def _check_validity_dates(document: JSONObject, report: _Report, path: str) -> None:
    # VC 2.0 "Validity Period": dateTimeStamp values, validFrom <= validUntil.
    instants: dict[str, tuple[int, Decimal]] = {}
    for key in ("validFrom", "validUntil"):
        if key not in document:
            continue
        value = document[key]
        instant = _date_time_stamp(value) if isinstance(value, str) else None
        if instant is None:
            report.fail(
                "validity_dates",
                f"{key} is {_describe(value)}; write an XML Schema dateTimeStamp like 2024-01-01T00:00:00Z",
                _join(path, key),
            )
        else:
            instants[key] = instant
    if len(instants) == 2 and instants["validFrom"] > instants["validUntil"]:
        report.fail(
            "validity_dates",
            "validUntil is earlier than validFrom; the credential could never be valid",
            _join(path, "validUntil"),
        )


def _date_time_stamp(value: str) -> tuple[int, Decimal] | None:
    # The instant as (whole seconds since 1970 in UTC, fraction); None when invalid.
    # Exact for every year, unlike datetime (years 1..9999 only).
    if len(value) > _DATE_TIME_MAX_LENGTH:
        return None
    match = _DATE_TIME_STAMP.fullmatch(value)
    if match is None:
        return None
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if day > _days_in_month(year, month):
        return None
    if match["end_of_day"]:
        hour, minute, second, fraction = 24, 0, 0, Decimal(0)
    else:
        hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
        fraction = Decimal(match["fraction"] or 0)
    zone = match["zone"]
    offset = (
        0 if zone == "Z" else (int(zone[1:3]) * 60 + int(zone[4:6])) * (1 if zone[0] == "+" else -1)
    )
    seconds = (
        _days_from_civil(year, month, day) * 86400 + hour * 3600 + (minute - offset) * 60 + second
    )
    return seconds, fraction


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(year: int, month: int, day: int) -> int:
    # Days since 1970-01-01 in the proleptic Gregorian calendar (XSD 1.1 has a
    # year 0). Counting years from March puts the leap day at the end.
    year -= month <= 2
    era, year_of_era = divmod(year, 400)
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _check_language_values(node: JSONObject, report: _Report, path: str) -> None:
    # VC 2.0 "Names and Descriptions": a string, a language value object
    # (@value, @language, @direction), or a list of those.
    for key in ("name", "description"):
        if key not in node:
            continue
        where = _join(path, key)
        for index, item in _objects(node[key]):
            at = where if index is None else _join(where, index)
            problem = _language_value_problem(item)
            if problem is not None:
                report.fail("name_description", f"{key}: {problem}", at)


def _language_value_problem(value: JSONValue) -> str | None:
    if isinstance(value, str):
        return None
    if not isinstance(value, dict):
        return f"{_describe(value)} is neither a string nor a language value object"
    extra = sorted(set(value) - _LANGUAGE_VALUE_KEYS)
    if extra:
        return f"{_quote(extra[0])} is not allowed; a language value holds only @value, @language, @direction"
    text = value.get("@value")
    if not isinstance(text, str):
        return f"@value must be a string, not {_describe(text)}"
    language = value.get("@language")
    if "@language" in value and not (
        isinstance(language, str) and _LANGUAGE_TAG.fullmatch(language)
    ):
        return f"@language {_describe(language)} is not a BCP 47 language tag"
    direction = value.get("@direction")
    if "@direction" in value and direction not in ("ltr", "rtl"):
        return f"@direction is {_describe(direction)}; it must be 'ltr' or 'rtl'"
    return None


# --- typed objects: status, schema, evidence, refresh, terms of use, proofs ----------


def _check_typed_objects(
    node: JSONObject, key: str, reason: str, report: _Report, path: str, *, id_required: bool
) -> None:
    if key not in node:
        return
    where = _join(path, key)
    value = node[key]
    if value == []:
        report.fail(reason, f"{key} is an empty list; omit it or give one or more objects", where)
        return
    for index, item in _objects(value):
        at = where if index is None else _join(where, index)
        label = key if index is None else f"{key}[{index}]"
        if not isinstance(item, dict):
            report.fail(reason, f"{label} must be an object, not {_describe(item)}", at)
            continue
        _check_object_type(item, report, reason, at, label)
        _check_url_property(item, "id", report, reason, at, required=id_required, owner=label)


def _check_object_type(
    item: JSONObject, report: _Report, reason: str, path: str, label: str
) -> None:
    if "type" not in item:
        report.fail(
            reason, f"{label} has no type; each one must name its type", _join(path, "type")
        )
        return
    value = item["type"]
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(t, str) and t for t in items):
        report.fail(
            reason,
            f"{label} type is {_describe(value)}; it must be one or more strings",
            _join(path, "type"),
        )


def _check_related_resources(node: JSONObject, report: _Report, path: str) -> None:
    # VC 2.0 "Integrity of Related Resources": a unique URL id and a digest each.
    if "relatedResource" not in node:
        return
    where = _join(path, "relatedResource")
    value = node["relatedResource"]
    if value == []:
        report.fail(
            "related_resource", "relatedResource is an empty list; omit it or list resources", where
        )
        return
    seen: set[str] = set()
    for index, item in _objects(value):
        at = where if index is None else _join(where, index)
        label = "relatedResource" if index is None else f"relatedResource[{index}]"
        if not isinstance(item, dict):
            report.fail("related_resource", f"{label} must be an object, not {_describe(item)}", at)
            continue
        _check_url_property(item, "id", report, "related_resource", at, required=True, owner=label)
        resource_id = item.get("id")
        if isinstance(resource_id, str):
            if resource_id in seen:
                report.fail("related_resource", f"{label} repeats the id {_quote(resource_id)}", at)
            seen.add(resource_id)
        if "digestSRI" not in item and "digestMultibase" not in item:
            report.fail("related_resource", f"{label} needs a digestSRI or digestMultibase", at)
        for digest in ("digestSRI", "digestMultibase"):
            if digest in item and not _strings(item[digest]):
                report.fail(
                    "related_resource", f"{label} {digest} must be a string", _join(at, digest)
                )


def _check_proofs(node: JSONObject, report: _Report, path: str) -> None:
    # Data Integrity, "Proofs": each proof is an object with a type. The proof
    # group checks the rest (suite, purpose, signature).
    if "proof" not in node:
        return
    where = _join(path, "proof")
    value = node["proof"]
    if value == []:
        report.fail("proof", "proof is an empty list; omit it or give one or more proofs", where)
        return
    for index, item in _objects(value):
        at = where if index is None else _join(where, index)
        label = "proof" if index is None else f"proof[{index}]"
        if not isinstance(item, dict):
            report.fail("proof", f"{label} must be an object, not {_describe(item)}", at)
        else:
            _check_object_type(item, report, "proof", at, label)


# --- presentations: embedded and enveloped credentials -------------------------------


def _check_embedded_credentials(document: JSONObject, report: _Report) -> None:
    # VC 2.0 "Presentations": verifiableCredential holds credentials as objects,
    # never as strings, or EnvelopedVerifiableCredential objects.
    if "verifiableCredential" not in document:
        return
    value = document["verifiableCredential"]
    if value == []:
        report.fail(
            "verifiable_credential",
            "verifiableCredential is an empty list; omit it or embed one or more credentials",
            "verifiableCredential",
        )
        return
    for index, item in _objects(value):
        position = 0 if index is None else index
        at = "verifiableCredential" if index is None else f"verifiableCredential[{index}]"
        if not isinstance(item, dict):
            report.fail(
                "verifiable_credential",
                f"{at} is {_describe(item)}; embed the credential as an object or envelope it",
                at,
                index=position,
            )
            continue
        types = _strings(item.get("type"))
        identifier = item.get("id")
        inner = _Report()
        if ENVELOPED_CREDENTIAL_TYPE in types or (
            CREDENTIAL_TYPE not in types
            and isinstance(identifier, str)
            and _is_data_url(identifier)
        ):
            reason = "enveloped"
            _check_envelope(item, inner, "")
        else:
            reason = "verifiable_credential"
            _check_credential(item, inner, "", require_issuer=True)
        report.bad_iris |= inner.bad_iris
        report.contexts_ok = report.contexts_ok and inner.contexts_ok
        for failure in inner.failures:
            details = dict(failure.details)
            inner_path = details.pop("path", "")
            report.fail(
                reason,
                f"{at}: {failure.message}",
                _join(at, inner_path) if isinstance(inner_path, str) and inner_path else at,
                index=position,
                check=failure.id,
                **details,
            )


def _is_data_url(value: str) -> bool:
    return value[:5].lower() == "data:" and "," in value


def _check_envelope(node: JSONObject, report: _Report, path: str) -> None:
    # VC 2.0 "Enveloped Verifiable Credentials/Presentations": the v2 context,
    # the Enveloped* type and a data: URL id that carries the secured document.
    label = path or "the envelope"
    types = _strings(node.get("type"))
    _check_context(node, report, path)
    if ENVELOPED_CREDENTIAL_TYPE not in types and ENVELOPED_PRESENTATION_TYPE not in types:
        expected = (
            ENVELOPED_PRESENTATION_TYPE if PRESENTATION_TYPE in types else ENVELOPED_CREDENTIAL_TYPE
        )
        report.fail(
            "enveloped",
            f"{label} has a data: URL id but its type lacks {expected!r}",
            _join(path, "type"),
        )
    identifier = node.get("id")
    if not (isinstance(identifier, str) and _is_data_url(identifier)):
        if isinstance(identifier, str):
            report.bad_iris.add(identifier)
        report.fail(
            "enveloped",
            f"{label} id must be a data: URL holding the secured document",
            _join(path, "id"),
        )


# --- JSON-LD: terms no context defines, and the compacted form ---------------------


@dataclass(frozen=True, slots=True)
class DocumentForm:
    """What :func:`inspect_form` found for a document and each credential it embeds.

    `reports` pairs a JSON path prefix ("" for the document itself,
    ``verifiableCredential[0]`` for an embedded credential) with its report, or with
    the error that stopped JSON-LD processing.
    """

    reports: tuple[tuple[str, FormReport | LaurelError], ...]

    def view(self, path: str = "") -> JSONObject | None:
        """The compacted form the checks should read at `path`, when it differs."""
        for at, report in self.reports:
            if at == path and isinstance(report, FormReport):
                return report.view
        return None


def inspect_form(document: JSONObject) -> DocumentForm:
    """Inspect `document` (and each credential a presentation embeds) with :func:`vc.compaction.inspect`.

    A presentation is judged without its ``verifiableCredential`` member, and each
    embedded credential on its own, since each is signed on its own.
    """
    reports: list[tuple[str, FormReport | LaurelError]] = []
    embedded = document.get("verifiableCredential")
    is_presentation = PRESENTATION_TYPE in _strings(document.get("type"))
    skip = frozenset({"proof", "verifiableCredential"} if is_presentation else {"proof"})
    parts: list[tuple[str, JSONObject, frozenset[str]]] = [("", document, skip)]
    if is_presentation:
        for index, item in _objects(embedded):
            if isinstance(item, dict):
                at = "verifiableCredential" if index is None else f"verifiableCredential[{index}]"
                parts.append((at, item, frozenset({"proof"})))
    for at, part, part_skip in parts:
        try:
            reports.append((at, compaction.inspect(part, skip=part_skip)))
        except (UnknownContextError, MalformedDocumentError) as exc:
            reports.append((at, exc))
    return DocumentForm(tuple(reports))


def _check_terms(document: JSONObject, report: _Report, form: DocumentForm | None) -> None:
    # VC 2.0 "Contexts" and Data Integrity: every term and type must be defined (a
    # term JSON-LD drops is not signed), every IRI absolute, and the document the
    # compacted form of its contexts (or the checks would not read what is signed).
    form = form if form is not None else inspect_form(document)
    terms: list[str] = []
    for at, found in form.reports:
        if isinstance(found, UnknownContextError):
            report.fail(
                "context",
                f"{found.message[:150]}; laurel never fetches contexts",
                _join(at, "@context"),
            )
            continue
        if isinstance(found, LaurelError):
            reason = found.message.removeprefix("invalid JSON-LD: ")[:100]
            report.fail(
                "jsonld",
                f"JSON-LD processing fails ({reason}); fix the @context or the value it names",
                _join(at, "@context"),
            )
            continue
        terms.extend(term for term in found.undefined if term not in report.bad_iris)
        for problem in found.problems[:_TERMS_IN_DETAILS]:
            where = _join(at, problem.path) if problem.path else at
            report.fail(
                "not_compacted",
                f"{where or 'the document'}: {problem.message}; the document must be the "
                "compacted form of its own @context",
                where,
            )
    terms = list(dict.fromkeys(terms))
    if not terms:
        return
    shown = ", ".join(_quote(term) for term in terms[:_TERMS_IN_MESSAGE])
    more = f" and {len(terms) - _TERMS_IN_MESSAGE} more" if len(terms) > _TERMS_IN_MESSAGE else ""
    pronoun = "it" if len(terms) == 1 else "them"
    report.fail(
        "undefined_term",
        f"no @context defines {shown}{more}, so a signature would not cover {pronoun}; define {pronoun} in a context",
        "",
        terms=_prefixes(terms[:_TERMS_IN_DETAILS]),
    )


def _prefixes(values: Iterable[str]) -> list[JSONValue]:
    return [_prefix(value) for value in values]
