"""vc._json, the C parser, against the Python path of vc.jsontext.parse_document.

The C parser may decline anything (it returns None and the Python path reads the
text), but what it accepts must be exactly what the Python path gives, type for
type. A document the two read differently is a parser differential: the attack
SECURITY.md M06 describes. Every test here compares the two.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fuzz.targets.json_native import same
from vc import jsontext
from vc.errors import MalformedDocumentError
from vc.jsontext import MAX_ARRAY_LENGTH, MAX_DEPTH, MAX_STRING_LENGTH, parse_document

native = jsontext._native_loads
pytestmark = pytest.mark.skipif(native is None, reason="installed as Python (LAUREL_PURE_PYTHON)")

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def fast(data: bytes) -> object:
    assert native is not None
    return native(data, MAX_DEPTH, MAX_ARRAY_LENGTH, MAX_STRING_LENGTH)


def python(data: bytes) -> object:
    """The Python path's value, or the code of the error it names."""
    with mock.patch.object(jsontext, "_native_loads", None):
        try:
            return parse_document(data)
        except MalformedDocumentError as exc:
            return MalformedDocumentError(exc.code)


def agrees(data: bytes) -> object:
    """The C parser's answer, after checking it against the Python path."""
    ours = fast(data)
    if ours is not None:
        reference = python(data)
        assert not isinstance(reference, MalformedDocumentError), (data[:200], reference)
        assert same(ours, reference), data[:200]
    return ours


def _json_values():
    keys = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
    leaves = (
        st.none()
        | st.booleans()
        | st.integers(-(10**20), 10**20)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(alphabet=st.characters(codec="utf-8"))
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=6),
        max_leaves=40,
    )


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _json_values(), max_size=6), st.integers(0, 3))
def test_generated_documents_read_as_the_python_path_reads_them(value, style):
    text = [
        json.dumps(value),
        json.dumps(value, ensure_ascii=False),
        json.dumps(value, indent=2, ensure_ascii=False),
        json.dumps(value, separators=(",", ":")),
    ][style]
    ours = agrees(text.encode())
    no_long_ints = "e+" not in text and all(len(part.strip("-")) <= 18 for part in _integers(value))
    if no_long_ints:
        # The fast path is taken for plain documents, not only allowed to be.
        assert ours is not None


def _integers(value: object) -> list[str]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, dict):
        return [i for v in value.values() for i in _integers(v)]
    if isinstance(value, list):
        return [i for v in value for i in _integers(v)]
    return []


_BYTES = [
    *b'"\\{}[],:0123456789-+.eEtrufalsn \t\r\n\x00\x1f\x7f/bu',
    *b"\x80\xbf\xc0\xc2\xe0\xed\xa0\xf0\xf4\x90\xff",
]


@settings(max_examples=5000, deadline=None)
@given(
    st.sampled_from(
        [
            b'{"a": [1, 2.5e3, -0, "x\\u00e9\\ud83d\\ude00", null, true, false], "b": {}}',
            '{"name": "Caf\u00e9 \U0001f600", "n": -12.5E-3, "list": [[], {}]}'.encode(),
            (VECTORS / "vc-di-eddsa" / "eddsa-jcs-2022" / "signedJCS.json").read_bytes(),
        ]
    ),
    st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(_BYTES), st.integers(0, 2))),
)
@example(b'{"a": 1}', [(7, ord(","), 1)])
def test_mutated_documents_never_read_differently(base, edits):
    data = bytearray(base)
    for at, byte, kind in edits:
        at %= len(data) + 1
        if kind == 0:
            data.insert(at, byte)
        elif kind == 1 and at < len(data):
            data[at] = byte
        elif at < len(data):
            del data[at]
    agrees(bytes(data))


DECLINED = [
    b'{"a": 1, "a": 2}',
    b'{"a": {"b": 1, "b": 1}}',
    b'{"a": NaN}',
    b'{"a": Infinity}',
    b'{"a": -Infinity}',
    b'{"a": 1e400}',
    b'{"a": -1e400}',
    b'{"a": "\\ud800"}',
    b'{"a": "\\udc00"}',
    b'{"a": "\\ud83d\\u0041"}',
    b'{"\\ud800": 1}',
    b'\xef\xbb\xbf{"a": 1}',
    b'{"a": "\x01"}',
    b'{"a": "\xed\xa0\x80"}',  # a surrogate in UTF-8
    b'{"a": "\xc0\xaf"}',  # an overlong "/"
    b'{"a": "\xe0\x80\xaf"}',
    b'{"a": "\xf0\x80\x80\xaf"}',
    b'{"a": "\xf4\x90\x80\x80"}',  # above U+10FFFF
    b'{"a": "\xff"}',
    b'{"a": 01}',
    b'{"a": 1.}',
    b'{"a": .5}',
    b'{"a": +1}',
    b'{"a": 1e}',
    b'{"a": -}',
    b'{"a": 1234567890123456789}',  # 19 digits: Python reads it
    b'{"a": [1,]}',
    b'{"a": 1,}',
    b'{"a" 1}',
    b"{a: 1}",
    b"{'a': 1}",
    b'{"a": tru}',
    b'{"a": nul}',
    b'{"a": "\\x"}',
    b'{"a": "\\u12"}',
    b'{"a": 1} x',
    b'{"a": 1}{}',
    b'{"a": 1',
    b'{"a": "b',
    b"[]",
    b'"a"',
    b"1",
    b"",
    b" ",
    b"{} \x00",
]


@pytest.mark.parametrize("data", DECLINED)
def test_what_the_c_parser_declines(data):
    # Each of these is either refused by the Python path with its precise reason,
    # or read by it (a byte order mark, a 19-digit integer): never by the C parser.
    assert fast(data) is None
    python(data)  # and the Python path answers without crashing


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (b'{"a": -0}', {"a": 0}),
        (b'{"a": -0.0}', {"a": -0.0}),
        (b'{"a": 1E+2, "b": 1e-2, "c": 0.1}', {"a": 100.0, "b": 0.01, "c": 0.1}),
        (b'{"a": 123456789012345678}', {"a": 123456789012345678}),
        (b'{"a": -123456789012345678}', {"a": -123456789012345678}),
        (b'{"a": 1e-400}', {"a": 0.0}),
        (b'{"a": "\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u001F"}', {"a": '"\\/\b\f\n\r\t\x00\x1f'}),
        (b'{"a": "\\uD83D\\uDE00 \xf4\x8f\xbf\xbf \x7f"}', {"a": "\U0001f600 \U0010ffff \x7f"}),
        (b' \t\r\n{ "a" : [ ] , "b" : { } } \n', {"a": [], "b": {}}),
        (b'{"": ""}', {"": ""}),
    ],
)
def test_what_the_c_parser_reads(data, value):
    assert same(agrees(data), value)


def test_limits_are_the_python_paths():
    at_limit = b'{"a": "' + b"x" * MAX_STRING_LENGTH + b'"}'
    assert agrees(at_limit) is not None
    assert fast(b'{"a": "' + b"x" * (MAX_STRING_LENGTH + 1) + b'"}') is None
    wide = '{"a": "' + "\u00e9" * MAX_STRING_LENGTH + '"}'
    assert agrees(wide.encode()) is not None
    assert fast(('{"a": "' + "\u00e9" * (MAX_STRING_LENGTH + 1) + '"}').encode()) is None
    items = b'{"a": [' + b",".join([b"1"] * MAX_ARRAY_LENGTH) + b"]}"
    assert agrees(items) is not None
    assert fast(b'{"a": [' + b",".join([b"1"] * (MAX_ARRAY_LENGTH + 1)) + b"]}") is None
    # The C parser stops a level short of the Python path's limit, and leaves the
    # exact boundary to it.
    for depth in range(MAX_DEPTH - 3, MAX_DEPTH + 3):
        nested = b'{"a": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"
        agrees(nested)
    assert fast(b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}") is None


def test_every_json_vector_reads_as_the_python_path_reads_it():
    paths = sorted(VECTORS.rglob("*.json"))
    assert len(paths) > 100
    read = sum(agrees(path.read_bytes()) is not None for path in paths)
    assert read > 100


def test_no_leak_over_many_calls():
    documents = [
        (VECTORS / "vc-di-eddsa" / "eddsa-jcs-2022" / "signedJCS.json").read_bytes(),
        b'{"a": [1, 2.5, "\\u00e9", {"b": null}]}',
        *DECLINED,
    ]
    for data in documents:
        fast(data)
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for _ in range(2_000):
            for data in documents:
                fast(data)
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert grown < 64 * 1024


def test_parse_document_takes_the_fast_path(monkeypatch):
    calls = []

    def spy(*args):
        calls.append(args[0])
        return native(*args)  # type: ignore[misc]

    monkeypatch.setattr(jsontext, "_native_loads", spy)
    assert parse_document(b'{"a": 1}') == {"a": 1}
    with pytest.raises(MalformedDocumentError) as info:
        parse_document(b'{"a": 1, "a": 2}')
    assert info.value.code == "duplicate_key"
    assert calls == [b'{"a": 1}', b'{"a": 1, "a": 2}']


def test_a_bytes_subclass_takes_the_python_path():
    # The C function takes exact bytes; parse_document must not hand it anything else.
    class Received(bytes):
        pass

    assert parse_document(Received(b'{"a": [1, "x"]}')) == {"a": [1, "x"]}
    with pytest.raises(MalformedDocumentError) as info:
        parse_document(Received(b'{"a": 1, "a": 2}'))
    assert info.value.code == "duplicate_key"


def test_wrong_arguments_are_a_type_error():
    with pytest.raises(TypeError):
        native("{}", MAX_DEPTH, MAX_ARRAY_LENGTH, MAX_STRING_LENGTH)  # type: ignore[arg-type,misc]
    with pytest.raises(TypeError):
        native(b"{}")  # type: ignore[call-arg,misc]
