"""The validators over the bundled Open Badges 3.0 JSON Schemas, built once per process.

Two generations of the schemas are bundled, each pinned by SHA-256: those of VC 2.0-era
badges (``validFrom``), and those 1EdTech published for VC 1.1-era badges
(``issuanceDate``) until April 2024. A badge is judged by the schema of its era.
`jsonschema` gives the detailed errors; the same schemas compiled by `fastjsonschema`
give the fast "valid" answer. Both assert the two formats the schemas use
(``date-time``, ``date``) with stdlib-only checks.
"""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
import re
from collections.abc import Callable
from importlib import resources
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import Any

from vc.errors import LaurelError
from vc.types import JSONObject

__all__ = [
    "SCHEMA_FILE",
    "SCHEMA_FILES",
    "fast_validators",
    "format_checker",
    "is_date",
    "is_date_time",
    "lean",
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


class _Compiled(dict[str, Callable[[JSONObject], bool]]):
    """The compiled validators by name, each compiled when first asked for."""

    def __missing__(self, name: str) -> Callable[[JSONObject], bool]:
        validate = _compile(name)
        self[name] = validate
        return validate


@functools.cache
def fast_validators() -> dict[str, Callable[[JSONObject], bool]]:
    """The same schemas compiled to Python code: about 20x faster on valid badges.

    Only a "valid" answer is trusted (then the badge passed both, which the
    differential tests check); on any error the full jsonschema validator runs,
    and its detailed errors are what is reported. The schemas put no keyword
    beside a $ref, so draft-07 and 2019-09 `$ref` semantics agree on them. Each is
    compiled when first needed, without fastjsonschema's error messages (a sixth of
    the code to compile: only the answer is used).
    """
    return _Compiled()


_PARTS = {
    "endorsement": "#/$defs/EndorsementCredential",
    "credential_status": "#/$defs/CredentialStatus",
}


def _compile(name: str) -> Callable[[JSONObject], bool]:
    import fastjsonschema

    kind, _, era = name.partition("-")
    era = f"-{era}" if era else ""
    if (kind != "achievement" and kind not in _PARTS) or era not in _ERA_FILES:
        raise KeyError(name)
    schema = dict(load_schema(_ERA_FILES[era]))
    # fastjsonschema resolves "#/$defs/..." within the document; the $id must not
    # send it elsewhere, and the 2019-09 meta-schema URL is not one it knows.
    schema.pop("$id", None)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    if kind != "achievement":
        schema = {"$schema": schema["$schema"], "$ref": _PARTS[kind], "$defs": schema["$defs"]}
    formats = {"date-time": is_date_time, "date": is_date}
    namespace: dict[str, Any] = {}
    exec(_validator_code(name, schema, formats), namespace)  # noqa: S102 (fastjsonschema's own output)
    validate = namespace["validate"]

    def is_valid(instance: JSONObject) -> bool:
        try:
            validate(instance, custom_formats=formats)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return is_valid


def _validator_code(name: str, schema: JSONObject, formats: dict[str, Any]) -> CodeType:
    # The generated validator, compiled: fastjsonschema's generation and Python's
    # compilation of its output take ~50 ms, a third of a cold `laurel verify`, so the
    # code object is kept in the user's cache folder as Python keeps .pyc files, under
    # the hash of everything that shapes it (the schema, fastjsonschema, the bytecode).
    import fastjsonschema

    from vc import cachedir

    shape = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    key = hashlib.sha256(
        f"{fastjsonschema.VERSION}\n{MAGIC_NUMBER.hex()}\n{name}\n{_LEAN}\n{shape}".encode()
    ).hexdigest()[:24]
    folder = cachedir.folder()
    path = None if folder is None else folder / f"schema-{key}.pyc"
    data = None if path is None else cachedir.read_private(path)
    if data is not None:
        try:
            code = marshal.loads(data)  # noqa: S302 (this user's own file, as a .pyc is)
        except (ValueError, EOFError, TypeError):
            code = None
        if isinstance(code, CodeType):
            return code
    source = fastjsonschema.compile_to_code(
        schema, formats=formats, use_default=False, detailed_exceptions=False
    )
    code = compile(lean(source), f"<laurel schema {name}>", "exec")
    if path is not None:
        cachedir.write_private(path, marshal.dumps(code))
    return code


#: A call of one generated validator from another, alone on its line: the path it is
#: given (`name_prefix`, built with ``str.format(**locals())`` for array items) only
#: ever reaches an error message, which is not used.
_NAMED_CALL = re.compile(r"^(\s*validate____defs_\w+\([^,()]+, custom_formats, ).*\)$", re.M)
#: The version of :func:`lean`'s rewriting, in the cache key of the code it shapes.
_LEAN = "lean-1"


def lean(source: str) -> str:
    """The generated `source` (fastjsonschema) with the paths passed between validators dropped.

    The answer (valid or not) is unchanged; only messages, never used here, lose
    their path. A third of the time of a valid badge went to building those paths.
    """
    return _NAMED_CALL.sub(r"\1None)", source)


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
