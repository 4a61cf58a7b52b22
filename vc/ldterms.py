"""Active JSON-LD contexts as term tables, for walking documents without expanding them.

JSON-LD processing of a credential spends most of its time applying contexts: the
VC 2.0 context defines a credential's properties in the context scoped to the type
``VerifiableCredential``, Open Badges defines one per type, and every node applies
the ones its type and property call for. The contexts laurel accepts are bundled and
pinned, so the states they lead to are few and always the same: each state is
processed once by pyld (the reference processor), turned into a table of
:class:`Term` definitions, and remembered with the transitions out of it, in memory
and in a cache file keyed by the pinned contexts' hashes (:mod:`vc.ldcache`), so that
a new process needs neither pyld nor any context processing for states seen before.

    >>> from vc.ldterms import root_context
    >>> ctx = root_context(("https://www.w3.org/ns/credentials/v2",))
    >>> ctx.terms["type"].iri, ctx.id_alias, ctx.type_alias
    ('@type', 'id', 'type')
    >>> credential = ctx.scoped(ctx.terms["VerifiableCredential"], propagate=False)
    >>> credential.terms["validFrom"].type
    'http://www.w3.org/2001/XMLSchema#dateTime'
    >>> credential.previous is ctx
    True
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from vc import jsonld
from vc.errors import UnknownContextError

__all__ = ["MAX_STATES", "ActiveContext", "Term", "processor", "root_context"]

#: How many processed states are remembered; past it the memory starts again
#: (a hostile document can reach many distinct nestings of scoped contexts).
MAX_STATES = 4096

#: One step from a state to another: (scoped context key, propagate, override protected).
Step = tuple[str, bool, bool]
#: How a state is made: the root's context URLs, then the scoped contexts applied.
Recipe = tuple[tuple[str, ...], tuple[Step, ...]]


@dataclass(frozen=True, slots=True)
class Term:
    """One term definition of an active context (JSON-LD 1.1, "Create Term Definition")."""

    name: str
    iri: str | None
    type: str | None = None
    container: frozenset[str] = frozenset()
    #: Whether the definition sets ``@language`` / ``@direction`` (to a value or null).
    language: bool = False
    direction: bool = False
    reverse: bool = False
    prefix: bool = False
    nest: bool = False
    #: The scoped context (``@context`` of the definition), and a digest naming it.
    scoped: Any = None
    scoped_key: str | None = None


@dataclass(eq=False, slots=True)
class ActiveContext:
    """A processed context: its terms, and the contexts it leads to (memoized)."""

    recipe: Recipe
    terms: dict[str, Term]
    vocab: str | None
    default_language: bool
    default_direction: bool
    #: The context a non-propagated (type-scoped) context reverts to.
    previous: ActiveContext | None
    #: The terms aliasing ``@id`` and ``@type`` (``None`` unless exactly one each).
    id_alias: str | None
    type_alias: str | None
    #: How many terms map to each IRI (compaction chooses among several).
    iri_terms: dict[str, int]
    #: Terms usable as the prefix of a compact IRI, with their IRIs.
    prefixes: tuple[tuple[str, str], ...]
    children: dict[Step, ActiveContext] = field(default_factory=dict, repr=False)
    bases: dict[tuple[str | None, bool], ActiveContext] = field(default_factory=dict, repr=False)
    _processed: Any = field(default=None, repr=False)

    @property
    def processed(self) -> Any:
        """The active context as pyld holds it (made again from the recipe when needed)."""
        if self._processed is None:
            self._processed = _replay(self.recipe)
        return self._processed

    def scoped(
        self, term: Term, *, propagate: bool = True, override_protected: bool = False
    ) -> ActiveContext:
        """The context that applying `term`'s scoped context to this one gives.

        Type-scoped contexts are applied with ``propagate=False``, property-scoped
        ones with ``override_protected=True``, as JSON-LD 1.1 "Expansion Algorithm"
        does.

        Raises:
            ValueError: `term` has no scoped context.
            UnknownContextError: the scoped context names a context that is not bundled.
            MalformedDocumentError: pyld refuses the context.
        """
        if term.scoped_key is None:
            raise ValueError(f"the term {term.name!r} has no scoped context")
        step = (term.scoped_key, propagate, override_protected)
        hit = self.children.get(step)
        if hit is not None:
            return hit
        from vc import ldcache

        cached = ldcache.lookup((self.recipe[0], (*self.recipe[1], step)))
        if cached is not None:
            with _LOCK:
                self.children[step] = cached
            return cached
        _SCOPED[term.scoped_key] = term.scoped
        proc, options = processor()
        result = jsonld.run_pyld(
            lambda: proc._process_context(
                self.processed,
                term.scoped,
                options,
                override_protected=override_protected,
                propagate=propagate,
            )
        )
        child = _table(result, (self.recipe[0], (*self.recipe[1], step)), parent=self)
        with _LOCK:
            _remember(child)
            self.children[step] = child
        return child

    def node_context(
        self, prop: str | None, node: dict[str, Any]
    ) -> tuple[ActiveContext, ActiveContext]:
        """The context of a node object reached through `prop`, and the one its types read.

        JSON-LD 1.1 "Expansion Algorithm", steps 7-11: a type-scoped context does not
        propagate into a nested node (unless it is a bare reference), the property's
        scoped context applies, then the scoped contexts of the node's types, in
        order, each looked up in the context before any of them.

        Raises:
            UnknownContextError: a scoped context names a context that is not bundled.
            MalformedDocumentError: pyld refuses a scoped context.
        """
        reference = len(node) == 1 and (
            "@id" in node or (self.id_alias is not None and self.id_alias in node)
        )
        base = self._base_context(prop, reference)
        type_key = base.type_alias
        types = node.get(type_key) if type_key is not None else None
        if types is None:
            return base, base
        names = tuple(n for n in (types if isinstance(types, list) else (types,)))
        cacheable = all(isinstance(n, str) for n in names)
        if cacheable:
            hit = _TYPED.get((base, names))
            if hit is not None:
                return hit
        ctx = base
        for name in sorted(n for n in names if isinstance(n, str)):
            type_term = base.terms.get(name)
            if type_term is not None and type_term.scoped_key is not None:
                ctx = ctx.scoped(type_term, propagate=False)
        if cacheable:
            if len(_TYPED) >= MAX_STATES:
                _TYPED.clear()
            _TYPED[(base, names)] = (ctx, base)
        return ctx, base

    def _base_context(self, prop: str | None, reference: bool) -> ActiveContext:
        # Steps 7-8: revert a non-propagated context, apply the property's own.
        key = (prop, reference)
        hit = self.bases.get(key)
        if hit is not None:
            return hit
        term = self.terms.get(prop) if prop is not None else None
        ctx = self
        if ctx.previous is not None and not reference:
            ctx = ctx.previous
        if term is not None and term.scoped_key is not None:
            ctx = ctx.scoped(term, override_protected=True)
        if len(self.bases) < 256:
            self.bases[key] = ctx
        return ctx

    def revert(self) -> ActiveContext:
        """The context before a type-scoped context was applied (this one if none was)."""
        return self.previous if self.previous is not None else self

    def prefix_of(self, iri: str) -> str | None:
        """A term that compaction could use to shorten `iri` to a compact IRI."""
        for name, prefix_iri in self.prefixes:
            if iri.startswith(prefix_iri) and len(iri) > len(prefix_iri):
                return name
        return None


_LOCK = threading.Lock()
#: Every state known, by recipe (roots are those with no steps).
_STATES: dict[Recipe, ActiveContext] = {}
#: The scoped contexts seen, by their key (to make a state again from its recipe).
_SCOPED: dict[str, Any] = {}
_PROCESSOR: list[tuple[Any, dict[str, Any]]] = []
#: (context, the node's type names) -> (its context, the one its types read).
_TYPED: dict[tuple[ActiveContext, tuple[Any, ...]], tuple[ActiveContext, ActiveContext]] = {}
_LOADED = [False]


def _remember(state: ActiveContext) -> None:
    # Called with _LOCK held.
    if len(_STATES) >= MAX_STATES:
        _STATES.clear()
    _STATES[state.recipe] = state
    from vc import ldcache

    ldcache.changed()


def processor() -> tuple[Any, dict[str, Any]]:
    """The pyld processor (remembering processed contexts) and the options it runs with."""
    if not _PROCESSOR:
        from pyld import jsonld as pyld_jsonld
        from pyld.context_resolver import ContextResolver

        options: dict[str, Any] = {
            "documentLoader": jsonld.document_loader,
            "processingMode": "json-ld-1.1",
            "base": "",
            "contextResolver": ContextResolver(
                pyld_jsonld._resolved_context_cache, jsonld.document_loader
            ),
        }
        _PROCESSOR.append((jsonld.processor_class()(), options))
    return _PROCESSOR[0]


def scoped_key(scoped: Any) -> str:
    """A stable name for a scoped context: the SHA-256 of its canonical JSON."""
    text = json.dumps(scoped, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _term(name: str, mapping: dict[str, Any]) -> Term:
    container = mapping.get("@container") or []
    scoped = mapping.get("@context")
    return Term(
        name=name,
        iri=mapping.get("@id"),
        type=mapping.get("@type"),
        container=frozenset(container if isinstance(container, list) else [container]),
        language="@language" in mapping,
        direction="@direction" in mapping,
        reverse=bool(mapping.get("reverse")),
        prefix=bool(mapping.get("_prefix")),
        nest="@nest" in mapping,
        scoped=scoped,
        scoped_key=None if scoped is None else scoped_key(scoped),
    )


def make_context(
    recipe: Recipe,
    terms: dict[str, Term],
    *,
    vocab: str | None,
    default_language: bool,
    default_direction: bool,
    previous: ActiveContext | None,
    processed: Any = None,
) -> ActiveContext:
    """An :class:`ActiveContext` from its term table (the aliases and indexes derived)."""
    aliases: dict[str, list[str]] = {"@id": [], "@type": []}
    for term in terms.values():
        if term.iri in aliases and not term.container:
            aliases[term.iri].append(term.name)
    return ActiveContext(
        recipe=recipe,
        terms=terms,
        vocab=vocab,
        default_language=default_language,
        default_direction=default_direction,
        previous=previous,
        id_alias=aliases["@id"][0] if len(aliases["@id"]) == 1 else None,
        type_alias=aliases["@type"][0] if len(aliases["@type"]) == 1 else None,
        iri_terms=dict(Counter(t.iri for t in terms.values() if t.iri is not None)),
        prefixes=tuple(
            (t.name, t.iri)
            for t in terms.values()
            if t.prefix and t.iri is not None and not t.iri.startswith("@")
        ),
        _processed=processed,
    )


def _table(processed: Any, recipe: Recipe, *, parent: ActiveContext | None) -> ActiveContext:
    terms = {
        name: _term(name, mapping)
        for name, mapping in processed["mappings"].items()
        if mapping is not None
    }
    for term in terms.values():
        if term.scoped_key is not None:
            _SCOPED.setdefault(term.scoped_key, term.scoped)
    previous: ActiveContext | None = None
    if processed.get("previousContext") is not None:
        # A type-scoped context reverts to the context it was applied to, or to that
        # context's own previous one when stacked; a property-scoped one keeps it.
        if parent is None:
            raise UnknownContextError("a root context that does not propagate is not supported")
        previous = parent.previous if parent.previous is not None else parent
    return make_context(
        recipe,
        terms,
        vocab=processed.get("@vocab"),
        default_language=processed.get("@language") is not None,
        default_direction=processed.get("@direction") is not None,
        previous=previous,
        processed=processed,
    )


def _replay(recipe: Recipe) -> Any:
    # pyld's active context for a state known only from the cache: apply its steps again.
    urls, steps = recipe
    proc, options = processor()
    initial = proc._get_initial_context(options)
    state = jsonld.run_pyld(lambda: proc._process_context(initial, list(urls), options))
    for key, propagate, override in steps:
        state = jsonld.run_pyld(
            functools.partial(
                proc._process_context,
                state,
                _SCOPED[key],
                options,
                override_protected=override,
                propagate=propagate,
            )
        )
    return state


def root_context(urls: tuple[str, ...]) -> ActiveContext:
    """The active context of a document whose ``@context`` is these bundled URLs.

    Raises:
        UnknownContextError: a URL is not a bundled context.
        MalformedDocumentError: pyld refuses the contexts.
    """
    recipe: Recipe = (urls, ())
    hit = _STATES.get(recipe)
    if hit is not None:
        return hit
    for url in urls:
        if url not in jsonld.PINNED_CONTEXTS:
            raise UnknownContextError(f"context {url[:200]!r} is not bundled with laurel")
    from vc import ldcache

    if not _LOADED[0]:
        _LOADED[0] = True
        ldcache.load()
    hit = ldcache.lookup(recipe)
    if hit is not None:
        return hit
    proc, options = processor()
    initial = proc._get_initial_context(options)
    processed = jsonld.run_pyld(lambda: proc._process_context(initial, list(urls), options))
    table = _table(processed, recipe, parent=None)
    with _LOCK:
        _remember(table)
    return table
