from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vc.errors import MalformedDocumentError
from vc.jsontext import (
    MAX_ARRAY_LENGTH,
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    MAX_STRING_LENGTH,
    key_count,
    parse_document,
)


def _code(data: bytes | str) -> str:
    with pytest.raises(MalformedDocumentError) as info:
        parse_document(data)
    return info.value.code


def test_parses_an_object():
    assert parse_document(b'\xef\xbb\xbf{"a": [1, 2.5, "x", null, true]}') == {
        "a": [1, 2.5, "x", None, True]
    }


def test_duplicate_key_is_refused():
    # SECURITY M06 / CVE-2017-12635: json keeps the last duplicate silently.
    assert (
        _code(b'{"issuer": "did:key:zA", "x": {"issuer": 1}, "issuer": "did:key:zM"}')
        == "duplicate_key"
    )


def test_nested_duplicate_key_is_refused():
    assert _code(b'{"a": {"b": 1, "b": 2}}') == "duplicate_key"


@pytest.mark.parametrize(
    "text", ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', '{"a": 1e400}']
)
def test_non_finite_numbers_are_refused(text):
    assert _code(text) == "invalid_json"


def test_lone_surrogate_is_refused():
    assert _code(b'{"a": "\\ud800"}') == "invalid_json"
    assert _code(b'{"\\udc00": 1}') == "invalid_json"


def test_surrogate_pair_is_fine():
    assert parse_document(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}


def test_huge_integer_is_refused():
    assert _code('{"a": ' + "9" * 5000 + "}") == "invalid_json"


def test_deep_nesting_is_refused_without_recursion_error():
    assert _code("[" * 100_000 + "]" * 100_000) in {"too_deep", "not_an_object"}
    assert _code('{"a":' * 100_000 + "1" + "}" * 100_000) == "too_deep"


def test_depth_limit_is_exact():
    ok = '{"a":' * (MAX_DEPTH - 1) + "1" + "}" * (MAX_DEPTH - 1)
    assert parse_document(ok)
    too_deep = '{"a":' * MAX_DEPTH + "{}" + "}" * MAX_DEPTH
    assert _code(too_deep) == "too_deep"


def test_size_limits():
    assert _code(b" " * (MAX_DOCUMENT_BYTES + 1)) == "too_large"
    assert _code('{"a": [' + ",".join(["1"] * (MAX_ARRAY_LENGTH + 1)) + "]}") == "too_large"
    assert _code('{"a": "' + "x" * (MAX_STRING_LENGTH + 1) + '"}') == "too_large"


@pytest.mark.parametrize(
    "data", [b"", b"[]", b'"x"', b"1", b"null", b"{", b"\xff\xfe", b'{"a":1} x']
)
def test_not_an_object_or_not_json(data):
    assert _code(data) in {"invalid_json", "not_an_object"}


def test_deep_nesting_is_refused_even_when_a_library_raised_the_recursion_limit():
    # py_ecc (through web3) sets the limit to 100,000; json's C scanner would then
    # overflow the C stack on 100k brackets instead of raising RecursionError.
    import sys

    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)
    try:
        with pytest.raises(MalformedDocumentError) as caught:
            parse_document('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    finally:
        sys.setrecursionlimit(previous)
    assert caught.value.code == "too_deep"


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = '{"a": "' + "[{" * 200 + '", "b": "\\"[["}'
    assert parse_document(text)["b"] == '"[['


# --- key_count: an upper bound that must never be low ------------------------------------

_NAMES = st.sampled_from(["@context", "proof", "endorsement", "endorsementJwt", "id", "x"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(['"@context":', "a", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_NAMES, inner, max_size=4),
    max_leaves=25,
)


def _occurrences(value: object, key: str, *, top: bool, skip: frozenset[str]) -> int:
    if isinstance(value, dict):
        return sum(
            (name == key) + _occurrences(item, key, top=False, skip=skip)
            for name, item in value.items()
            if not (top and name in skip)
        )
    if isinstance(value, list):
        return sum(_occurrences(item, key, top=False, skip=skip) for item in value)
    return 0


@settings(max_examples=300, deadline=None)
@given(
    document=st.dictionaries(_NAMES, _JSON, max_size=5),
    keys=st.lists(_NAMES, min_size=1, max_size=2, unique=True),
    skip=st.frozensets(_NAMES, max_size=2),
)
def test_key_count_is_never_below_the_members_it_counts(
    document: dict[str, object], keys: list[str], skip: frozenset[str]
) -> None:
    expected = sum(_occurrences(document, k, top=True, skip=skip) for k in keys)
    assert key_count(document, *keys, skip=skip) >= expected


def test_key_count_of_a_cycle_says_walk_it_rather_than_crash() -> None:
    cycle: dict[str, object] = {}
    cycle["self"] = cycle
    assert key_count(cycle, "endorsement") == MAX_DOCUMENT_BYTES
