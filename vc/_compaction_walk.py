"""The compaction test by a walk over the JSON with the compiled term tables of :mod:`vc.ldterms`.

The same steps as the JSON-LD 1.1 Expansion Algorithm, without building the expanded
output; whatever it does not model raises :class:`_Fallback` and the reference
(:mod:`vc._compaction_reference`) decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vc import jsonld, ldselect, ldterms
from vc._compaction_form import (
    _ABSOLUTE_IRI,
    _KEY_PUNS,
    _KEYWORD,
    _OB_IMAGE,
    _REFUSED_KEYWORDS,
    _VALUE_KEYS,
    FormProblem,
    _Fallback,
    _join,
    _Path,
    _quote,
    _render,
)
from vc.ldterms import ActiveContext
from vc.types import JSONObject, JSONValue


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
        if isinstance(value, list) and not value:
            # Nor does RDF hold an empty list: `"type": []` added to an eddsa-rdfc-2022
            # badge left its signature valid (found by the generated-documents test).
            self.refuse(path, f"{key} is an empty list; leave the member out", strict=True)
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
