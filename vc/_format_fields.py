"""The ``format`` check of a credential's members: identifiers, parties, dates, names, typed objects."""

from __future__ import annotations

import re
from decimal import Decimal

from vc._format_report import Report, describe, is_url, join, objects, quote, strings
from vc.types import JSONObject, JSONValue

__all__ = [
    "TYPED_PROPERTIES",
    "check_holder",
    "check_issuer",
    "check_language_values",
    "check_proofs",
    "check_related_resources",
    "check_subjects",
    "check_typed_objects",
    "check_url_property",
    "check_validity_dates",
]

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
#: The VC 2.0 validity members (VC 1.1 has issuanceDate and expirationDate instead).
VALIDITY_MEMBERS = ("validFrom", "validUntil")

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_LANGUAGE_VALUE_KEYS = frozenset({"@value", "@language", "@direction"})

# VC 2.0 sections that require each object of a property to name its `type`:
# (property, check reason, whether `id` is required). An `id`, when present,
# must be a URL everywhere ("Identifiers").
TYPED_PROPERTIES: tuple[tuple[str, str, bool], ...] = (
    ("credentialStatus", "credential_status", False),  # "Status"
    ("credentialSchema", "credential_schema", True),  # "Data Schemas"
    ("evidence", "evidence", False),  # "Evidence"
    ("refreshService", "refresh_service", False),  # "Refreshing"
    ("termsOfUse", "terms_of_use", False),  # "Terms of Use"
    ("renderMethod", "render_method", False),  # "Reserved Extension Points"
    ("confidenceMethod", "confidence_method", False),  # "Reserved Extension Points"
)


def check_url_property(
    node: JSONObject,
    key: str,
    report: Report,
    reason: str,
    path: str,
    *,
    required: bool,
    owner: str = "",
) -> None:
    where = join(path, key)
    name = f"{owner} {key}".strip()
    if key not in node:
        if required:
            report.fail(reason, f"{owner or 'the object'} has no {key}; it must be a URL", where)
        return
    value = node[key]
    if isinstance(value, str):
        if not is_url(value):
            report.bad_iris.add(value)
            report.fail(
                reason,
                f"{name} {quote(value)} is not a URL (a URL has a scheme, e.g. did: or https:)",
                where,
            )
        return
    if isinstance(value, list):
        report.fail(reason, f"{name} must be a single URL, not a list", where)
        return
    report.fail(reason, f"{name} must be a URL, not {describe(value)}", where)


def check_issuer(document: JSONObject, report: Report, path: str, *, required: bool) -> None:
    # VC 2.0 "Issuer": a URL, or an object whose id is a URL.
    where = join(path, "issuer")
    if "issuer" not in document:
        if required:
            report.fail(
                "issuer", "there is no issuer; it must be a URL or an object with a URL id", where
            )
        return
    issuer = document["issuer"]
    if isinstance(issuer, str):
        check_url_property(document, "issuer", report, "issuer", path, required=True)
        return
    if not isinstance(issuer, dict):
        report.fail(
            "issuer",
            f"issuer must be a URL or an object with a URL id, not {describe(issuer)}",
            where,
        )
        return
    check_url_property(issuer, "id", report, "issuer", where, required=required, owner="issuer")
    check_language_values(issuer, report, where)


def check_holder(document: JSONObject, report: Report) -> None:
    # VC 2.0 "Presentations": holder is a URL or an object with an id.
    if "holder" not in document:
        return
    holder = document["holder"]
    if isinstance(holder, str):
        check_url_property(document, "holder", report, "holder", "", required=True)
    elif isinstance(holder, dict):
        check_url_property(holder, "id", report, "holder", "holder", required=True, owner="holder")
    else:
        report.fail(
            "holder",
            f"holder must be a URL or an object with a URL id, not {describe(holder)}",
            "holder",
        )


def check_subjects(document: JSONObject, report: Report, path: str) -> None:
    # VC 2.0 "Credential Subject": one or more objects, each the subject of claims.
    where = join(path, "credentialSubject")
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
    for index, subject in objects(value):
        at = where if index is None else join(where, index)
        label = "credentialSubject" if index is None else f"credentialSubject[{index}]"
        if not isinstance(subject, dict):
            report.fail(
                "credential_subject",
                f"{label} must be an object of claims, not {describe(subject)}",
                at,
            )
        elif not any(key != "@context" for key in subject):
            report.fail(
                "credential_subject", f"{label} is empty; it must make at least one claim", at
            )
        else:
            check_url_property(
                subject, "id", report, "credential_subject", at, required=False, owner=label
            )


# --- dates and language values -------------------------------------------------------


def check_validity_dates(
    document: JSONObject, report: Report, path: str, *, version: str = "2.0"
) -> None:
    # VC 2.0 "Validity Period": dateTimeStamp values, validFrom <= validUntil.
    # VC 1.1 "Issuance Date" and "Expiration Date": issuanceDate is required, both are
    # RFC 3339 date-times (with a time zone), and the same order holds.
    start, end = ("issuanceDate", "expirationDate") if version == "1.1" else VALIDITY_MEMBERS
    if version == "1.1" and start not in document:
        report.fail(
            "validity_dates",
            "a VC 1.1 credential must have an issuanceDate (an RFC 3339 date-time)",
            join(path, start),
        )
    instants: dict[str, tuple[int, Decimal]] = {}
    for key in (start, end):
        if key not in document:
            continue
        value = document[key]
        instant = date_time_stamp(value) if isinstance(value, str) else None
        if instant is None:
            report.fail(
                "validity_dates",
                f"{key} is {describe(value)}; write a date-time with a time zone like 2024-01-01T00:00:00Z",
                join(path, key),
            )
        else:
            instants[key] = instant
    if len(instants) == 2 and instants[start] > instants[end]:
        report.fail(
            "validity_dates",
            f"{end} is earlier than {start}; the credential could never be valid",
            join(path, end),
        )


def date_time_stamp(value: str) -> tuple[int, Decimal] | None:
    # The instant as (whole seconds since 1970 in UTC, fraction); None when invalid.
    # Exact for every year, unlike datetime (years 1..9999 only).
    if len(value) > _DATE_TIME_MAX_LENGTH:
        return None
    match = _DATE_TIME_STAMP.fullmatch(value)
    if match is None:
        return None
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if day > days_in_month(year, month):
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
        days_from_civil(year, month, day) * 86400 + hour * 3600 + (minute - offset) * 60 + second
    )
    return seconds, fraction


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def days_from_civil(year: int, month: int, day: int) -> int:
    # Days since 1970-01-01 in the proleptic Gregorian calendar (XSD 1.1 has a
    # year 0). Counting years from March puts the leap day at the end.
    year -= month <= 2
    era, year_of_era = divmod(year, 400)
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def check_language_values(node: JSONObject, report: Report, path: str) -> None:
    # VC 2.0 "Names and Descriptions": a string, a language value object
    # (@value, @language, @direction), or a list of those.
    for key in ("name", "description"):
        if key not in node:
            continue
        where = join(path, key)
        for index, item in objects(node[key]):
            at = where if index is None else join(where, index)
            problem = language_value_problem(item)
            if problem is not None:
                report.fail("name_description", f"{key}: {problem}", at)


def language_value_problem(value: JSONValue) -> str | None:
    if isinstance(value, str):
        return None
    if not isinstance(value, dict):
        return f"{describe(value)} is neither a string nor a language value object"
    extra = sorted(set(value) - _LANGUAGE_VALUE_KEYS)
    if extra:
        return f"{quote(extra[0])} is not allowed; a language value holds only @value, @language, @direction"
    text = value.get("@value")
    if not isinstance(text, str):
        return f"@value must be a string, not {describe(text)}"
    language = value.get("@language")
    if "@language" in value and not (
        isinstance(language, str) and _LANGUAGE_TAG.fullmatch(language)
    ):
        return f"@language {describe(language)} is not a BCP 47 language tag"
    direction = value.get("@direction")
    if "@direction" in value and direction not in ("ltr", "rtl"):
        return f"@direction is {describe(direction)}; it must be 'ltr' or 'rtl'"
    return None


# --- typed objects: status, schema, evidence, refresh, terms of use, proofs ----------


def check_typed_objects(
    node: JSONObject, key: str, reason: str, report: Report, path: str, *, id_required: bool
) -> None:
    if key not in node:
        return
    where = join(path, key)
    value = node[key]
    if value == []:
        report.fail(reason, f"{key} is an empty list; omit it or give one or more objects", where)
        return
    for index, item in objects(value):
        at = where if index is None else join(where, index)
        label = key if index is None else f"{key}[{index}]"
        if not isinstance(item, dict):
            report.fail(reason, f"{label} must be an object, not {describe(item)}", at)
            continue
        check_object_type(item, report, reason, at, label)
        check_url_property(item, "id", report, reason, at, required=id_required, owner=label)


def check_object_type(item: JSONObject, report: Report, reason: str, path: str, label: str) -> None:
    if "type" not in item:
        report.fail(reason, f"{label} has no type; each one must name its type", join(path, "type"))
        return
    value = item["type"]
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(t, str) and t for t in items):
        report.fail(
            reason,
            f"{label} type is {describe(value)}; it must be one or more strings",
            join(path, "type"),
        )


def check_related_resources(node: JSONObject, report: Report, path: str) -> None:
    # VC 2.0 "Integrity of Related Resources": a unique URL id and a digest each.
    if "relatedResource" not in node:
        return
    where = join(path, "relatedResource")
    value = node["relatedResource"]
    if value == []:
        report.fail(
            "related_resource", "relatedResource is an empty list; omit it or list resources", where
        )
        return
    seen: set[str] = set()
    for index, item in objects(value):
        at = where if index is None else join(where, index)
        label = "relatedResource" if index is None else f"relatedResource[{index}]"
        if not isinstance(item, dict):
            report.fail("related_resource", f"{label} must be an object, not {describe(item)}", at)
            continue
        check_url_property(item, "id", report, "related_resource", at, required=True, owner=label)
        resource_id = item.get("id")
        if isinstance(resource_id, str):
            if resource_id in seen:
                report.fail("related_resource", f"{label} repeats the id {quote(resource_id)}", at)
            seen.add(resource_id)
        if "digestSRI" not in item and "digestMultibase" not in item:
            report.fail("related_resource", f"{label} needs a digestSRI or digestMultibase", at)
        for digest in ("digestSRI", "digestMultibase"):
            if digest in item and not strings(item[digest]):
                report.fail(
                    "related_resource", f"{label} {digest} must be a string", join(at, digest)
                )


def check_proofs(node: JSONObject, report: Report, path: str) -> None:
    # Data Integrity, "Proofs": each proof is an object with a type. The proof
    # group checks the rest (suite, purpose, signature).
    if "proof" not in node:
        return
    where = join(path, "proof")
    value = node["proof"]
    if value == []:
        report.fail("proof", "proof is an empty list; omit it or give one or more proofs", where)
        return
    for index, item in objects(value):
        at = where if index is None else join(where, index)
        label = "proof" if index is None else f"proof[{index}]"
        if not isinstance(item, dict):
            report.fail("proof", f"{label} must be an object, not {describe(item)}", at)
        else:
            check_object_type(item, report, "proof", at, label)
