"""Strict JSON parsing in C (vc/_json.c); see :func:`vc.jsontext.parse_document`."""

from typing import Any

def loads(data: bytes, max_depth: int, max_array: int, max_string: int, /) -> dict[str, Any] | None:
    """A plain JSON object from UTF-8 `data` within the limits; None for anything else."""
