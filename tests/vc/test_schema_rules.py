"""vc.schema._rules, keyword by keyword, against jsonschema's Draft 2019-09 validator.

Random schemas made of the keywords the rules read, random values: the two must give
the same answer on every pair. The whole bundled schemas against jsonschema on badges:
tests/vc/test_schema.py.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft201909Validator

from vc.schema._rules import SchemaNotUnderstoodError, build
from vc.schema._validators import (
    SCHEMA_FILES,
    fast_validators,
    format_checker,
    is_date,
    is_date_time,
    load_schema,
)

FORMATS = {"date-time": is_date_time, "date": is_date}
NAMES = st.sampled_from(["a", "b", "id", "type", ""])
STRINGS = st.sampled_from(
    ["", "a", "b", "Profile", "2024-01-01T00:00:00Z", "2024-02-30", "2024-01-01", "x\n"]
)


def _values():
    leaves = (
        st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([1.0, 1.5, -0.0]) | STRINGS
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=4),
        max_leaves=12,
    )


def _schemas():
    types = st.sampled_from(["string", "object", "array", "integer", "number", "boolean", "null"])

    def keyword(inner):
        return st.one_of(
            st.builds(lambda t: {"type": t}, types | st.lists(types, min_size=1, max_size=3)),
            st.builds(lambda v: {"enum": v}, st.lists(_values(), min_size=1, max_size=3)),
            st.builds(lambda p: {"pattern": p}, st.sampled_from(["^a", "b$", "^[a-z]+$", "x"])),
            st.builds(lambda f: {"format": f}, st.sampled_from(["date-time", "date", "email"])),
            st.builds(lambda r: {"required": r}, st.lists(NAMES, max_size=2, unique=True)),
            st.builds(lambda p: {"properties": p}, st.dictionaries(NAMES, inner, max_size=3)),
            st.builds(lambda a: {"additionalProperties": a}, inner),
            st.builds(lambda i: {"items": i}, inner | st.lists(inner, max_size=3)),
            st.builds(lambda a: {"additionalItems": a}, inner),
            st.builds(lambda n: {"minItems": n}, st.integers(0, 3)),
            st.builds(lambda c: {"contains": c}, inner),
            st.builds(lambda s: {"allOf": s}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda s: {"oneOf": s}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda r: {"$ref": r}, st.sampled_from(["#/$defs/A", "#/$defs/B"])),
        )

    def merged(inner):
        return (
            st.lists(keyword(inner), min_size=1, max_size=3).map(
                lambda parts: {k: v for part in parts for k, v in part.items()}
            )
            | st.booleans()
        )

    return st.recursive(st.just({}) | st.booleans(), merged, max_leaves=8)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=_schemas(), defs=st.tuples(_schemas(), _schemas()), value=_values())
def test_each_keyword_reads_as_jsonschema_reads_it(schema, defs, value):
    if isinstance(schema, dict):
        schema = {**schema, "$defs": {"A": defs[0], "B": defs[1]}}
    elif "$ref" in str(defs):
        return
    try:
        rule = build(schema, FORMATS)
    except SchemaNotUnderstoodError:  # a $ref that comes back to itself (refused, below)
        return
    validator = Draft201909Validator(schema, format_checker=format_checker())
    if _boolean_items_beside_additional_items(schema):
        # jsonschema raises TypeError there (len(False)); no bundled schema has it.
        return
    assert rule.ok(value) == validator.is_valid(value)


def _boolean_items_beside_additional_items(schema: object) -> bool:
    if isinstance(schema, list):
        return any(_boolean_items_beside_additional_items(part) for part in schema)
    if not isinstance(schema, dict):
        return False
    if isinstance(schema.get("items"), bool) and "additionalItems" in schema:
        return True
    return any(_boolean_items_beside_additional_items(part) for part in schema.values())


@pytest.mark.parametrize(
    "schema",
    [
        {"const": 1},
        {"maxItems": 2},
        {"patternProperties": {"a": {}}},
        {"if": {}, "then": {}},
        {"type": "decimal"},
        {"$ref": "https://example.org/elsewhere.json"},
        {"$ref": "#/$defs/Missing", "$defs": {}},
        {"$ref": "#/$defs/A", "$defs": {"A": {"allOf": [{"$ref": "#/$defs/A"}]}}},
        {"minItems": True},
        [],
    ],
)
def test_a_schema_the_rules_do_not_read_is_refused_when_built(schema):
    with pytest.raises(SchemaNotUnderstoodError):
        build(schema, FORMATS)


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_every_bundled_schema_is_read_whole(name):
    # Building refuses any keyword it does not read: every bundled schema builds,
    # with each definition the checks start from.
    schema = load_schema(name)
    build(schema, FORMATS)
    for entry in ("#/$defs/EndorsementCredential", "#/$defs/CredentialStatus"):
        if entry.rsplit("/", 1)[1] in schema.get("$defs", {}):
            build(schema, FORMATS, entry=entry)


def test_the_fast_validators_are_the_rules():
    fast = fast_validators()
    for name in ("achievement", "achievement-1.1", "endorsement", "credential_status-1.1"):
        assert fast[name]({}) is False
        assert fast[name]([]) is False
    with pytest.raises(KeyError):
        fast["unknown"]
