"""vc._base58, the C base58btc decoder, against the base58 package and laurel's Python decoder."""

from __future__ import annotations

import os

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vc import _base58btc, keys

decode = _base58btc._native
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("LAUREL_PURE_PYTHON")), reason="installed as Python (LAUREL_PURE_PYTHON)"
)
ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def test_the_extension_is_built():
    assert decode is not None, "vc._base58 is not built (scripts/bootstrap builds it)"


@settings(max_examples=3000, deadline=None)
@given(st.binary(max_size=200))
def test_decodes_what_the_base58_package_encodes(data):
    text = base58.b58encode(data).decode()
    assert decode(text) == base58.b58decode(text) == data


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=120))
def test_any_base58_text_decodes_as_the_base58_package_and_the_python_decoder(text):
    expected = base58.b58decode(text)
    assert decode(text) == expected
    if text:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_base58btc, "_native", None)
            assert keys.decode_multibase_btc("z" + text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", b""), ("1", b"\0"), ("111", b"\0\0\0"), ("11z", b"\0\0\x39"), ("2", b"\1")],
)
def test_leading_ones_are_zero_bytes(text, expected):
    assert decode(text) == expected == base58.b58decode(text)


@pytest.mark.parametrize("text", ["0", "O", "I", "l", "+", "abc/", "é", "z\x00", "1 2"])
def test_a_character_outside_the_alphabet_is_left_to_python(text):
    assert decode(text) is None
    with pytest.raises(keys.MultibaseError):
        keys.decode_multibase_btc("z" + text)


def test_a_very_long_text_is_left_to_the_python_decoder():
    data = bytes(range(256)) * 16  # 4 KiB: about 5,600 characters
    text = base58.b58encode(data).decode()
    assert len(text) > 4096
    assert decode(text) is None
    assert keys.decode_multibase_btc("z" + text) == data


def test_not_a_string_is_refused_not_crashed():
    assert decode(b"abc") is None  # type: ignore[arg-type]
    assert decode(None) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("length", [*range(1, 70), 4095, 4096])
def test_the_largest_number_of_each_length_fits(length):
    # All 'z' is the largest number a text of that length writes: the most limbs it needs.
    for text in ("z" * length, "1" + "z" * (length - 1), "2" + "1" * (length - 1)):
        assert decode(text) == base58.b58decode(text)
