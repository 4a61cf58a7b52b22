"""RDF-preserving rewrites of signed documents (SECURITY.md R01-R04).

Each rewrite changes the JSON of a document but not its RDF dataset, so an
``eddsa-rdfc-2022`` signature still verifies: a member moved under its full IRI, a
typed value written as a value object, ``id``/``type`` written as keywords, a type
written as its IRI, members moved into ``@included`` or ``@nest``... The term
definitions come from the document's own contexts, applied node by node as JSON-LD
expansion applies them (type-scoped contexts do not propagate, property-scoped ones
do), so every rewrite is what an attacker with a JSON-LD processor could produce.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vc.canon import rdfc
from vc.ldterms import ActiveContext, Term, root_context

_DATATYPE_FREE = (None, "@none")


@dataclass(frozen=True)
class Site:
    """A member of a node: where it is, its term, and the context of its node."""

    path: tuple[str | int, ...]
    key: str
    term: Term
    ctx: ActiveContext


def _node_sites(
    ctx: ActiveContext, prop: str | None, node: dict[str, Any], path: tuple[str | int, ...]
) -> Iterator[Site]:
    ctx, _typed = ctx.node_context(prop, node)
    for key, value in node.items():
        if key in ("@context", "proof", "verifiableCredential"):
            continue
        term = ctx.terms.get(key)
        if term is None:
            continue
        yield Site(path, key, term, ctx)
        inner = ctx.scoped(term, override_protected=True) if term.scoped_key else ctx
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            if isinstance(item, dict) and "@value" not in item:
                at = (*path, key, index) if isinstance(value, list) else (*path, key)
                yield from _node_sites(inner, key, item, at)


def sites(document: dict[str, Any], path: tuple[str | int, ...] = ()) -> list[Site]:
    """Every member of every node of `document` and of the credentials it embeds (proofs aside)."""
    context = document["@context"]
    ctx = root_context(tuple(context if isinstance(context, list) else [context]))
    found = list(_node_sites(ctx, None, document, path))
    embedded = document.get("verifiableCredential")
    if isinstance(embedded, list):
        for index, item in enumerate(embedded):
            if isinstance(item, dict) and "@context" in item:
                found.extend(sites(item, (*path, "verifiableCredential", index)))
    return found


def _at(document: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    node: Any = document
    for step in path:
        node = node[step]
    return node


def _explicit(term: Term, value: Any) -> Any:
    # The value as it reads without the term's coercion.
    if isinstance(value, list):
        return [_explicit(term, v) for v in value]
    if isinstance(value, str) and term.type in ("@id", "@vocab") and term.type == "@id":
        return {"@id": value}
    if isinstance(value, str) and term.type not in (*_DATATYPE_FREE, "@id", "@vocab", "@json"):
        return {"@value": value, "@type": term.type}
    return value


REWRITES = (
    "full_iri",
    "value_object",
    "keyword_id_type",
    "type_iri",
    "included",
    "nest",
    "set_object",
    "node_reference_object",
    "one_item_list",
)


def rewrite(document: dict[str, Any], kind: str, site: Site) -> dict[str, Any] | None:
    """`document` with one RDF-preserving rewrite of `kind` at `site` (None if it does not apply)."""
    out = copy.deepcopy(document)
    node = _at(out, site.path)
    key, term = site.key, site.term
    value = node[key]
    if kind == "full_iri":
        # R01/R02: the member under its full IRI, its value written without coercion.
        if term.iri is None or term.iri.startswith("@") or term.scoped is not None:
            return None
        if term.container or term.type == "@vocab":
            return None
        del node[key]
        node[term.iri] = _explicit(term, value)
    elif kind == "value_object":
        if term.type in (*_DATATYPE_FREE, "@id", "@vocab", "@json") or not isinstance(value, str):
            return None
        node[key] = {"@value": value, "@type": term.type}
    elif kind == "keyword_id_type":
        if term.iri not in ("@id", "@type"):
            return None
        del node[key]
        node[term.iri] = value
    elif kind == "type_iri":
        # R03: types written as their IRIs (the type-scoped contexts still apply to
        # the other members only when the types are terms, so keep those as they are).
        if term.iri != "@type":
            return None
        names = value if isinstance(value, list) else [value]
        ctx = site.ctx
        changed = [
            ctx.terms[n].iri
            if n in ctx.terms and ctx.terms[n].scoped is None and ctx.terms[n].iri
            else n
            for n in names
        ]
        if changed == names:
            return None
        node[key] = changed if isinstance(value, list) else changed[0]
    elif kind == "included":
        # A member moved into an @included node with the same id: the same triple.
        # The included node repeats the types, so that their scoped contexts define the
        # member there too.
        identifier = node.get("id")
        if not isinstance(identifier, str) or key in ("id", "type"):
            return None
        del node[key]
        included: dict[str, Any] = {"id": identifier, key: value}
        if "type" in node:
            included["type"] = node["type"]
        node.setdefault("@included", []).append(included)
    elif kind == "nest":
        if key in ("id", "type"):
            return None
        del node[key]
        node.setdefault("@nest", {})[key] = value
    elif kind == "set_object":
        # Inside @set a value loses its term's coercion: only uncoerced members keep
        # their meaning.
        items = value if isinstance(value, list) else [value]
        plain = term.type is None or all(isinstance(v, dict) for v in items)
        if key in ("id", "type") or term.container or not plain:
            return None
        node[key] = {"@set": value if isinstance(value, list) else [value]}
    elif kind == "node_reference_object":
        # Equivalent JSON that laurel reads the same way: must verify identically.
        if term.type != "@id" or not isinstance(value, str):
            return None
        node[key] = {"id": value}
    elif kind == "one_item_list":
        if isinstance(value, list) or key == "id":
            return None
        node[key] = [value]
    else:
        raise ValueError(kind)
    return out


def same_dataset(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two documents (proofs aside) have the same canonical RDF dataset."""
    strip = ("proof",)
    return rdfc({k: v for k, v in a.items() if k not in strip}) == rdfc(
        {k: v for k, v in b.items() if k not in strip}
    )
