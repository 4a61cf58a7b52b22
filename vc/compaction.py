"""Whether a document is the compacted form of its own contexts: what is read is what is signed.

An ``eddsa-rdfc-2022`` signature covers the RDF dataset of a document, not its JSON.
Many JSON documents have the same dataset: ``credentialStatus`` may be written under
its full IRI, ``validUntil`` as a value object, ``type`` as ``@type``... A verifier
that reads JSON members by name would then miss a revocation or an expiry while the
signature still verifies (SECURITY.md R01-R04). So laurel requires every document to be
in the form its own contexts produce: **expanding it and compacting it again with the
same contexts gives it back** (up to the equivalences listed in :func:`normalize`),
and a few JSON-LD features that move data out of the members the checks read
(``@included``, ``@reverse``, ``@nest``, ``@graph`` objects, a node repeating the
document's own ``id``) are refused outright.

The test is done by a walk over the JSON with the compiled term tables of
:mod:`vc.ldterms` (the same steps as the JSON-LD 1.1 Expansion Algorithm, without
building the expanded output). Whatever the walk does not model (``@vocab``, inline
or nested contexts, list and map containers, term selection among several terms for
one IRI, compact IRIs) it hands to the reference: pyld's expansion and compaction,
compared after :func:`normalize`. Both answer the same on every fixture and on
generated documents (``tests/vc/test_compaction.py``).

    >>> from vc.compaction import inspect
    >>> credential = {"@context": ["https://www.w3.org/ns/credentials/v2"],
    ...               "type": ["VerifiableCredential"], "issuer": "did:example:1",
    ...               "credentialSubject": {"id": "did:example:2"}}
    >>> inspect(credential).compacted
    True
    >>> moved = dict(credential)
    >>> moved["https://www.w3.org/2018/credentials#issuer"] = {"id": moved.pop("issuer")}
    >>> report = inspect(moved)
    >>> report.compacted, report.problems[0].path
    (False, 'https://www.w3.org/2018/credentials#issuer')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from vc import jsonld, ldselect, ldterms
from vc.errors import MalformedDocumentError
from vc.ldterms import ActiveContext
from vc.types import JSONObject, JSONValue

__all__ = [
    "FormProblem",
    "FormReport",
    "inspect",
    "normalize",
    "reference",
    "reference_roundtrip",
    "walk",
]

# Keywords whose use moves data out of the members a verifier reads (SECURITY.md R04):
# refused even where a round trip would give them back.
_REFUSED_KEYWORDS = frozenset({"@included", "@reverse", "@nest", "@graph", "@index", "@set"})
# The keywords a node or value object of a credential can hold (the rest refused above or
# taken by the walk). Any other (a context's @protected, Framing's @preserve ...) carries no
# quad and pyld keeps it through a round trip: it is refused wherever it stands.
_NODE_KEYWORDS = (
    frozenset({"@context", "@id", "@type", "@value", "@language", "@direction", "@list"})
    | _REFUSED_KEYWORDS
)
_KEYWORD = re.compile(r"^@[a-zA-Z]+$")
# Open Badges 3.0 contexts give one IRI to a property term and a class term, so Term
# Selection writes the class's name where the specification (and every issuer) writes
# the property's: ``achievement`` is ``…#Achievement`` in the first context.json. Both
# spellings are the same RDF and laurel's checks read the specification's (issue #13):
# the key compaction writes -> the one the document may write instead. (Type names
# such as ``geo``/``GeoCoordinates`` compare as terms, see _TERM.)
# The first context.json also coerces ``image`` to the datatype ``…#Image`` while its
# values are Image objects: compaction then writes the property's full IRI.
_OB_IMAGE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#image"
_KEY_PUNS = {"Achievement": "achievement", _OB_IMAGE: "image"}
# pyld's test for an absolute IRI (RDF drops what fails it, so the two must agree).
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_VALUE_KEYS = frozenset({"@value", "@language", "@direction"})


@dataclass(frozen=True, slots=True)
class FormProblem:
    """One place where the document is not the compacted form of its contexts.

    `strict` marks a JSON-LD feature refused outright (``@included``, ``@nest``,
    ``@reverse``, a node repeating the document's id) even where a round trip would
    give the document back.
    """

    path: str
    message: str
    strict: bool = False


@dataclass(frozen=True, slots=True)
class FormReport:
    """What :func:`inspect` found.

    `undefined` lists the terms, types and IRIs JSON-LD would silently drop (so a
    signature over the RDF would not cover them); `problems` the places that are not
    in compacted form. `view` is the document as its contexts compact it, when that
    differs (the checks read it, so that a refused document is still reported on what
    it signs); `reference` tells that pyld decided rather than the walk.
    """

    undefined: tuple[str, ...] = ()
    problems: tuple[FormProblem, ...] = ()
    view: JSONObject | None = None
    reference: bool = False

    @property
    def compacted(self) -> bool:
        """True when the document is exactly the compacted form of its contexts."""
        return not self.problems


class _Fallback(Exception):
    """The walk met something it does not model; the reference decides."""


# A JSON path as (parent, key) pairs, () for the root: made as the walk goes down
# (a tuple is cheaper than a string), written out only for a problem found.
_Path = tuple[Any, ...]


def _join(path: _Path, key: str | int) -> _Path:
    return (path, key)


def _render(path: _Path) -> str:
    keys: list[str | int] = []
    while path:
        path, key = path
        keys.append(key)
    text = ""
    for key in reversed(keys):
        text = f"{text}[{key}]" if isinstance(key, int) else f"{text}.{key}" if text else key
    return text


@dataclass(slots=True)
class _Walk:
    root_id: str | None
    undefined: list[str] = field(default_factory=list)
    problems: list[FormProblem] = field(default_factory=list)

    def refuse(self, path: _Path, message: str, *, strict: bool = False) -> None:
        self.problems.append(FormProblem(_render(path), message, strict))

    # --- elements ----------------------------------------------------------------------

    def element(self, ctx: ActiveContext, prop: str | None, value: JSONValue, path: _Path) -> None:
        if value is None:
            return
        if isinstance(value, list):
            term = ctx.terms.get(prop) if prop is not None else None
            if term is not None and "@list" in term.container:
                raise _Fallback
            for index, item in enumerate(value):
                if isinstance(item, list):
                    raise _Fallback
                self.element(ctx, prop, item, _join(path, index))
        elif isinstance(value, dict):
            self.object(ctx, prop, value, path)
        else:
            self.scalar(ctx, prop, value, path)

    def scalar(self, ctx: ActiveContext, prop: str | None, value: JSONValue, path: _Path) -> None:
        # JSON-LD 1.1 "Value Expansion", and what compaction makes of the result.
        term = ctx.terms.get(prop) if prop is not None else None
        coercion = term.type if term is not None else None
        if coercion == "@json":
            return
        if coercion in ("@id", "@vocab"):
            if not isinstance(value, str) or coercion == "@vocab":
                raise _Fallback
            self.reference(ctx, value, path)
            return
        if isinstance(value, str) and coercion in (None, "@none"):
            language = term is not None and (term.language or term.direction)
            if language or ctx.default_language or ctx.default_direction:
                raise _Fallback

    def reference(self, ctx: ActiveContext, value: str, path: _Path) -> None:
        # An IRI in an @id position: kept as written unless a prefix or term shortens it.
        if value.startswith("_:"):
            return
        prefix, colon, rest = value.partition(":")
        if not _ABSOLUTE_IRI.match(value):
            if not (colon and prefix in ctx.terms):
                self.undefined.append(value)  # relative: RDF drops it
                return
        elif not (
            (colon and not rest.startswith("//") and prefix in ctx.terms)
            or ctx.iri_terms.get(value)
            or ctx.prefix_of(value) is not None
        ):
            return
        expanded = _expand_iri(ctx, value, vocab=False)
        if not _ABSOLUTE_IRI.match(expanded):
            self.undefined.append(value)
        elif _compact_iri(ctx, expanded, None, vocab=False) != value:
            self.refuse(path, f"{_quote(value)} is not written as its @context compacts it")

    def object(self, ctx: ActiveContext, prop: str | None, node: JSONObject, path: _Path) -> None:
        term = ctx.terms.get(prop) if prop is not None else None
        coercion = term.type if term is not None else None
        if coercion == "@json":
            return  # a JSON literal
        if "@value" in node:
            self.value_object(ctx, term, node, path)
            return
        if "@list" in node:
            raise _Fallback
        if coercion not in (None, "@none", "@id", "@vocab") and not (
            term is not None and term.iri == _OB_IMAGE
        ):
            # A node where the term coerces to a datatype: compaction cannot use the term.
            # Walked all the same, so that the terms it hides are named as the reference's
            # expansion names them (found by the generated-documents test).
            self.refuse(path, f"{prop} takes a value, not an object")
        self.node(ctx, prop, node, path)

    def value_object(
        self, ctx: ActiveContext, term: ldterms.Term | None, node: JSONObject, path: _Path
    ) -> None:
        if "@type" in node and ctx.type_alias is not None and isinstance(node["@value"], str):
            # Compaction writes a typed value as its string (the term coerces it) or
            # with the type alias: never with the @type keyword.
            self.refuse(path, f"write the value as its string, typed by {_describe(term)}")
            return
        if not set(node) <= _VALUE_KEYS or not all(isinstance(v, str) for v in node.values()):
            raise _Fallback
        if term is not None and (term.language or term.direction):
            raise _Fallback
        if ctx.default_language or ctx.default_direction:
            raise _Fallback
        coercion = term.type if term is not None else None
        if coercion not in (None, "@none"):
            self.refuse(path, f"{term.name if term else 'this member'} takes a plain value")
        elif "@language" not in node and "@direction" not in node:
            self.refuse(path, 'a {"@value": …} object without a language is written as its string')

    # --- node objects (JSON-LD 1.1 "Expansion Algorithm", steps 7-14) --------------------

    def node(self, ctx: ActiveContext, prop: str | None, node: JSONObject, path: _Path) -> None:
        if "@context" in node and path:
            raise _Fallback  # a nested context
        ctx, typed = ctx.node_context(prop, node)
        repeats_root = self.root_id is not None and node.get(ctx.id_alias or "id") == self.root_id
        if path and repeats_root and len(node) > 1:
            self.refuse(
                path,
                "this object repeats the document's own id, which moves its members",
                strict=True,
            )
        for key in node:
            if key != "@context" or path:
                self.member(ctx, typed, key, node[key], _join(path, key))

    def member(
        self, ctx: ActiveContext, typed: ActiveContext, key: str, value: JSONValue, path: _Path
    ) -> None:
        if value is None:
            # JSON-LD ignores a null member and compaction never writes one: a member no
            # signature covers, whatever its name.
            self.refuse(path, f"{key} is null; leave the member out", strict=True)
            return
        term = ctx.terms.get(key)
        if term is None:
            self.unmapped(ctx, key, value, path)
            return
        iri = term.iri
        if iri is None or iri.startswith("@"):
            self.alias(ctx, typed, term, value, path)
            return
        if term.reverse or term.nest:
            self.refuse(
                path,
                f"{key} is a @reverse or @nest term, which laurel does not accept",
                strict=True,
            )
            return
        if term.container - {"@set"}:
            raise _Fallback
        inner = ctx.scoped(term, override_protected=True) if term.scoped_key is not None else ctx
        if ctx.iri_terms.get(iri, 0) > 1:
            # Several terms name this IRI: compaction picks one per value (Term Selection).
            self.selected(ctx, inner, key, iri, value, path)
        self.element(inner, key, value, path)

    def selected(
        self,
        ctx: ActiveContext,
        inner: ActiveContext,
        key: str,
        iri: str,
        value: JSONValue,
        path: _Path,
    ) -> None:
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            if item is None:
                continue
            at = _join(path, index) if isinstance(value, list) else path
            standin = _standin(inner, key, item)
            chosen = _compact_iri(ctx, iri, standin, vocab=True)
            if chosen != key and _KEY_PUNS.get(chosen) != key:
                self.refuse(at, f"{_quote(key)} is written {_quote(chosen)} by its @context")

    def alias(
        self,
        ctx: ActiveContext,
        typed: ActiveContext,
        term: ldterms.Term,
        value: JSONValue,
        path: _Path,
    ) -> None:
        if term.iri == "@id" and term.name == ctx.id_alias:
            if not isinstance(value, str):
                raise _Fallback
            self.reference(ctx, value, path)
        elif term.iri == "@type" and term.name == ctx.type_alias:
            for index, name in enumerate(value if isinstance(value, list) else [value]):
                at = _join(path, index) if isinstance(value, list) else path
                self.type_name(typed, name, at)
        elif term.iri in _REFUSED_KEYWORDS:
            self.refuse(
                path,
                f"{term.name} stands for {term.iri}, which laurel does not accept",
                strict=True,
            )
        else:
            raise _Fallback

    def type_name(self, ctx: ActiveContext, name: JSONValue, path: _Path) -> None:
        if not isinstance(name, str):
            raise _Fallback
        term = ctx.terms.get(name)
        if term is not None:
            if term.iri is None or term.iri.startswith("@"):
                raise _Fallback
            return  # a term, or an alias of one (AchievementCredential)
        if ":" not in name:
            if ctx.vocab is not None:
                raise _Fallback
            self.undefined.append(name)
            return
        prefix = name.partition(":")[0]
        if prefix == "_" or prefix in ctx.terms or not _ABSOLUTE_IRI.match(name):
            raise _Fallback
        if ctx.iri_terms.get(name) or ctx.prefix_of(name) is not None:
            raise _Fallback  # compaction would write a term or a compact IRI

    def unmapped(self, ctx: ActiveContext, key: str, value: JSONValue, path: _Path) -> None:
        if key.startswith("@"):
            if key in ("@id", "@type"):
                # The reference expands it (with its type-scoped contexts) and reports.
                raise _Fallback
            elif key in _REFUSED_KEYWORDS or key == "@list":
                self.refuse(
                    path, f"{key} moves data where a verifier does not read it", strict=True
                )
            elif _KEYWORD.match(key):
                self.refuse(path, f"{key} is a JSON-LD keyword no credential holds", strict=True)
            else:
                self.undefined.append(key)
            return
        if ":" not in key:
            if ctx.vocab is not None:
                raise _Fallback
            if _holds_context(value):
                raise _Fallback  # a context inside: the reference reads it
            self.undefined.append(key)  # expansion drops it
            return
        prefix = key.partition(":")[0]
        if prefix == "_":
            self.undefined.append(key)  # a blank-node property: RDF drops it
            return
        iri = _expand_iri(ctx, key, vocab=True)
        if not _ABSOLUTE_IRI.match(iri) or iri.startswith("_:"):
            self.undefined.append(key)
            return
        if ctx.iri_terms.get(iri) or ctx.prefix_of(iri) is not None or prefix in ctx.terms:
            # Compaction would write a term or a compact IRI for (some of) its values.
            for index, item in enumerate(value if isinstance(value, list) else [value]):
                if item is None:
                    continue
                at = _join(path, index) if isinstance(value, list) else path
                chosen = _compact_iri(ctx, iri, _standin(ctx, None, item), vocab=True)
                if chosen != key:
                    self.refuse(at, f"{_quote(key)} is written {_quote(chosen)} by its @context")
                    break
        self.element(ctx, None, value, path)


def _describe(term: ldterms.Term | None) -> str:
    return f"the term {term.name!r}" if term is not None else "its @context"


def _holds_context(value: JSONValue) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "@context" in item:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _quote(value: str, limit: int = 80) -> str:
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def _expand_iri(ctx: ActiveContext, value: str, *, vocab: bool) -> str:
    native = ldselect.expand_iri(ctx, value, vocab=vocab)
    if native is not None:
        return native
    processor, _ = ldterms.processor()
    expanded = jsonld.run_pyld(lambda: processor._expand_iri(ctx.processed, value, vocab=vocab))
    return expanded if isinstance(expanded, str) else ""


def _compact_iri(ctx: ActiveContext, iri: str, value: Any, *, vocab: bool) -> str:
    # JSON-LD 1.1 "IRI Compaction" with "Term Selection": by the term tables where
    # they model it, otherwise exactly as the reference does.
    native = ldselect.compact_iri(ctx, iri, value, vocab=vocab)
    if native is not None:
        return native
    processor, _ = ldterms.processor()
    chosen = jsonld.run_pyld(
        lambda: processor._compact_iri(ctx.processed, iri, value=value, vocab=vocab, base=None)
    )
    return chosen if isinstance(chosen, str) else ""


def _standin(ctx: ActiveContext, key: str | None, item: JSONValue) -> Any:
    # The parts of an item's expanded form that Term Selection looks at.
    term = ctx.terms.get(key) if key is not None else None
    coercion = term.type if term is not None else None
    if isinstance(item, dict):
        if "@value" in item:
            standin = {k: v for k, v in item.items() if k in _VALUE_KEYS | {"@type"}}
            if not all(isinstance(v, str) for v in standin.values()):
                raise _Fallback  # not a valid value object: the reference says why
            return standin
        identifier = item.get(ctx.id_alias or "id")
        if isinstance(identifier, str):
            return {"@id": _expand_iri(ctx, identifier, vocab=False)}
        return {}
    if coercion in ("@id", "@vocab") and isinstance(item, str):
        return {"@id": _expand_iri(ctx, item, vocab=coercion == "@vocab")}
    if coercion not in (None, "@none", "@id", "@vocab", "@json"):
        return {"@value": item, "@type": coercion}
    return {"@value": item}


# --- the reference: pyld's round trip --------------------------------------------------


def normalize(value: JSONValue, aliases: dict[str, str] | None = None) -> JSONValue:
    """The equivalences under which a round trip counts as giving the document back.

    A one-item list is its item (compaction writes a single value without brackets);
    a node with only an ``id`` is that id (compaction writes a reference to it as a
    string where the term expects an IRI); ``null`` and ``[]`` are absent (they carry
    no data) except as the value of a keyword; language tags compare without case (BCP 47; expansion lower-cases them);
    `aliases` maps type names to the one compaction writes for the same IRI (Open
    Badges' ``AchievementCredential`` for ``OpenBadgeCredential``), and the first Open
    Badges context.json's property/class pun (``achievement``) and its datatype-coerced
    ``image`` count as the specification's spelling. The checks read
    each of these forms the same way, or refuse it (a status entry's
    ``statusListCredential`` must be a string): never differently.
    """
    if isinstance(value, list):
        items = [normalize(v, aliases) for v in value if v is not None and v != []]
        return items[0] if len(items) == 1 else items
    if isinstance(value, dict):
        out = {
            _KEY_PUNS.get(k, k): normalize(v, aliases) if k != "type" else _types(v, aliases)
            for k, v in value.items()
            # An empty keyword member ("@type": [], "@context": []) changes no quad but
            # is no form compaction writes: it stays, so the round trip tells it apart.
            if (v is not None and v != []) or k.startswith("@")
        }
        language = out.get("@language")
        if isinstance(language, str):
            out["@language"] = language.lower()
        if list(out) == ["id"] and isinstance(out["id"], str):
            return out["id"]
        return out
    return value


class _TermNames(dict[str, str]):
    """Every type name without a colon reads as one: a term (whichever the contexts define)."""

    def get(self, key: str, default: str | None = None) -> str:  # type: ignore[override]
        return "(a term)" if ":" not in key and not key.startswith("@") else key


#: Type names compared as terms: at one place of a document and its round trip, two
#: terms stand for the same IRI (Open Badges defines AchievementCredential beside
#: OpenBadgeCredential, Criteria beside criteria); an IRI where a term could be stays
#: an IRI, and differs (SECURITY.md R03).
_TERM = _TermNames()


def _types(value: JSONValue, aliases: dict[str, str] | None) -> JSONValue:
    names = value if isinstance(value, list) else [value]
    mapped = [aliases.get(n, n) if aliases is not None and isinstance(n, str) else n for n in names]
    return mapped[0] if len(mapped) == 1 else mapped


def reference_roundtrip(document: JSONObject) -> tuple[list[str], JSONObject]:
    """The reference answer (pyld): the terms expansion drops, and the document compacted again.

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    for _, context in jsonld.local_contexts(document):
        if isinstance(context, dict) and jsonld.reserved_term(context) is not None:
            # pyld would warn and ignore the term: a context only partly applied.
            raise MalformedDocumentError(
                "an @context defines a term JSON-LD reserves", code="invalid_jsonld"
            )
    dropped: list[str] = []
    expanded = jsonld.expand(document, lambda t: dropped.append(t if t is not None else "(null)"))
    dropped.extend(jsonld.relative_references(expanded))
    dropped.extend(_blank_properties(expanded))
    context = document.get("@context")
    processor = jsonld.processor_class()()
    options = {"documentLoader": jsonld.document_loader, "compactToRelative": False}
    compacted: JSONObject = jsonld.run_pyld(
        lambda: processor.compact(expanded, {"@context": context}, options)
    )
    compacted.pop("@context", None)
    if context is not None:
        compacted = {"@context": context, **compacted}
    return sorted(set(dropped), key=dropped.index), compacted


def _blank_properties(expanded: JSONValue) -> Iterator[str]:
    stack: list[JSONValue] = [expanded]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key.startswith("_:"):
                    yield key
                stack.append(value)


def _first_difference(a: JSONValue, b: JSONValue, path: _Path = ()) -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in a or key not in b or a[key] != b[key]:
                if key in a and key in b:
                    return _first_difference(a[key], b[key], _join(path, key))
                return _render(_join(path, key))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, _join(path, index))
    return _render(path)


def _by_reference(
    document: JSONObject, skipped: dict[str, JSONValue], root: ActiveContext | None
) -> FormReport:
    undefined, compacted = reference_roundtrip(document)
    original = normalize(document, _TERM)
    again = normalize(compacted, _TERM)
    if (
        isinstance(original, dict)
        and isinstance(again, dict)
        and set(original) == {"@context", "id"}
        and set(again) == {"@context"}
    ):
        again = {**again, "id": original["id"]}  # expansion drops a node with no data
    # Dropped terms make any round trip differ; they are reported (and fail) as such.
    if original == again or undefined:
        return FormReport(undefined=tuple(undefined), reference=True)
    where = _first_difference(original, again)
    problem = FormProblem(
        where,
        "not written as its @context compacts it; a verifier reading members by name "
        "would not read what the signature covers",
    )
    return FormReport(
        undefined=tuple(undefined),
        problems=(problem,),
        view={**compacted, **skipped},
        reference=True,
    )


def _root_context(document: JSONObject) -> ActiveContext | None:
    context = document.get("@context")
    urls = context if isinstance(context, list) else [context]
    if not urls or not all(isinstance(u, str) for u in urls):
        return None
    return ldterms.root_context(tuple(u for u in urls if isinstance(u, str)))


def walk(document: JSONObject, *, skip: frozenset[str] = frozenset({"proof"})) -> FormReport | None:
    """The fast answer of :func:`inspect`, or None where the walk does not model the document.

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    body = {k: v for k, v in document.items() if k not in skip}
    root = _root_context(body)
    if root is None:
        return None
    identifier = body.get(root.id_alias or "id")
    if set(body) <= {"@context", root.id_alias or "id"}:
        return FormReport()  # no data at all: nothing a verifier could misread
    walker = _Walk(root_id=identifier if isinstance(identifier, str) else None)
    try:
        walker.node(root, None, body, ())
    except _Fallback:
        return None
    found = tuple(dict.fromkeys(walker.undefined))
    if not walker.problems:
        return FormReport(undefined=found)
    # Not compacted: the reference gives the view the checks should read.
    skipped = {k: document[k] for k in skip if k in document}
    view = _by_reference(body, skipped, root).view
    return FormReport(undefined=found, problems=tuple(walker.problems), view=view or document)


def _stray_keywords(value: JSONValue) -> Iterator[str]:
    # Null members, and keyword members outside _NODE_KEYWORDS, anywhere but in an @context.
    stack: list[JSONValue] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                if key == "@context":
                    continue
                if (_KEYWORD.match(key) and key not in _NODE_KEYWORDS) or inner is None:
                    yield key
                stack.append(inner)


def reference(document: JSONObject, *, skip: frozenset[str] = frozenset({"proof"})) -> FormReport:
    """The answer of :func:`inspect` by pyld's round trip alone (the oracle of the walk).

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    body = {k: v for k, v in document.items() if k not in skip}
    skipped = {k: document[k] for k in skip if k in document}
    return _by_reference(body, skipped, _root_context(body))


def inspect(
    document: JSONObject,
    *,
    skip: frozenset[str] = frozenset({"proof"}),
    on_reference: Callable[[], None] | None = None,
) -> FormReport:
    """Report whether `document` (less its `skip` members) is the compaction of its contexts.

    `skip` names top-level members judged on their own (proofs; a presentation's
    ``verifiableCredential``). `on_reference` is called when pyld had to decide.

    Raises:
        UnknownContextError: the document names a context that is not bundled.
        MalformedDocumentError: the document is not valid JSON-LD.
    """
    fast = walk(document, skip=skip)
    if fast is not None:
        return fast
    body = {k: v for k, v in document.items() if k not in skip}
    stray = next(_stray_keywords(body), None)
    if stray is not None:
        # pyld keeps such a member through a round trip; the walk refuses it, and so does
        # this path, wherever the walk stopped first.
        problem = FormProblem(
            stray, f"{stray} is null or a JSON-LD keyword no credential holds", strict=True
        )
        return FormReport(undefined=(), problems=(problem,), view=None, reference=True)
    if on_reference is not None:
        on_reference()
    return reference(document, skip=skip)
