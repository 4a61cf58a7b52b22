"""Compact JSON text for what laurel writes: `laurel verify --json`'s lines, the service's bodies.

orjson writes it: 1.2 µs for a badge's 2 KB line, where json.dumps took 18 µs, a tenth
of a whole verification (bench/REPORT.md). What orjson does not write (an integer
beyond 64 bits, taken from a document) goes through json.dumps with the same compact
separators; either way the text is not escaped to ASCII. A `verify --json` line holds
what the result says (every check by name) and the verdict in words:

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

__all__ = ["compact_json", "json_line"]


def compact_json(value: object) -> str:
    """`value` as JSON text: no spaces, UTF-8 characters as they are, keys in their order."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError: an integer past 64 bits, say
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_line(shown: str, result: VerificationResult) -> str:
    """``{"input": shown, ...result.to_json(), "verdict": ...}`` as one line (no newline)."""
    return compact_json({"input": shown, **result.to_json(), "verdict": verdict_json(result)})
