"""The Open Badges 2.0 contexts, and whether a document claims to be an OB 2.0 assertion.

Light (nothing beyond :mod:`vc.types`), so that the verifier can tell OB 2.0 JSON
from a W3C credential without loading the OB 2.0 verifier (:mod:`vc.formats.ob2`,
which re-exports these names).
"""

from __future__ import annotations

from vc.types import JSONObject, JSONValue

__all__ = ["OB2_CONTEXTS", "is_ob2_assertion"]

#: The Open Badges 2.0 context, by both of its URLs (bundled in vc/contexts).
OB2_CONTEXTS = frozenset(
    {"https://w3id.org/openbadges/v2", "https://openbadgespec.org/v2/context.json"}
)


def _strings(value: JSONValue) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _contexts(document: JSONObject) -> list[str]:
    return _strings(document.get("@context"))


def is_ob2_assertion(document: JSONObject) -> bool:
    """Whether `document` claims to be an Open Badges 2.0 Assertion (by context and type)."""
    return bool(OB2_CONTEXTS & set(_contexts(document))) and "Assertion" in _strings(
        document.get("type")
    )
