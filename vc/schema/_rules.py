"""The bundled schemas as a tree of typed rules: the schema check's fast yes.

A schema is read once into rule objects (`build`); validating a badge is then a walk
of plain method calls, which mypyc compiles (pyproject.toml, ``[tool.laurel]
compiled``). It reads the keywords the bundled Open Badges schemas use, as
jsonschema's Draft 2019-09 validator reads them, and refuses to build from a schema
with any other keyword, so a new schema cannot be half understood. Only its yes is
trusted: a no runs jsonschema, whose errors are what a user reads, and the
differential tests in tests/vc/test_schema.py hold the two to the same answer.

    >>> rule = build({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}})
    >>> rule.ok({"id": "urn:x"}), rule.ok({"id": 1}), rule.ok({})
    (True, False, False)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["ANNOTATIONS", "Rule", "SchemaNotUnderstoodError", "build"]

#: Keywords that only annotate (or hold definitions): they never change an answer.
ANNOTATIONS = frozenset({"title", "description", "$comment", "$schema", "$id", "$defs"})

_TYPES = ("string", "object", "array", "integer", "number", "boolean", "null")


class SchemaNotUnderstoodError(ValueError):
    """A schema uses something these rules do not read (a keyword, a $ref elsewhere)."""


class Rule:
    """One schema, or one keyword of it: `ok` says whether a value satisfies it."""

    def ok(self, value: object) -> bool:
        """Whether `value` satisfies this rule (the base rule, the schema ``true``: always)."""
        return True


class _Never(Rule):
    # The schema `false`.
    def ok(self, value: object) -> bool:
        return False


class _All(Rule):
    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules

    def ok(self, value: object) -> bool:
        for rule in self.rules:
            if not rule.ok(value):
                return False
        return True


class _OneOf(Rule):
    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules

    def ok(self, value: object) -> bool:
        matched = 0
        for rule in self.rules:
            if rule.ok(value):
                matched += 1
                if matched > 1:
                    return False
        return matched == 1


class _Ref(Rule):
    # Resolved once every definition is built (definitions refer to each other).
    def __init__(self, name: str) -> None:
        self.name = name
        self.target: Rule | None = None

    def ok(self, value: object) -> bool:
        target = self.target
        if target is None:
            raise SchemaNotUnderstoodError(f"$ref {self.name} was never resolved")
        return target.ok(value)


class _Type(Rule):
    def __init__(self, names: list[str]) -> None:
        self.names = names

    def ok(self, value: object) -> bool:
        for name in self.names:
            if _is_type(value, name):
                return True
        return False


def _is_type(value: object, name: str) -> bool:
    # jsonschema's Draft 2019-09 type checker; a bool is no number. An int or float
    # subclass, a Decimal: not read here (the answer is no, and jsonschema decides).
    if name == "string":
        return isinstance(value, str)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    kind = type(value)
    if name == "integer":
        return kind is int or (kind is float and float(value).is_integer())  # type: ignore[arg-type]
    return kind is int or kind is float  # "number"


class _Enum(Rule):
    def __init__(self, strings: frozenset[str], others: list[object]) -> None:
        self.strings = strings
        self.others = others

    def ok(self, value: object) -> bool:
        if isinstance(value, str) and value in self.strings:
            return True
        for other in self.others:
            if _equal(value, other):
                return True
        return False


def _equal(one: object, two: object) -> bool:
    # JSON equality as jsonschema reads it: true is not 1; 1 is 1.0.
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    if isinstance(one, str) or isinstance(two, str):
        return isinstance(one, str) and isinstance(two, str) and one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(_equal(one[k], two[k]) for k in one)
    if one is None or two is None:
        return one is None and two is None
    kinds = (int, float)
    return type(one) in kinds and type(two) in kinds and one == two


class _Pattern(Rule):
    def __init__(self, pattern: str) -> None:
        self.search = re.compile(pattern).search

    def ok(self, value: object) -> bool:
        if isinstance(value, str):
            return self.search(value) is not None
        return True


class _Format(Rule):
    def __init__(self, check: Callable[[object], bool]) -> None:
        self.check = check

    def ok(self, value: object) -> bool:
        return self.check(value)


class _Object(Rule):
    # properties, required and additionalProperties together: one pass over the members.
    def __init__(
        self, properties: dict[str, Rule], required: list[str], additional: Rule | None
    ) -> None:
        self.properties = properties
        self.required = required
        self.additional = additional

    def ok(self, value: object) -> bool:
        if not isinstance(value, dict):
            return True
        for name in self.required:
            if name not in value:
                return False
        properties, additional = self.properties, self.additional
        for key, member in value.items():
            rule = properties.get(key) if isinstance(key, str) else None
            if rule is not None:
                if not rule.ok(member):
                    return False
            elif additional is not None and not additional.ok(member):
                return False
        return True


class _Array(Rule):
    # items (one schema, or one per position with additionalItems), minItems, contains.
    def __init__(
        self,
        each: Rule | None,
        positions: list[Rule],
        beyond: Rule | None,
        min_items: int,
        contains: Rule | None,
    ) -> None:
        self.each = each
        self.positions = positions
        self.beyond = beyond
        self.min_items = min_items
        self.contains = contains

    def ok(self, value: object) -> bool:
        if not isinstance(value, list):
            return True
        if len(value) < self.min_items:
            return False
        each = self.each
        if each is not None:
            for item in value:
                if not each.ok(item):
                    return False
        positions = self.positions
        for index in range(min(len(positions), len(value))):
            if not positions[index].ok(value[index]):
                return False
        beyond = self.beyond
        if beyond is not None:
            for item in value[len(positions) :]:
                if not beyond.ok(item):
                    return False
        contains = self.contains
        if contains is not None:
            for item in value:
                if contains.ok(item):
                    return True
            return False
        return True


def build(
    schema: object,
    formats: dict[str, Callable[[object], bool]] | None = None,
    *,
    entry: str | None = None,
) -> Rule:
    """The rule for `schema`, or for its definition `entry` (``#/$defs/Name``).

    Local ``$ref`` (``#/$defs/Name``) are followed; `formats` checks the named
    formats, and every other format only annotates.

    Raises:
        SchemaNotUnderstoodError: a keyword, type or ``$ref`` these rules do not read.
    """
    formats = formats or {}
    refs: list[_Ref] = []
    root = _rule(schema, formats, refs)
    definitions: dict[str, Rule] = {}
    if isinstance(schema, dict):
        for name, part in dict(schema.get("$defs") or {}).items():
            definitions[f"#/$defs/{name}"] = _rule(part, formats, refs)
    for ref in refs:  # the definitions' own $refs included
        target = definitions.get(ref.name)
        if target is None:
            raise SchemaNotUnderstoodError(f"$ref {ref.name!r} is not a local definition")
        ref.target = target
    for ref in refs:
        _refuse_loops(ref, [])
    if entry is None:
        return root
    if entry not in definitions:
        raise SchemaNotUnderstoodError(f"{entry!r} is not a definition of the schema")
    return definitions[entry]


def _refuse_loops(rule: Rule, path: list[Rule]) -> None:
    # A $ref that comes back to itself without reading any deeper into the value
    # would never end (jsonschema recurses until RecursionError).
    if any(rule is seen for seen in path):
        raise SchemaNotUnderstoodError("a $ref leads back to itself without reading deeper")
    below: list[Rule] = []
    if isinstance(rule, _Ref) and rule.target is not None:
        below = [rule.target]
    elif isinstance(rule, _All | _OneOf):
        below = rule.rules
    for inner in below:
        _refuse_loops(inner, [*path, rule])


def _rule(schema: object, formats: dict[str, Callable[[object], bool]], refs: list[_Ref]) -> Rule:
    if schema is True:
        return Rule()
    if schema is False:
        return _Never()
    if not isinstance(schema, dict):
        raise SchemaNotUnderstoodError(f"a schema must be an object or a boolean: {schema!r}")
    parts: list[Rule] = []
    keywords = set(schema) - ANNOTATIONS
    object_keys = {"properties", "required", "additionalProperties"}
    array_keys = {"items", "additionalItems", "minItems", "contains"}
    unknown = (
        keywords
        - object_keys
        - array_keys
        - {
            "type",
            "enum",
            "pattern",
            "format",
            "$ref",
            "allOf",
            "oneOf",
        }
    )
    if unknown:
        raise SchemaNotUnderstoodError(f"schema keywords not read here: {sorted(unknown)}")
    if "$ref" in schema:
        ref = _Ref(str(schema["$ref"]))
        refs.append(ref)
        parts.append(ref)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not all(name in _TYPES for name in names):
            raise SchemaNotUnderstoodError(f"type {names!r}")
        parts.append(_Type([str(name) for name in names]))
    if "enum" in schema:
        values: list[Any] = list(schema["enum"])
        strings = frozenset(v for v in values if isinstance(v, str))
        parts.append(_Enum(strings, [v for v in values if not isinstance(v, str)]))
    if "pattern" in schema:
        parts.append(_Pattern(str(schema["pattern"])))
    if "format" in schema and schema["format"] in formats:
        # Other formats annotate only, as with jsonschema's format checker (_validators).
        parts.append(_Format(formats[schema["format"]]))
    if keywords & object_keys:
        properties = {
            str(name): _rule(part, formats, refs)
            for name, part in dict(schema.get("properties") or {}).items()
        }
        additional = schema.get("additionalProperties", True)
        parts.append(
            _Object(
                properties,
                [str(name) for name in schema.get("required") or []],
                None if additional is True else _rule(additional, formats, refs),
            )
        )
    if keywords & array_keys:
        parts.append(_array(schema, formats, refs))
    for keyword in ("allOf", "oneOf"):
        if keyword in schema:
            rules = [_rule(part, formats, refs) for part in schema[keyword]]
            parts.append(_All(rules) if keyword == "allOf" else _OneOf(rules))
    if not parts:
        return Rule()
    return parts[0] if len(parts) == 1 else _All(parts)


def _array(
    schema: dict[str, Any], formats: dict[str, Callable[[object], bool]], refs: list[_Ref]
) -> Rule:
    items = schema.get("items", True)
    each: Rule | None = None
    positions: list[Rule] = []
    beyond: Rule | None = None
    if isinstance(items, list):
        positions = [_rule(part, formats, refs) for part in items]
        extra = schema.get("additionalItems", True)
        beyond = None if extra is True else _rule(extra, formats, refs)
    elif items is not True:
        each = _rule(items, formats, refs)  # additionalItems is ignored beside one schema
    min_items = schema.get("minItems", 0)
    if not isinstance(min_items, int) or isinstance(min_items, bool):
        raise SchemaNotUnderstoodError(f"minItems {min_items!r}")
    contains = _rule(schema["contains"], formats, refs) if "contains" in schema else None
    return _Array(each, positions, beyond, min_items, contains)
