"""Bundled, pinned JSON-LD contexts, the offline document loader, and undefined-term detection.

laurel never fetches a context: the loader serves the contexts shipped in
``vc/contexts/`` (each pinned by SHA-256) and refuses every other URL. This module finds
what JSON-LD would silently drop (:func:`undefined_terms`) and imports the rest, so that
every name is reached as ``jsonld.<name>``: the contexts and the loader live in
:mod:`vc._jsonld_contexts`, pyld and its processor in :mod:`vc._jsonld_pyld`, what is read
without a processor (the contexts in a document, reserved terms) in :mod:`vc._jsonld_syntax`.

    >>> from vc import jsonld
    >>> jsonld.load_context("https://www.w3.org/ns/credentials/v2")["@context"]["@protected"]
    True
    >>> jsonld.undefined_terms({"@context": ["https://www.w3.org/ns/credentials/v2"],
    ...                         "type": ["VerifiableCredential"], "grade": "A+"})
    ['grade']
"""

from __future__ import annotations

from collections.abc import Iterator

from vc._jsonld_contexts import (
    CREDENTIALS_V1,
    CREDENTIALS_V2,
    EXAMPLE_CONTEXTS,
    PINNED_CONTEXTS,
    document_loader,
    load_context,
)
from vc._jsonld_pyld import expand, processor_class, run_pyld
from vc._jsonld_syntax import context_urls, local_contexts, reserved, reserved_term
from vc.types import JSONObject, JSONValue

__all__ = [
    "CREDENTIALS_V1",
    "CREDENTIALS_V2",
    "EXAMPLE_CONTEXTS",
    "PINNED_CONTEXTS",
    "context_urls",
    "document_loader",
    "expand",
    "processor_class",
    "run_pyld",
    "load_context",
    "local_contexts",
    "relative_references",
    "reserved",
    "reserved_term",
    "undefined_terms",
]


def _is_absolute_iri(value: str) -> bool:
    scheme, sep, _ = value.partition(":")
    return bool(sep) and scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)


def relative_references(expanded: JSONValue) -> Iterator[str]:
    """Yield the relative IRIs of an expanded document (toRDF drops them, so RDFC does not sign them)."""
    # jsonld.js#497: nodes, types and values with relative IRIs vanish from the dataset.
    stack: list[JSONValue] = [expanded]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if "@value" in node:
                value_type = node.get("@type")
                if (
                    isinstance(value_type, str)
                    and value_type != "@json"
                    and not _is_absolute_iri(value_type)
                ):
                    yield value_type
                continue
            for key, value in node.items():
                if key == "@type":
                    for t in value if isinstance(value, list) else [value]:
                        if (
                            isinstance(t, str)
                            and not _is_absolute_iri(t)
                            and not t.startswith("_:")
                        ):
                            yield t
                elif key == "@id":
                    if (
                        isinstance(value, str)
                        and not _is_absolute_iri(value)
                        and not value.startswith("_:")
                    ):
                        yield value
                else:
                    stack.append(value)


def undefined_terms(document: JSONObject) -> list[str]:
    """List the terms, types and IRIs of `document` that JSON-LD would silently drop.

    A term no context defines is dropped by expansion, and a relative IRI by
    toRDF; either way it would not be covered by an RDFC signature. An empty list
    means every key and type of the document is defined (pyld has no "safe mode").

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    dropped: list[str] = []

    def record(term: str | None) -> None:
        dropped.append(term if term is not None else "(null)")

    expanded = expand(document, record)
    found = dropped + list(relative_references(expanded))
    return sorted(set(found), key=found.index)
