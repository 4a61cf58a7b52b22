"""The verifier's ``schema`` check: Open Badges 3.0 structure against the official JSON Schema.

    >>> from vc.schema import check_schema
    >>> [c.id for c in check_schema({"type": ["VerifiableCredential", "OpenBadgeCredential"]})]
    ['schema.context', 'schema', 'schema.credential_subject', 'schema.issuer', 'schema.dates']
    >>> check_schema({"type": ["VerifiablePresentation"]})[0].status.value
    'skipped'

The schema is 1EdTech's ``ob_v3p0_achievementcredential_schema.json`` (JSON Schema
draft 2019-09), bundled next to this module and never fetched: every ``$ref`` in it
is local, and the validator's registry holds that one resource and nothing that
could retrieve another. Each distinct problem is its own failed check, named after
the part of the credential it is in (``schema.issuer``, ``schema.achievement``, ...).

Two readings go beyond the letter of the schema, both because OB 3.0 credentials
are JSON-LD, where a single value and a one-item array are the same data:

- a single ``proof`` object is read as a one-item list, silently: the VC Data Model
  allows it and nearly every real badge has exactly one proof;
- any other single value where the schema wants an array (``"type": "Profile"``)
  is read the same way, but reported as a ``schema.compaction`` warning, as the
  1EdTech validator does when only its JSON-LD schema accepts a credential:
  OB 3.0, "Serialization", says plain JSON represents sets as arrays.

`jsonschema` is imported on first use (it costs tens of milliseconds), and the
validators are built once per process.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from vc.jsontext import MAX_DEPTH
from vc.results import CheckResult, Status
from vc.types import JSONObject, JSONValue

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

__all__ = ["MAX_PROBLEMS", "SCHEMA_FILE", "check_schema"]

#: The bundled official schema, a file of the `vc` package.
SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"
#: How many schema problems are reported one by one; the rest are counted.
MAX_PROBLEMS = 10

_OB3_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
_ENDORSEMENT_TYPE = "EndorsementCredential"
_PRESENTATION_TYPE = "VerifiablePresentation"
# CLR 2.0 credentials carry the OB 3.0 context too, but have a schema of their own.
_CLR_TYPE = "ClrCredential"
_OB3_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/"

# Bounds for input that did not come through vc.jsontext.parse_document: jsonschema
# recurses about four frames per level, and builds messages with repr(), which
# raises for integers over Python's 4,300-digit limit.
_MAX_NODES = 2_000_000
_MAX_INT_BITS = 13_000
# Bounds on the work for a badly broken document.
_MAX_ERRORS_SCANNED = 20_000
_MAX_COMPACTION_ROUNDS = 8
_QUOTE_LIMIT = 60
_NAMES_IN_MESSAGE = 3

# The first property of the failing path names the check; the achievement, the
# part of a badge people look at first, gets its own id wherever it is nested.
_REASONS = {
    "@context": "context",
    "type": "type",
    "issuer": "issuer",
    "credentialSubject": "credential_subject",
    "evidence": "evidence",
    "endorsement": "endorsement",
    "endorsementJwt": "endorsement",
    "proof": "proof",
    "validFrom": "dates",
    "validUntil": "dates",
    "awardedDate": "dates",
    "image": "image",
    "credentialStatus": "credential_status",
    "refreshService": "refresh_service",
    "credentialSchema": "credential_schema",
    "termsOfUse": "terms_of_use",
}

_TYPE_NAMES = {
    "array": "an array",
    "object": "an object",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}

_Path = tuple[Any, ...]


def check_schema(document: JSONObject) -> list[CheckResult]:
    """Validate an Open Badges 3.0 credential against the official OB 3.0 JSON Schema.

    Returns one passed ``schema`` check, a ``schema.compaction`` warning, or one
    failed ``schema`` / ``schema.<part>`` check per distinct problem (at most
    :data:`MAX_PROBLEMS`, plus one that counts the rest). Anything that is not an
    OB 3.0 credential (a presentation, another kind of credential, not an object)
    gives one skipped ``schema`` check. Never raises for bad input.
    """
    target = _target(document)
    if isinstance(target, CheckResult):
        return [target]
    limit = _beyond_limits(document)
    if limit is not None:
        return [CheckResult.failed("schema", f"not validated: {limit}", path="")]
    instance = dict(document)
    wrapped: set[_Path] = set()
    if isinstance(instance.get("proof"), dict):
        instance["proof"] = [instance["proof"]]
        wrapped.add(("proof",))
    statuses = instance.get("credentialStatus")
    if isinstance(statuses, list) and statuses and all(isinstance(s, dict) for s in statuses):
        # VC 2.0 allows several status entries (laurel issues revocation and
        # suspension); the OB 3.0 schema types credentialStatus as one object, so
        # each entry is validated in that place, and every problem is reported.
        fast = _fast_validators()
        first = {**instance, "credentialStatus": statuses[0]}
        if fast[target](first) and all(
            fast["credential_status"](x) for x in statuses[1:] if isinstance(x, dict)
        ):
            return [CheckResult.passed("schema", _passed_message(target))]
        results: list[CheckResult] = []
        for status in statuses:
            for check in _check_instance(target, {**instance, "credentialStatus": status}, wrapped):
                if check not in results:
                    results.append(check)
        failed = [c for c in results if c.status is not Status.PASSED]
        return failed or results[:1]
    return _check_instance(target, instance, wrapped)


def _check_instance(target: str, instance: JSONObject, wrapped: set[_Path]) -> list[CheckResult]:
    validator = _validators()[target]
    if _fast_validators()[target](instance):
        return [CheckResult.passed("schema", _passed_message(target))]
    wrapped = set(wrapped)
    errors = _leaf_errors(validator, instance)
    if errors:
        errors = _read_compacted(validator, instance, errors, wrapped)
    if errors:
        return _failures(errors, wrapped)
    compacted = sorted((p for p in wrapped if p[-1] != "proof"), key=_pointer)
    if compacted:
        return [_compaction_warning(compacted, wrapped)]
    return [CheckResult.passed("schema", _passed_message(target))]


def _target(document: object) -> str | CheckResult:
    """Which schema applies: ``achievement``, ``endorsement``, or why none does."""
    if not isinstance(document, dict):
        return CheckResult.skipped("schema", "not an Open Badges 3.0 credential")
    types = _strings(document.get("type"))
    if _PRESENTATION_TYPE in types:
        return CheckResult.skipped(
            "schema", "a presentation: the schema is checked on each credential it carries"
        )
    if types & _OB3_TYPES:
        return "achievement"
    if _ENDORSEMENT_TYPE in types:
        return "endorsement"
    if _CLR_TYPE in types:
        return CheckResult.skipped("schema", "not an Open Badges 3.0 credential")
    # A credential in the OB 3.0 context that lacks the OB 3.0 type is a broken
    # badge, not some other credential: validating it reports `schema.type`.
    if any(c.startswith(_OB3_CONTEXT_PREFIX) for c in _strings(document.get("@context"))):
        return "achievement"
    return CheckResult.skipped("schema", "not an Open Badges 3.0 credential")


def _passed_message(target: str) -> str:
    kind = "EndorsementCredential" if target == "endorsement" else "AchievementCredential"
    return f"matches the official Open Badges 3.0 JSON Schema ({kind})"


def _strings(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def _beyond_limits(document: JSONObject) -> str | None:
    """Why `document` is too big for the validator to walk safely, if it is."""
    # Iterative: the point is not to recurse on untrusted depth.
    stack: list[tuple[object, int]] = [(document, 1)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > _MAX_NODES:
            return "the document has too many values"
        if isinstance(node, dict):
            children: list[object] = list(node.values())
        elif isinstance(node, list):
            children = list(node)
        else:
            if isinstance(node, int) and node.bit_length() > _MAX_INT_BITS:
                return "the document holds a number too large to read"
            continue
        if children and depth >= MAX_DEPTH:
            return f"the document is nested deeper than {MAX_DEPTH} levels"
        stack.extend((child, depth + 1) for child in children)
    return None


@functools.cache
def _validators() -> dict[str, Any]:
    """The two validators over the bundled schema, built once."""
    from jsonschema import Draft201909Validator, FormatChecker
    from referencing import Registry
    from referencing.jsonschema import DRAFT201909

    schema = json.loads(resources.files("vc").joinpath(SCHEMA_FILE).read_text("utf-8"))
    base = schema["$id"]
    # A registry without `retrieve`: a $ref to anything but this schema fails
    # instead of reaching the network (jsonschema's default registry fetches).
    registry = Registry().with_resource(base, DRAFT201909.create_resource(schema))
    # Formats are asserted, not just annotated: the schema uses only `date-time`
    # and `date`, on validFrom, validUntil, awardedDate, activity dates, proof
    # `created` and dateOfBirth, and a malformed timestamp there is a structural
    # error. jsonschema's own `date-time` check silently passes everything unless
    # the optional rfc3339-validator package is installed, so both checks are ours
    # (stdlib only) and every other format keyword stays an annotation.
    formats = FormatChecker(formats=())
    formats.checks("date-time")(_is_date_time)
    formats.checks("date")(_is_date)
    endorsement = {"$ref": f"{base}#/$defs/EndorsementCredential"}
    return {
        "achievement": Draft201909Validator(schema, registry=registry, format_checker=formats),
        "endorsement": Draft201909Validator(endorsement, registry=registry, format_checker=formats),
    }


@functools.cache
def _fast_validators() -> dict[str, Callable[[JSONObject], bool]]:
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
    formats = {"date-time": _is_date_time, "date": _is_date}
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


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE.fullmatch(value)
    return match is not None and _is_calendar_date(*(int(g) for g in match.groups()))


def _is_date_time(value: object) -> bool:
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


def _leaf_errors(validator: Any, instance: JSONObject) -> list[ValidationError]:
    """The errors of `instance`, oneOf/anyOf unwrapped to the branch that was meant."""
    errors: list[ValidationError] = []
    for error in validator.iter_errors(instance):
        errors.extend(_leaves(error))
        if len(errors) >= _MAX_ERRORS_SCANNED:
            break
    return errors


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    # `issuer` is "a string or a Profile": when it is an object, the Profile's
    # own errors are the problems, not "is not valid under any of the schemas".
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[object, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        meant = [subs for subs in branches.values() if not _wrong_type(subs)]
        if len(meant) == 1:
            for sub in meant[0]:
                yield from _leaves(sub)
            return
    yield error


def _wrong_type(errors: list[ValidationError]) -> bool:
    """Whether a branch failed on the value's JSON type itself."""
    return any(e.validator == "type" and not e.relative_path for e in errors)


def _single_value(error: ValidationError) -> bool:
    """Whether `error` is a single JSON value where the schema wants an array."""
    expected = error.validator_value
    return (
        error.validator == "type"
        and (expected == "array" or (isinstance(expected, list) and expected == ["array"]))
        and isinstance(error.instance, (str, int, float, dict))
    )


def _read_compacted(
    validator: Any, instance: JSONObject, errors: list[ValidationError], wrapped: set[_Path]
) -> list[ValidationError]:
    """Re-validate with single values read as one-item arrays; record where in `wrapped`."""
    working: JSONObject | None = None
    for _ in range(_MAX_COMPACTION_ROUNDS):
        singles = {tuple(e.absolute_path) for e in errors if _single_value(e)}
        singles -= wrapped
        if not singles:
            break
        if working is None:
            working = _copy_json(instance)
        for path in sorted(singles, key=len):
            _wrap(working, path)
            wrapped.add(path)
        errors = _leaf_errors(validator, working)
        if not errors:
            break
    return errors


def _copy_json(value: Any) -> Any:
    # Recursion is bounded: _beyond_limits has checked the depth.
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    return value


def _wrap(document: JSONObject, path: _Path) -> None:
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = [parent[path[-1]]]


def _original_path(path: _Path, wrapped: set[_Path]) -> _Path:
    """`path` in the document as given: without the indexes added by reading single values."""
    out: list[Any] = []
    prefix: _Path = ()
    for step in path:
        added = step == 0 and prefix in wrapped
        prefix = (*prefix, step)
        if not added:
            out.append(step)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Problem:
    path: _Path
    validator: str
    message: str
    extra: dict[str, JSONValue] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (_pointer(self.path), self.validator, self.message)

    def to_check(self) -> CheckResult:
        named = self.path
        prop = self.extra.get("property")
        if self.validator == "required" and isinstance(prop, str):
            named = (*named, prop)
        return CheckResult.failed(
            _check_id(named),
            self.message,
            path=_pointer(self.path),
            validator=self.validator,
            **self.extra,
        )


def _failures(errors: list[ValidationError], wrapped: set[_Path]) -> list[CheckResult]:
    problems: dict[tuple[str, str, str], _Problem] = {}
    for error in errors:
        for problem in _problems(error, wrapped):
            problems.setdefault(problem.key, problem)
    shown = list(problems.values())[:MAX_PROBLEMS]
    checks = [problem.to_check() for problem in shown]
    hidden = len(problems) - len(shown)
    if hidden:
        more = f"{hidden}+" if len(errors) >= _MAX_ERRORS_SCANNED else str(hidden)
        checks.append(
            CheckResult.failed(
                "schema", f"{more} more schema problems not shown", path="", more=hidden
            )
        )
    return checks


def _problems(error: ValidationError, wrapped: set[_Path]) -> Iterator[_Problem]:
    path = _original_path(tuple(error.absolute_path), wrapped)
    where = _where(path)
    validator = str(error.validator)
    expected = error.validator_value
    value = error.instance
    if validator == "required" and isinstance(value, dict):
        for name in expected:
            if name not in value:
                message = f"{where} lacks the required property {name!r}"
                yield _Problem(path, validator, message, {"property": name})
        return
    if validator == "additionalProperties" and isinstance(value, dict):
        allowed = error.schema.get("properties", {})
        extras = [_shorten(str(k)) for k in value if k not in allowed]
        names = ", ".join(repr(k) for k in extras[:_NAMES_IN_MESSAGE])
        if len(extras) > _NAMES_IN_MESSAGE:
            names += f" and {len(extras) - _NAMES_IN_MESSAGE} more"
        yield _Problem(path, validator, f"{where} has properties it may not have: {names}")
        return
    yield _Problem(path, validator, _describe(error, where))


def _describe(error: ValidationError, where: str) -> str:
    validator = error.validator
    expected = error.validator_value
    value = error.instance
    if validator == "type":
        return f"{where} must be {_expected_types(expected)}, not {_kind(value)}"
    if validator == "enum":
        return f"{where} is {_quote(value)}, which is not {_choices(expected)}"
    if validator == "contains":
        wanted = expected.get("enum") if isinstance(expected, dict) else None
        if isinstance(wanted, list):
            return f"{where} must include {' or '.join(_quote(w) for w in wanted)}"
        return f"{where} has no item of the required kind"
    if validator == "minItems":
        count = len(value) if isinstance(value, list) else 0
        items = "item" if expected == 1 else "items"
        return f"{where} must have at least {expected} {items}, not {count}"
    if validator == "pattern":
        return f"{where} is {_quote(value)}, which does not match {_shorten(str(expected))}"
    if validator == "format":
        return f"{where} is {_quote(value)}, which is not a valid RFC 3339 {expected}"
    if validator in ("oneOf", "anyOf"):
        return _describe_alternatives(error, where)
    return f"{where} does not satisfy the schema's {validator!r} rule"


def _describe_alternatives(error: ValidationError, where: str) -> str:
    if not error.context:
        return f"{where} matches more than one of the forms the schema allows"
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    if all(_wrong_type(subs) for subs in branches.values()):
        types: list[str] = []
        for sub in error.context:
            if sub.validator == "type" and not sub.relative_path:
                types.extend(t for t in _as_list(sub.validator_value) if t not in types)
        return f"{where} must be {_expected_types(types)}, not {_kind(error.instance)}"
    # Several branches of the right type failed, such as "a listed term, or an
    # `ext:` extension" for identityType and achievementType.
    return f"{where} is {_quote(error.instance)}, which is not one of the allowed values"


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _expected_types(expected: object) -> str:
    names = [_TYPE_NAMES.get(t, t) for t in _as_list(expected)]
    return " or ".join(names) if names else "of another type"


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    for python_type, name in ((str, "string"), (dict, "object"), (list, "array")):
        if isinstance(value, python_type):
            return _TYPE_NAMES[name]
    if isinstance(value, (int, float)):
        return "a number"
    return f"a {type(value).__name__}"


def _choices(expected: object) -> str:
    values = expected if isinstance(expected, list) else []
    if len(values) == 1:
        return _quote(values[0])
    if 1 < len(values) <= 4:
        return "one of " + ", ".join(_quote(v) for v in values)
    return "one of the allowed values"


def _shorten(text: str) -> str:
    return text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT] + "..."


def _quote(value: object) -> str:
    """A short, safe rendering of a value for a message: never the whole thing."""
    if isinstance(value, str):
        return repr(_shorten(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int) and value.bit_length() <= 64:
        return str(value)
    if isinstance(value, float):
        return _shorten(repr(value))
    if isinstance(value, list):
        return f"an array of {len(value)} items"
    return _kind(value)


def _where(path: _Path) -> str:
    """`path` as a reader would write it: ``credentialSubject.result[1].type``."""
    if not path:
        return "the credential"
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += ("." if text else "") + _shorten(str(step))
    return text


def _pointer(path: _Path) -> str:
    """`path` as a JSON Pointer (RFC 6901)."""
    return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in path)


def _check_id(path: _Path) -> str:
    if len(path) >= 2 and path[0] == "credentialSubject" and path[1] == "achievement":
        return "schema.achievement"
    reason = _REASONS.get(path[0]) if path and isinstance(path[0], str) else None
    return f"schema.{reason}" if reason else "schema"


def _compaction_warning(compacted: list[_Path], wrapped: set[_Path]) -> CheckResult:
    paths: list[JSONValue] = [_pointer(_original_path(p, wrapped)) for p in compacted]
    places = ", ".join(_where(_original_path(p, wrapped)) for p in compacted[:_NAMES_IN_MESSAGE])
    if len(compacted) > _NAMES_IN_MESSAGE:
        places += f" and {len(compacted) - _NAMES_IN_MESSAGE} more"
    return CheckResult.warning(
        "schema.compaction",
        f"matches the Open Badges 3.0 JSON Schema only when single values are read as "
        f"one-item arrays (JSON-LD compaction), at {places}; plain-JSON consumers "
        f"expect arrays there",
        path=paths[0],
        validator="type",
        paths=paths[:MAX_PROBLEMS],
        count=len(paths),
    )
