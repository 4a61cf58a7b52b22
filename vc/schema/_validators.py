"""The validators over the bundled Open Badges 3.0 JSON Schema, built once per process.

`jsonschema` gives the detailed errors; the same schema compiled by `fastjsonschema`
gives the fast "valid" answer. Both assert the two formats the schema uses
(``date-time``, ``date``) with stdlib-only checks.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Any

from vc.types import JSONObject

__all__ = ["SCHEMA_FILE", "fast_validators", "is_date", "is_date_time", "validators"]

#: The bundled official schema, a file of the `vc` package.
SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"


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
    """The two validators over the bundled schema, built once."""
    from jsonschema import Draft201909Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT201909

    schema = json.loads(resources.files("vc").joinpath(SCHEMA_FILE).read_text("utf-8"))
    base = schema["$id"]
    # A registry without `retrieve`: a $ref to anything but this schema fails
    # instead of reaching the network (jsonschema's default registry fetches).
    registry = Registry().with_resource(base, DRAFT201909.create_resource(schema))
    formats = format_checker()
    endorsement = {"$ref": f"{base}#/$defs/EndorsementCredential"}
    return {
        "achievement": Draft201909Validator(schema, registry=registry, format_checker=formats),
        "endorsement": Draft201909Validator(endorsement, registry=registry, format_checker=formats),
    }


@functools.cache
def fast_validators() -> dict[str, Callable[[JSONObject], bool]]:
    """The same schema compiled to Python code: about 20x faster on valid badges.

    Only a "valid" answer is trusted (then the badge passed both, which the
    differential tests check); on any error the full jsonschema validator runs,
    and its detailed errors are what is reported. The schema puts no keyword
    beside a $ref, so draft-07 and 2019-09 `$ref` semantics agree on it.
    """
    import fastjsonschema

    schema = json.loads(resources.files("vc").joinpath(SCHEMA_FILE).read_text("utf-8"))
    # fastjsonschema resolves "#/$defs/..." within the document; the $id must not
    # send it elsewhere, and the 2019-09 meta-schema URL is not one it knows.
    schema.pop("$id", None)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    formats = {"date-time": is_date_time, "date": is_date}
    endorsement = {
        "$schema": schema["$schema"],
        "$ref": "#/$defs/EndorsementCredential",
        "$defs": schema["$defs"],
    }
    status = {
        "$schema": schema["$schema"],
        "$ref": "#/$defs/CredentialStatus",
        "$defs": schema["$defs"],
    }
    compiled = {
        "achievement": fastjsonschema.compile(schema, formats=formats, use_default=False),
        "endorsement": fastjsonschema.compile(endorsement, formats=formats, use_default=False),
        # One more status entry, checked where the schema puts credentialStatus.
        "credential_status": fastjsonschema.compile(status, formats=formats, use_default=False),
    }

    def checker(validate: Callable[[Any], Any]) -> Callable[[JSONObject], bool]:
        def is_valid(instance: JSONObject) -> bool:
            try:
                validate(instance)
            except fastjsonschema.JsonSchemaException:
                return False
            return True

        return is_valid

    return {name: checker(validate) for name, validate in compiled.items()}


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
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    sign, offset_hour, offset_minute = match.group(7), match.group(8), match.group(9)
    offset = 0
    if sign is not None:
        if int(offset_hour) > 23 or int(offset_minute) > 59:
            return False
        offset = (int(offset_hour) * 60 + int(offset_minute)) * (1 if sign == "+" else -1)
    if not _is_calendar_date(year, month, day) or hour > 23 or minute > 59 or second > 60:
        return False
    # A leap second can only be the last second of a UTC day.
    return second < 60 or (hour * 60 + minute - offset) % 1440 == 1439
