"""The line `laurel verify --json` prints for one verified input: compact JSON text.

>>> from vc.results import CheckResult, VerificationResult
>>> line = json_line("badge.json", VerificationResult((CheckResult.passed("format", "ok"),)))
>>> line[:60]
'{"input":"badge.json","verified":true,"checks":[{"id":"forma'
"""

from __future__ import annotations

import json

import orjson

from vc.results import VerificationResult
from verifier.verdict import verdict_json

__all__ = ["json_line"]


def json_line(shown: str, result: VerificationResult) -> str:
    """``{"input": shown, ...result.to_json(), "verdict": ...}`` as one line (no newline).

    orjson writes it: 1.2 µs for a badge's 2 KB line, where json.dumps took 18 µs, a
    tenth of a whole verification (bench/REPORT.md). A value orjson does not write (an
    integer beyond 64 bits, taken from the document) goes through json.dumps with the
    same compact separators; either way the text is UTF-8, not escaped to ASCII.
    """
    line = {"input": shown, **result.to_json(), "verdict": verdict_json(result)}
    try:
        return orjson.dumps(line).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))
