r"""Canonical forms: JCS (RFC 8785) and RDFC-1.0 (RDF Dataset Canonicalization).

    >>> from vc.canon import jcs
    >>> jcs({"b": 1, "a": "é"})
    b'{"a":"\xc3\xa9","b":1}'

RDFC-1.0 runs pyld's URDNA2015 (the same algorithm) with two changes: literals are
escaped as RDF 1.2 canonical N-Quads require (pyld 3.3 escapes only ``\t \n \r " \\``),
and the hashing of blank nodes stops at a deadline, since a poisoned dataset can
make it exponential (VC Data Integrity, "Dataset Poisoning").
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from vc import jsonld
from vc.errors import MalformedDocumentError
from vc.types import JSONValue


def _native_jcs() -> Callable[[object], bytes | None] | None:
    try:
        from vc._jcs import dumps
    except ImportError:  # installed without a C compiler: the JSON encoder's path
        return None
    return dumps


_native_dumps = _native_jcs()

__all__ = [
    "MAX_RDFC_INPUT_BYTES",
    "RDFC_TIME_LIMIT_SECONDS",
    "CanonicalizationTimeoutError",
    "escape_literal",
    "jcs",
    "rdfc",
]

#: Documents larger than this (as compact JSON) are not canonicalized with RDFC.
MAX_RDFC_INPUT_BYTES = 256 * 1024
#: Wall-clock budget of one RDFC canonicalization.
RDFC_TIME_LIMIT_SECONDS = 2.0


class CanonicalizationTimeoutError(MalformedDocumentError):
    """RDFC canonicalization ran past its time limit (a poisoned dataset)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"RDF canonicalization took longer than {seconds:g} s",
            code="canonicalization_timeout",
            hint="The document's blank nodes make canonicalization too costly; it is refused.",
        )


def jcs(value: JSONValue) -> bytes:
    """Serialize `value` with the JSON Canonicalization Scheme (RFC 8785).

    Documents of strings, integers in the IEEE 754 safe range, booleans and null
    (every credential laurel has seen) are written by the C extension
    ``vc._jcs``, or where it was not built by Python's C JSON encoder when the keys
    are in the Basic Multilingual Plane; both are byte for byte RFC 8785 (tested
    against the rfc8785 package). Anything else goes to rfc8785.

    Raises:
        MalformedDocumentError: `value` holds something JCS cannot encode.
    """
    if _native_dumps is not None:
        written = _native_dumps(value)
        if written is not None:
            return written
    elif _plain(value):
        try:
            return _DUMPS(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: rfc8785 names it
    import rfc8785  # only for what the C encoder cannot write exactly

    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise MalformedDocumentError(
            f"cannot canonicalize with JCS: {exc}", code="invalid_json"
        ) from exc


# RFC 8785 "Serialization of Strings" escapes exactly as Python's encoder does with
# ensure_ascii=False (backslash b, f, n, r, t; other controls as lower-case u00xx); keys
# sorted by code point equal keys sorted by UTF-16 code unit inside the BMP.
_DUMPS = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode
_SAFE_INT = 2**53 - 1
_BMP_MAX = "\uffff"


def _plain(value: JSONValue) -> bool:
    # Whether json's encoder writes `value` exactly as RFC 8785 does: no floats (ES6
    # number formatting), no integers outside the safe range, no keys beyond the BMP.
    stack: list[JSONValue] = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str:  # most of a credential: off the stack at once
            continue
        if kind is dict:
            try:
                names = "".join(item)  # type: ignore[arg-type]
            except TypeError:
                return False  # a member name that is not a string
            if not names.isascii() and max(names) > _BMP_MAX:
                return False
            push(item.values())  # type: ignore[union-attr]
        elif kind is list:
            push(item)  # type: ignore[arg-type]
        elif kind is int:
            if not -_SAFE_INT <= item <= _SAFE_INT:  # type: ignore[operator]
                return False
        elif kind is not bool and item is not None:
            return False
    return True


_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def escape_literal(value: str) -> str:
    """A literal's text escaped as RDF 1.2 canonical N-Quads require."""
    # RDF 1.2 N-Quads, "Canonical N-Quads": ECHAR for \b \t \n \f \r " \,
    # UCHAR (upper-case hex) for the other controls and U+007F.
    return _NEEDS_ESCAPE.sub(lambda m: _ECHAR.get(m[0], f"\\u{ord(m[0]):04X}"), value)


def _term(component: dict[str, Any]) -> str:
    if component["type"] == "IRI":
        return f"<{component['value']}>"
    if component["type"] == "blank node":
        return str(component["value"])
    text = f'"{escape_literal(component["value"])}"'
    if component["datatype"] == _RDF_LANGSTRING:
        return f"{text}@{component['language']}" if component.get("language") else text
    if component["datatype"] != _XSD_STRING:
        return f"{text}^^<{component['datatype']}>"
    return text


def _serialize_nquad(triple: dict[str, Any], graph_name: str | None = None) -> str:
    graph = triple.get("name", {"value": graph_name})["value"]
    parts = [_term(triple["subject"]), _term(triple["predicate"]), _term(triple["object"])]
    if graph is not None:
        parts.append(graph if graph.startswith("_:") else f"<{graph}>")
    return " ".join(parts) + " .\n"


def _canonicalizer(deadline: float) -> Any:
    import pyld.canon

    # pyld's URDNA2015 serializes through this module-level function, both for the
    # output and for first-degree hashes; both must use the canonical escaping.
    pyld.canon.serialize_nquad = _serialize_nquad

    class _Rdfc10(pyld.canon.URDNA2015):  # type: ignore[misc]
        def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
            if time.monotonic() > deadline:
                raise CanonicalizationTimeoutError(RDFC_TIME_LIMIT_SECONDS)
            return super().hash_n_degree_quads(id_, issuer)

        def hash_first_degree_quads(self, id_: str) -> Any:
            if time.monotonic() > deadline:
                raise CanonicalizationTimeoutError(RDFC_TIME_LIMIT_SECONDS)
            return super().hash_first_degree_quads(id_)

    return _Rdfc10()


def rdfc(document: JSONValue, *, time_limit: float = RDFC_TIME_LIMIT_SECONDS) -> str:
    """Canonicalize a JSON-LD document to RDFC-1.0 N-Quads, with bundled contexts only.

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: not valid JSON-LD, too large (``too_large``) or too
            costly (``canonicalization_timeout``).
    """
    size = len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > MAX_RDFC_INPUT_BYTES:
        raise MalformedDocumentError(
            f"the document is {size} bytes; RDF canonicalization is limited to {MAX_RDFC_INPUT_BYTES}",
            code="too_large",
        )
    fast = _rdfc_by_walk(document)
    if fast is not None:
        return fast
    deadline = time.monotonic() + time_limit
    options = {"documentLoader": jsonld.document_loader, "produceGeneralizedRdf": False}
    processor = jsonld.processor_class()()
    dataset = jsonld.run_pyld(lambda: processor.to_rdf(document, options))
    nquads: str = _canonicalizer(deadline).main(dataset, {"format": "application/n-quads"})
    return nquads


def _rdfc_by_walk(document: JSONValue) -> str | None:
    # The triples straight from the JSON with the compiled term tables, named by
    # first-degree hashes: the same N-Quads as pyld's for what both model, in a
    # fraction of the time (tests/vc/test_ldquads.py compares them).
    from vc import c14n, ldquads

    if not isinstance(document, dict):
        return None
    quads = ldquads.to_quads(document)
    return None if quads is None else c14n.canonical_nquads(quads)
