"""verifier.json_text: the `laurel verify --json` line, by orjson, with json.dumps where it cannot."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from vc.results import CheckResult, VerificationResult
from verifier.json_text import compact_json, json_line
from verifier.verdict import verdict_json


def _result(**details: object) -> VerificationResult:
    return VerificationResult(
        (CheckResult.passed("format", "a well-formed credential", **details),)
    )


def _expected(shown: str, result: VerificationResult) -> object:
    return {"input": shown, **result.to_json(), "verdict": verdict_json(result)}


def test_the_line_is_one_line_of_compact_json_in_utf8() -> None:
    line = json_line("Café badge.json", _result(name="Médaille d'or\n"))
    assert "\n" not in line
    assert "\\u" not in line  # not escaped to ASCII
    assert line.startswith('{"input":"Café badge.json","verified":true,')
    assert json.loads(line) == _expected("Café badge.json", _result(name="Médaille d'or\n"))


def test_an_integer_orjson_does_not_write_goes_through_json_dumps() -> None:
    # A credential may carry any integer; orjson stops at 64 bits. Never a crash.
    huge = 2**80 + 1
    line = json_line("big.json", _result(value=huge))
    assert json.loads(line)["checks"][0]["details"]["value"] == huge
    assert line.startswith('{"input":"big.json","verified":true,')  # the same separators


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300)
@given(shown=st.text(), details=st.dictionaries(st.text(min_size=1), _VALUES, max_size=4))
def test_the_line_reads_back_as_what_json_dumps_wrote(
    shown: str, details: dict[str, object]
) -> None:
    result = _result(**{f"k_{key}": value for key, value in details.items()})
    line = json_line(shown, result)
    assert "\n" not in line
    assert json.loads(line) == json.loads(json.dumps(_expected(shown, result)))


@settings(max_examples=500)
@given(value=_VALUES)
def test_compact_json_is_json_dumps_byte_for_byte_without_floats(value: object) -> None:
    # The service's bodies and the --json lines kept their text when orjson came in
    # (control characters, quotes, non-ASCII, big integers); floats may differ in
    # exponent form only (1e-07 / 1e-7), both JSON.
    assert compact_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
