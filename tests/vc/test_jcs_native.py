"""vc._jcs, the C canonicalizer: what it writes, what it leaves to rfc8785, and that it
neither leaks nor crashes. Its output against rfc8785 on generated values: test_canon.py."""

from __future__ import annotations

import enum
import json
import sys
import tracemalloc
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from vc import canon

dumps = canon._native_dumps
pytestmark = pytest.mark.skipif(dumps is None, reason="installed as Python (LAUREL_PURE_PYTHON)")

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def _plain_json():
    keys = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(-(2**53) + 1, 2**53 - 1)
        | st.text(alphabet=st.characters(codec="utf-8"))
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=6),
        max_leaves=40,
    )


@settings(max_examples=3000, deadline=None)
@given(_plain_json())
def test_plain_values_are_written_here_never_left_to_rfc8785(value):
    # Strings, safe integers, booleans, null, any Unicode beyond lone surrogates.
    assert dumps(value) == rfc8785.dumps(value)


def test_every_json_vector_is_written_as_rfc8785_writes_it():
    written = 0
    for path in sorted(VECTORS.rglob("*.json")):
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        try:
            expected = rfc8785.dumps(value)
        except (rfc8785.CanonicalizationError, ValueError):
            expected = None
        got = dumps(value)
        if got is not None:
            assert got == expected, path
            written += 1
    assert written > 100


def test_rfc8785_section_3_2_3_sorting_example():
    # RFC 8785, 3.2.3: names sorted by UTF-16 code units, not by code points.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\x80": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    written = dumps(value)
    assert written is not None
    names = list(json.loads(written))
    assert names == ["\r", "1", "\x80", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        {"a": 0.1},
        2**53,
        -(2**53),
        10**400,
        ("a", "tuple"),
        {1: "an int key"},
        {"s": "\ud800"},  # a lone surrogate: no UTF-8
        {"\udc00": 1},
        b"bytes",
        object(),
        enum.IntEnum("Level", "LOW")(1),  # an int subclass: rfc8785 decides
    ],
)
def test_anything_not_plain_is_left_to_rfc8785(value):
    assert dumps(value) is None


def test_deep_nesting_is_left_to_rfc8785_not_the_c_stack():
    value: object = "leaf"
    for _ in range(100_000):
        value = [value]
    assert dumps(value) is None
    shallow: object = "leaf"
    for _ in range(200):
        shallow = {"a": shallow}
    assert dumps(shallow) == rfc8785.dumps(shallow)


def test_every_control_character_is_escaped_as_rfc8785_escapes_it():
    text = "".join(chr(c) for c in range(0x80)) * 1000  # the 6x worst case, 128 KB
    assert dumps({"t": text}) == rfc8785.dumps({"t": text})


def test_no_reference_or_memory_is_leaked():
    value = {"name": "Ada", "n": [1, True, None, {"é": "x" * 100}]}
    inner = value["n"]
    refs = (sys.getrefcount(value), sys.getrefcount(inner))
    for _ in range(1000):  # warm: interned strings, the allocator's pools
        dumps(value)
        dumps({"x": 1.5, "y": value})
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        for _ in range(20_000):
            dumps(value)
            dumps({"x": 1.5, "y": value})  # falls back halfway through a dict
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (sys.getrefcount(value), sys.getrefcount(inner)) == refs
    assert end - start < 4096  # buffers and member arrays are freed (40,000 calls)
