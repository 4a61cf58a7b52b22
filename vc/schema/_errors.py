"""From jsonschema errors to named ``schema.*`` checks a reader can act on.

oneOf/anyOf errors are unwrapped to the branch that was meant; single values where
the schema wants an array are read as one-item arrays (JSON-LD compaction) and
reported as one ``schema.compaction`` warning; every other problem becomes a failed
check named after the part of the credential it is in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vc.results import CheckResult
from vc.types import JSONObject, JSONValue

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

__all__ = [
    "MAX_PROBLEMS",
    "Path",
    "compaction_warning",
    "failures",
    "leaf_errors",
    "pointer",
    "read_compacted",
]

#: How many schema problems are reported one by one; the rest are counted.
MAX_PROBLEMS = 10

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


Path = tuple[Any, ...]


def leaf_errors(validator: Any, instance: JSONObject) -> list[ValidationError]:
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


def read_compacted(
    validator: Any, instance: JSONObject, errors: list[ValidationError], wrapped: set[Path]
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
        errors = leaf_errors(validator, working)
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


def _wrap(document: JSONObject, path: Path) -> None:
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = [parent[path[-1]]]


def _original_path(path: Path, wrapped: set[Path]) -> Path:
    """`path` in the document as given: without the indexes added by reading single values."""
    out: list[Any] = []
    prefix: Path = ()
    for step in path:
        added = step == 0 and prefix in wrapped
        prefix = (*prefix, step)
        if not added:
            out.append(step)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Problem:
    path: Path
    validator: str
    message: str
    extra: dict[str, JSONValue] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (pointer(self.path), self.validator, self.message)

    def to_check(self) -> CheckResult:
        named = self.path
        prop = self.extra.get("property")
        if self.validator == "required" and isinstance(prop, str):
            named = (*named, prop)
        return CheckResult.failed(
            _check_id(named),
            self.message,
            path=pointer(self.path),
            validator=self.validator,
            **self.extra,
        )


def failures(errors: list[ValidationError], wrapped: set[Path]) -> list[CheckResult]:
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


def _problems(error: ValidationError, wrapped: set[Path]) -> Iterator[_Problem]:
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


def _where(path: Path) -> str:
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


def pointer(path: Path) -> str:
    """`path` as a JSON Pointer (RFC 6901)."""
    return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in path)


def _check_id(path: Path) -> str:
    if len(path) >= 2 and path[0] == "credentialSubject" and path[1] == "achievement":
        return "schema.achievement"
    reason = _REASONS.get(path[0]) if path and isinstance(path[0], str) else None
    return f"schema.{reason}" if reason else "schema"


def compaction_warning(compacted: list[Path], wrapped: set[Path]) -> CheckResult:
    paths: list[JSONValue] = [pointer(_original_path(p, wrapped)) for p in compacted]
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
