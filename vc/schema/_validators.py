"""The validators over the bundled Open Badges 3.0 JSON Schemas, built once per process.

Two generations of the schemas are bundled, each pinned by SHA-256: those of VC 2.0-era
badges (``validFrom``), and those 1EdTech published for VC 1.1-era badges
(``issuanceDate``) until April 2024. A badge is judged by the schema of its era.
`jsonschema` gives the detailed errors; the same schemas read into typed rules
(:mod:`vc.schema._rules`, compiled by mypyc) give the fast "valid" answer. Both
assert the two formats the schemas use (``date-time``, ``date``) with stdlib-only
checks.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Any

from vc.errors import LaurelError
from vc.schema._rules import Rule, build
from vc.types import JSONObject

__all__ = [
    "SCHEMA_FILE",
    "SCHEMA_FILES",
    "fast_validators",
    "format_checker",
    "is_date",
    "is_date_time",
    "load_schema",
    "validators",
]

#: The bundled official AchievementCredential schema (VC 2.0 era), a file of the `vc` package.
SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"
#: Every bundled schema file (in the `vc` package) and its SHA-256 (sources: vc/schemas/SOURCES.md).
SCHEMA_FILES: dict[str, str] = {
    SCHEMA_FILE: "859e405b592d93c3261fe899362f4128801140d4d20c01502a066b3540483d95",
    "schemas/ob_v3p0_endorsementcredential_schema.json": "66c484fa98edf57089f55f9b919473098e699c18bb6601777a599b33e9a79c55",
    "schemas/vc1.1/ob_v3p0_achievementcredential_schema.json": "a6933fdfdd3d645c1b2750321856a052e8870751efc1e8fc00c2cb51cade0cb1",
    "schemas/vc1.1/ob_v3p0_endorsementcredential_schema.json": "5dcfc3ec5bba9f5593169b5b1094d565d4ce1e86b9b233e3d90fce068f6b0a51",
}
#: The AchievementCredential schema of each era; its $defs hold the EndorsementCredential.
_ERA_FILES = {"": SCHEMA_FILE, "-1.1": "schemas/vc1.1/ob_v3p0_achievementcredential_schema.json"}


@functools.cache
def load_schema(name: str) -> JSONObject:
    """A bundled schema, parsed, after checking its pin.

    Raises:
        LaurelError: the file is not one of :data:`SCHEMA_FILES`, or does not match its pin.
    """
    pin = SCHEMA_FILES.get(name)
    data = resources.files("vc").joinpath(name).read_bytes() if pin else b""
    if pin is None or hashlib.sha256(data).hexdigest() != pin:
        raise LaurelError(
            f"the bundled schema {name} is missing or does not match its pin",
            hint="The installation is damaged; reinstall laurel.",
        )
    schema: JSONObject = json.loads(data)
    return schema


def format_checker() -> Any:
    """The jsonschema FormatChecker asserting ``date-time`` and ``date`` (stdlib checks)."""
    from jsonschema import FormatChecker

    # Formats are asserted, not just annotated: the schema uses only `date-time`
    # and `date`, on validFrom, validUntil, awardedDate, activity dates, proof
    # `created` and dateOfBirth, and a malformed timestamp there is a structural
    # error. jsonschema's own `date-time` check silently passes everything unless
    # the optional rfc3339-validator package is installed, so both checks are ours
    # (stdlib only) and every other format keyword stays an annotation.
    formats = FormatChecker(formats=())
    formats.checks("date-time")(is_date_time)
    formats.checks("date")(is_date)
    return formats


@functools.cache
def validators() -> dict[str, Any]:
    """The validators over the bundled schemas, built once.

    Keys: ``achievement``, ``endorsement`` (VC 2.0 era) and the same with ``-1.1``.
    """
    from jsonschema import Draft201909Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT201909

    built: dict[str, Any] = {}
    formats = format_checker()
    for era, name in _ERA_FILES.items():
        schema = load_schema(name)
        base = str(schema["$id"])
        # A registry without `retrieve`: a $ref to anything but this schema fails
        # instead of reaching the network (jsonschema's default registry fetches).
        registry = Registry().with_resource(base, DRAFT201909.create_resource(schema))
        endorsement = {"$ref": f"{base}#/$defs/EndorsementCredential"}
        built[f"achievement{era}"] = Draft201909Validator(
            schema, registry=registry, format_checker=formats
        )
        built[f"endorsement{era}"] = Draft201909Validator(
            endorsement, registry=registry, format_checker=formats
        )
    return built


@functools.cache
def fast_validators() -> dict[str, Callable[[JSONObject], bool]]:
    """The same schemas as typed rules (:mod:`vc.schema._rules`): many times faster on valid badges.

    Only a "valid" answer is trusted (then the badge passed both, which the
    differential tests check); on any error the full jsonschema validator runs,
    and its detailed errors are what is reported. Each is built when first needed.
    """
    return _Built()


class _Built(dict[str, Callable[[JSONObject], bool]]):
    """The fast validators by name, each built when first asked for."""

    def __missing__(self, name: str) -> Callable[[JSONObject], bool]:
        validate = _build(name).ok
        self[name] = validate
        return validate


_PARTS = {
    "endorsement": "#/$defs/EndorsementCredential",
    "credential_status": "#/$defs/CredentialStatus",
}


def _build(name: str) -> Rule:
    kind, _, era = name.partition("-")
    era = f"-{era}" if era else ""
    if (kind != "achievement" and kind not in _PARTS) or era not in _ERA_FILES:
        raise KeyError(name)
    return build(
        load_schema(_ERA_FILES[era]),
        {"date-time": is_date_time, "date": is_date},
        entry=_PARTS.get(kind),
    )


# RFC 3339, "Internet Date/Time Format" (section 5.6), which JSON Schema names for
# `date-time` and `date`; ASCII digits only, unlike `\d`.
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?"
    r"(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))"
)


def _is_calendar_date(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    return 1 <= day <= days


def is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE.fullmatch(value)
    return match is not None and _is_calendar_date(*(int(g) for g in match.groups()))


def is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return False
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    hour, minute, second = int(match[4]), int(match[5]), int(match[6])
    sign, offset_hour, offset_minute = match[7], match[8], match[9]
    offset = 0
    if sign is not None:
        if int(offset_hour) > 23 or int(offset_minute) > 59:
            return False
        offset = (int(offset_hour) * 60 + int(offset_minute)) * (1 if sign == "+" else -1)
    if not _is_calendar_date(year, month, day) or hour > 23 or minute > 59 or second > 60:
        return False
    # A leap second can only be the last second of a UTC day.
    return second < 60 or (hour * 60 + minute - offset) % 1440 == 1439
