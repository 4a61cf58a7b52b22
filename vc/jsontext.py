"""Strict, bounded JSON parsing for untrusted documents.

Python's `json` keeps the last of duplicate keys, accepts NaN and Infinity, turns
``1e400`` into ``inf``, accepts lone surrogates and raises RecursionError on deep
nesting. Each of those is a parser differential or a crash waiting for an attacker,
so every document laurel reads comes through :func:`parse_document`.

Bytes go first to a C parser (vc/_json.c) that reads plain documents within these
limits and declines anything else; a declined document takes the Python path below,
which reads it or names what is wrong. tests/vc/test_json_native.py holds the two
to the same answers.

    >>> from vc.jsontext import parse_document
    >>> parse_document(b'{"a": [1, 2]}')
    {'a': [1, 2]}
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from vc.errors import MalformedDocumentError
from vc.types import JSONObject

__all__ = [
    "MAX_ARRAY_LENGTH",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_STRING_LENGTH",
    "key_count",
    "nested_objects_with",
    "parse_document",
]

MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_ARRAY_LENGTH = 10_000
MAX_STRING_LENGTH = 64 * 1024

_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89abcdefABCDEF]")
# A string (its closing quote optional, so a match never fails and the scan stays
# linear) or a bracket: what the nesting pre-scan walks over.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


def _native_json() -> Callable[[bytes, int, int, int], dict[str, Any] | None] | None:
    try:
        from vc._json import loads
    except ImportError:  # installed without a C compiler: json and the checks below
        return None
    return loads


_native_loads = _native_json()


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedDocumentError(
                    f"duplicate key {key[:64]!r}: a document must not repeat a key",
                    code="duplicate_key",
                )
            seen.add(key)
    return obj


def _reject_constant(name: str) -> float:
    raise MalformedDocumentError(f"{name} is not a JSON number", code="invalid_json")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise MalformedDocumentError(f"number {text[:32]} is out of range", code="invalid_json")
    return value


def _check_shape(root: Any, *, check_surrogates: bool) -> None:
    # Iterative, so that depth is bounded by our limit and not by the C stack.
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = list(node.items())
            for key, _ in children:
                if check_surrogates:
                    _check_string(key)
            items = [value for _, value in children]
        elif isinstance(node, list):
            if len(node) > MAX_ARRAY_LENGTH:
                raise MalformedDocumentError(
                    f"an array holds {len(node)} items (limit {MAX_ARRAY_LENGTH})",
                    code="too_large",
                )
            items = node
        elif isinstance(node, str):
            if len(node) > MAX_STRING_LENGTH:
                raise MalformedDocumentError(
                    f"a string is {len(node)} characters long (limit {MAX_STRING_LENGTH})",
                    code="too_large",
                )
            if check_surrogates:
                _check_string(node)
            continue
        else:
            continue
        if items and depth >= MAX_DEPTH:
            raise MalformedDocumentError(
                f"the document is nested deeper than {MAX_DEPTH} levels", code="too_deep"
            )
        stack.extend((item, depth + 1) for item in items)


def _check_string(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedDocumentError(
            "a string holds a lone UTF-16 surrogate", code="invalid_json"
        ) from exc


def parse_document(data: bytes | str, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> JSONObject:
    """Parse one JSON object from untrusted bytes, enforcing laurel's limits.

    Raises:
        MalformedDocumentError: with `code` one of ``too_large``, ``too_deep``,
            ``duplicate_key``, ``invalid_json`` or ``not_an_object``.
    """
    size = len(data)
    if size > max_bytes:
        raise MalformedDocumentError(
            f"the document is {size} bytes (limit {max_bytes})", code="too_large"
        )
    if isinstance(data, bytes):
        # The C parser reads plain documents, and hands anything unusual back to the
        # path below, which reads it or names what is wrong (vc/_json.c).
        if _native_loads is not None and type(data) is bytes:  # it takes exact bytes only
            fast = _native_loads(data, MAX_DEPTH, MAX_ARRAY_LENGTH, MAX_STRING_LENGTH)
            if fast is not None:
                return fast
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedDocumentError(
                f"the document is not UTF-8 (byte {exc.start})", code="invalid_json"
            ) from exc
    else:
        text = data
    text = text.removeprefix("\ufeff")
    # json's C scanner recurses once per level and stops only at the interpreter's
    # recursion limit, which libraries may raise (py-evm and py_ecc set 12,288 and
    # 100,000): deep nesting must be refused before it can overflow the C stack.
    if text.count("{") + text.count("[") > MAX_DEPTH and _nesting_exceeds(text, MAX_DEPTH):
        raise MalformedDocumentError(
            f"the document is nested deeper than {MAX_DEPTH} levels", code="too_deep"
        )
    try:
        value = json.loads(
            text,
            object_pairs_hook=_reject_duplicates,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
        )
    except RecursionError as exc:
        raise MalformedDocumentError(
            f"the document is nested deeper than {MAX_DEPTH} levels", code="too_deep"
        ) from exc
    except json.JSONDecodeError as exc:
        raise MalformedDocumentError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            code="invalid_json",
        ) from exc
    except ValueError as exc:  # e.g. an integer over the 4,300-digit limit (CVE-2020-10735)
        raise MalformedDocumentError(f"not valid JSON: {exc}", code="invalid_json") from exc
    if not isinstance(value, dict):
        raise MalformedDocumentError(
            f"expected a JSON object, got {type(value).__name__}", code="not_an_object"
        )
    check_surrogates = _ESCAPED_SURROGATE.search(text) is not None
    if check_surrogates or not _obviously_within_limits(text):
        _check_shape(value, check_surrogates=check_surrogates)
    return value


def _nesting_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than `limit` (a linear scan)."""
    depth = 0
    for match in _TOKEN.finditer(text):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _obviously_within_limits(text: str) -> bool:
    # Cheap bounds that let typical documents skip the walk: no string can be longer
    # than the text, no array can hold more items than half its characters, and
    # nesting cannot be deeper than the number of brackets (even those in strings).
    return (
        len(text) <= MAX_STRING_LENGTH
        and len(text) <= 2 * MAX_ARRAY_LENGTH
        and text.count("{") + text.count("[") < MAX_DEPTH
    )


def key_count(value: Any, *keys: str, skip: frozenset[str] = frozenset()) -> int:
    """How often the `keys` are member names in `value` (never fewer).

    Members of the top object named in `skip` are left out. A walk of the containers
    only, cheaper than a walk looking for a rare member (which runs only when this
    says it can be there). A structure with more containers than a document of
    MAX_DOCUMENT_BYTES can hold (a cycle a caller built) answers MAX_DOCUMENT_BYTES:
    walk it.
    """
    count = 0
    stack: list[Any]
    if isinstance(value, dict):
        stack = [v for k, v in value.items() if k not in skip]
        count = sum(1 for k in keys if k in value and k not in skip)
    elif isinstance(value, list | tuple):
        stack = list(value)
    else:
        return 0
    # Each container of a parsed document costs at least two bytes of its text.
    budget = MAX_DOCUMENT_BYTES // 2
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str:  # most of a document: off the stack at once
            continue
        if kind is dict or isinstance(item, dict):
            for key in keys:
                if key in item:
                    count += 1
            push(item.values())
        elif kind is list or isinstance(item, list | tuple):
            push(item)
        else:
            continue
        budget -= 1
        if budget < 0:
            return MAX_DOCUMENT_BYTES
    return count


def nested_objects_with(node: Any, member: str, *, skip: frozenset[str]) -> Iterator[JSONObject]:
    """Every object below the top of `node` that has `member`, outside the top's `skip` members.

    The walk does not go inside `member` itself (an @context's own objects are not
    looked at). Iterative: untrusted depth never reaches the recursion limit.
    """
    stack: list[Any] = (
        [v for k, v in node.items() if k not in skip] if isinstance(node, dict) else []
    )
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if member in item:
                yield item
            stack.extend(v for k, v in item.items() if k != member)
        elif isinstance(item, list):
            stack.extend(item)
