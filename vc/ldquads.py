"""A JSON-LD document straight to RDF quads, with the compiled term tables of :mod:`vc.ldterms`.

JSON-LD 1.1 "Deserialize JSON-LD to RDF" on the expanded form is what pyld does for
RDF canonicalization; for the documents laurel meets (bundled contexts, terms it
defines, IRIs and plain or typed values) the same triples come from one walk over
the JSON, applying each node's contexts as expansion does. Anything else (an
undefined or relative term, a list, a graph, a float, a language or direction
coercion...) makes :func:`to_quads` answer None, and the caller asks pyld.
``tests/vc/test_ldquads.py`` checks the canonical N-Quads against pyld's on every
fixture and on generated documents.

    >>> from vc.ldquads import to_quads
    >>> quads = to_quads({"@context": "https://www.w3.org/ns/credentials/v2",
    ...                   "id": "urn:example:1", "type": "VerifiableCredential"})
    >>> [(s[1], p[1], o[1]) for s, p, o in quads]  # doctest: +NORMALIZE_WHITESPACE
    [('urn:example:1', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type',
      'https://www.w3.org/2018/credentials#VerifiableCredential')]
"""

from __future__ import annotations

import re
from typing import Any

from vc import ldterms
from vc.ldterms import ActiveContext
from vc.types import JSONObject, JSONValue

__all__ = ["BLANK", "IRI", "LITERAL", "Quad", "Term", "to_quads"]

IRI, BLANK, LITERAL = "I", "B", "L"
#: An RDF term: (IRI, iri), (BLANK, label) or (LITERAL, lexical form, datatype, language).
Term = tuple[str, ...]
#: A triple of the default graph (credentials and proof configurations have no other).
Quad = tuple[Term, Term, Term]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

# pyld's test for an absolute IRI: RDF keeps only what passes it.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_LARGEST_INTEGER = 10**21  # beyond it JSON-LD writes an xsd:double


class _Decline(Exception):
    """The document holds something this walk does not model."""


class _Walk:
    def __init__(self) -> None:
        self.quads: list[Quad] = []
        self._blank = 0
        self._labels: dict[str, Term] = {}

    def fresh(self) -> Term:
        self._blank += 1
        return (BLANK, f"_:b{self._blank}")

    def labelled(self, label: str) -> Term:
        # The document's own blank node labels name the same node wherever they appear.
        known = self._labels.get(label)
        if known is None:
            known = self._labels[label] = self.fresh()
        return known

    def reference(self, ctx: ActiveContext, value: JSONValue) -> Term:
        if not isinstance(value, str):
            raise _Decline
        if value.startswith("_:"):
            return self.labelled(value)
        prefix, colon, rest = value.partition(":")
        if (
            not _ABSOLUTE_IRI.match(value)
            or (colon and not rest.startswith("//") and prefix in ctx.terms)
            or ctx.prefix_of(value) is not None
        ):
            raise _Decline  # relative, or a compact IRI: pyld resolves it
        return (IRI, value)

    def vocab(self, ctx: ActiveContext, value: JSONValue) -> Term:
        if not isinstance(value, str):
            raise _Decline
        term = ctx.terms.get(value)
        if term is not None:
            if term.iri is None or term.iri.startswith("@") or not _ABSOLUTE_IRI.match(term.iri):
                raise _Decline
            return (IRI, term.iri)
        if ctx.vocab is not None:
            raise _Decline
        return self.reference(ctx, value)

    def node(self, ctx: ActiveContext, prop: str | None, node: JSONObject, root: bool) -> Term:
        if "@context" in node and not root:
            raise _Decline
        ctx, typed = ctx.node_context(prop, node)
        id_key, type_key = ctx.id_alias, ctx.type_alias
        if id_key is None or type_key is None:
            raise _Decline
        subject = self.reference(ctx, node[id_key]) if id_key in node else self.fresh()
        for key, value in node.items():
            if key == id_key or (key == "@context" and root):
                continue
            if key == type_key:
                for name in value if isinstance(value, list) else [value]:
                    self.quads.append((subject, (IRI, RDF_TYPE), self.vocab(typed, name)))
                continue
            term = ctx.terms.get(key)
            if (
                term is None
                or term.iri is None
                or term.iri.startswith("@")
                or not _ABSOLUTE_IRI.match(term.iri)
                or term.iri.startswith("_:")
                or term.reverse
                or term.nest
                or term.container - {"@set"}
            ):
                raise _Decline
            inner = (
                ctx.scoped(term, override_protected=True) if term.scoped_key is not None else ctx
            )
            predicate = (IRI, term.iri)
            for item in value if isinstance(value, list) else [value]:
                if item is None:
                    continue
                self.quads.append((subject, predicate, self.value(inner, key, item)))
        return subject

    def value(self, ctx: ActiveContext, key: str, item: JSONValue) -> Term:
        # JSON-LD 1.1 "Value Expansion" then "Object to RDF Conversion".
        term = ctx.terms[key]
        coercion = term.type
        if isinstance(item, list) or coercion == "@json":
            raise _Decline
        if isinstance(item, dict):
            if "@value" in item:
                return self.value_object(ctx, term, item)
            if any(k.startswith("@") for k in item):
                raise _Decline
            return self.node(ctx, key, item, root=False)
        if coercion in ("@id", "@vocab"):
            if not isinstance(item, str):
                raise _Decline
            return self.reference(ctx, item) if coercion == "@id" else self.vocab(ctx, item)
        datatype = None if coercion in (None, "@none") else coercion
        if isinstance(item, bool):
            return (LITERAL, "true" if item else "false", datatype or XSD_BOOLEAN, "")
        if isinstance(item, int):
            if abs(item) >= _LARGEST_INTEGER:
                raise _Decline
            return (LITERAL, str(item), datatype or XSD_INTEGER, "")
        if not isinstance(item, str):
            raise _Decline  # a float: pyld's canonical xsd:double
        if datatype is None and (
            term.language or term.direction or ctx.default_language or ctx.default_direction
        ):
            raise _Decline
        return (LITERAL, item, datatype or XSD_STRING, "")

    def value_object(self, ctx: ActiveContext, term: ldterms.Term, item: JSONObject) -> Term:
        if not set(item) <= {"@value", "@language"} or not all(
            isinstance(v, str) for v in item.values()
        ):
            raise _Decline  # @type, @direction, @index or a non-string value
        value = item["@value"]
        language = item.get("@language")
        assert isinstance(value, str)  # noqa: S101 (narrows for mypy)
        if language is None:
            return (LITERAL, value, XSD_STRING, "")
        assert isinstance(language, str)  # noqa: S101
        # Expansion lower-cases language tags (pyld, as JSON-LD 1.1 allows).
        return (LITERAL, value, RDF_LANGSTRING, language.lower())


def to_quads(document: JSONObject) -> list[Quad] | None:
    """The triples of `document` (its default graph), or None where pyld must be asked.

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: pyld refuses one of its contexts.
    """
    context: Any = document.get("@context")
    urls = context if isinstance(context, list) else [context]
    if not urls or not all(isinstance(u, str) for u in urls):
        return None
    root = ldterms.root_context(tuple(urls))
    walk = _Walk()
    try:
        walk.node(root, None, document, root=True)
    except _Decline:
        return None
    return walk.quads
