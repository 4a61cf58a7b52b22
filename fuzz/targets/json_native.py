"""The C JSON parser (vc/_json.c) against the Python path it stands in for (vc/jsontext.py).

Whatever the C parser reads must be what the Python path reads, type for type; it
may decline anything (the Python path then answers). A difference would be a parser
differential (SECURITY.md M06). atheris follows the coverage of the Python path (the
C code is not instrumented); every input goes to both.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import math
import os
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vc import jsontext
from vc.errors import MalformedDocumentError

EXPECTED = (MalformedDocumentError,)

Loads = Callable[[bytes, int, int, int], Any]


def _c_parser() -> Loads | None:
    if jsontext._native_loads is not None:
        return jsontext._native_loads
    # fuzz.run runs a copy of the source without compiled modules (bench/pure.py) and
    # names the tree the C parser was built in.
    root = os.environ.get("LAUREL_NATIVE_FROM")
    if not root:
        return None
    path = Path(root) / "vc" / f"_json{sysconfig.get_config_var('EXT_SUFFIX')}"
    if not path.exists():
        return None
    loader = importlib.machinery.ExtensionFileLoader("vc._json", str(path))
    spec = importlib.util.spec_from_file_location("vc._json", path, loader=loader)
    if spec is None:
        return None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    loads: Loads = module.loads
    return loads


_C = _c_parser()


def _python_path(data: bytes) -> Any:
    saved = jsontext._native_loads
    jsontext._native_loads = None
    try:
        return jsontext.parse_document(data)
    finally:
        jsontext._native_loads = saved


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 is not True, 0.0 is not -0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return bool(a == b)


def fuzz(data: bytes) -> None:
    """What the C parser reads, the Python path reads the same; the Python path's refusals are named."""
    ours = None
    if _C is not None:
        ours = _C(data, jsontext.MAX_DEPTH, jsontext.MAX_ARRAY_LENGTH, jsontext.MAX_STRING_LENGTH)
    try:
        reference = _python_path(data)
    except MalformedDocumentError:
        assert ours is None, data[:200]
        raise
    if ours is not None:
        assert same(ours, reference), data[:200]


def seeds() -> list[bytes]:
    """Documents of every JSON kind, escapes, UTF-8 of each length, near the limits."""
    return [
        b'{"a": [1, -0, 2.5e3, -1E-2, true, false, null], "b": {"c": ""}}',
        '{"s": "\\u00e9\\ud83d\\ude00 \u00e9 \u20ac \U0001f600 \\"\\\\\\/\\b\\f\\n\\r\\t"}'.encode(),
        b'{"n": 123456789012345678, "m": 1234567890123456789}',
        b'{"a": 1, "a": 2}',
        b'{"deep": ' + b"[" * 62 + b"]" * 62 + b"}",
        b'\xef\xbb\xbf{"bom": 1}',
    ]
