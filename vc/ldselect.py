"""IRI expansion and compaction with the term tables: what compaction would write for an IRI.

JSON-LD 1.1 "IRI Expansion", "Inverse Context Creation", "Term Selection" and "IRI
Compaction", ported for the terms laurel's bundled contexts define: terms with a
type mapping or none, any container. A term with a language or direction mapping,
a context with a default language or ``@vocab``, a value with ``@index``, ``@list``
or ``@graph``: there the functions answer None and the caller asks pyld. The
compaction walk (:mod:`vc.compaction`) is tested against pyld's round trip, which
covers these answers too.

    >>> from vc.ldterms import root_context
    >>> from vc.ldselect import compact_iri
    >>> ctx = root_context(("https://www.w3.org/ns/credentials/v2",))
    >>> compact_iri(ctx, "https://www.w3.org/2018/credentials#VerifiableCredential", None)
    'VerifiableCredential'
"""

from __future__ import annotations

import re
from typing import Any

from vc.ldterms import ActiveContext

__all__ = ["compact_iri", "expand_iri"]

_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$")

#: term selection map: container key -> {"@type": {...}, "@language": {...}}
_Entry = dict[str, dict[str, str]]


def expand_iri(ctx: ActiveContext, value: str, *, vocab: bool) -> str | None:
    """`value` expanded as an IRI (JSON-LD 1.1 "IRI Expansion"), or None to ask pyld."""
    if value.startswith("@"):
        return None
    if vocab:
        term = ctx.terms.get(value)
        if term is not None:
            return term.iri
    prefix, colon, rest = value.partition(":")
    if colon:
        if prefix == "_" or rest.startswith("//"):
            return value
        if prefix in ctx.terms:
            return None  # a compact IRI (or a confusion pyld names)
        if _ABSOLUTE_IRI.match(value):
            return value
    if vocab and ctx.vocab is not None:
        return None
    return None  # relative: resolved against a base, pyld's business


_INVERSES: dict[int, tuple[ActiveContext, dict[str, dict[str, _Entry]] | None]] = {}


def _build_inverse(ctx: ActiveContext) -> dict[str, dict[str, _Entry]] | None:
    hit = _INVERSES.get(id(ctx))
    if hit is not None and hit[0] is ctx:
        return hit[1]
    inverse: dict[str, dict[str, _Entry]] | None = {}
    if ctx.default_language or ctx.default_direction:
        inverse = None
    else:
        for name in sorted(ctx.terms, key=lambda n: (len(n), n)):
            term = ctx.terms[name]
            if not term.iri:
                continue
            if term.language or term.direction:
                inverse = None
                break
            container = "".join(sorted(term.container)) or "@none"
            entry = inverse.setdefault(term.iri, {}).setdefault(  # type: ignore[union-attr]
                container, {"@language": {}, "@type": {}, "@any": {}}
            )
            entry["@any"].setdefault("@none", name)
            if term.reverse:
                entry["@type"].setdefault("@reverse", name)
            elif term.type == "@none":
                entry["@type"].setdefault("@none", name)
                entry["@language"].setdefault("@none", name)
            elif term.type is not None:
                entry["@type"].setdefault(term.type, name)
            else:
                entry["@language"].setdefault("@none", name)  # the default language: none
                entry["@type"].setdefault("@none", name)
                entry["@language"].setdefault("@none", name)
    if len(_INVERSES) > 4096:
        _INVERSES.clear()
    _INVERSES[id(ctx)] = (ctx, inverse)
    return inverse


def _is_value(value: Any) -> bool:
    return isinstance(value, dict) and "@value" in value


def compact_iri(ctx: ActiveContext, iri: str, value: Any, *, vocab: bool = True) -> str | None:
    """What compaction writes for `iri` (with `value`, an expanded value), or None to ask pyld."""
    if iri.startswith("@") or (isinstance(value, dict) and _UNMODELLED & set(value)):
        return None
    inverse = _build_inverse(ctx)
    if inverse is None:
        return None
    if vocab and iri in inverse:
        chosen = _select(ctx, inverse[iri], value)
        if chosen is _PYLD:
            return None
        if chosen is not None:
            return str(chosen)
    if vocab and ctx.vocab is not None:
        return None
    candidate: str | None = None
    for name, term in ctx.terms.items():
        if ":" in name or not term.iri or term.iri == iri or not iri.startswith(term.iri):
            continue
        curie = f"{name}:{iri[len(term.iri) :]}"
        other = ctx.terms.get(curie)
        usable = (term.prefix and other is None) or (
            value is None and other is not None and other.iri == iri
        )
        if usable and (candidate is None or (len(curie), curie) < (len(candidate), candidate)):
            candidate = curie
    if candidate is not None:
        return candidate
    for name, term in ctx.terms.items():
        if term.prefix and iri.startswith(name + ":"):
            return None  # "IRI confused with prefix": pyld raises it
    if not vocab:
        return None if not _ABSOLUTE_IRI.match(iri) else iri
    return iri


_PYLD = object()
_UNMODELLED = frozenset({"@index", "@list", "@graph", "@preserve"})


def _select(ctx: ActiveContext, containers_map: dict[str, _Entry], value: Any) -> object:
    # JSON-LD 1.1 "IRI Compaction" step 4 and "Term Selection", for plain values,
    # value objects and node objects.
    containers: list[str] = []
    type_or_language, preferred = "@language", "@null"
    if isinstance(value, dict) and not _is_value(value):
        containers.extend(["@id", "@id@set", "@type", "@set@type"])
    if _is_value(value):
        if "@direction" in value:
            return _PYLD
        if "@language" in value:
            containers.extend(["@language", "@language@set"])
            preferred = value["@language"]
        elif "@type" in value:
            type_or_language, preferred = "@type", value["@type"]
    else:
        type_or_language, preferred = "@type", "@id"
    containers.append("@set")
    containers.append("@none")
    if isinstance(value, dict):
        containers.extend(["@index", "@index@set"])
    if _is_value(value) and len(value) == 1:
        containers.extend(["@language", "@language@set"])
    prefs: list[str] = []
    if preferred in ("@id", "@reverse") and isinstance(value, dict) and "@id" in value:
        term = compact_iri(ctx, value["@id"], None, vocab=True)
        if term is None:
            return _PYLD
        known = ctx.terms.get(term)
        if known is not None and known.iri == value["@id"]:
            prefs.extend(["@vocab", "@id"])
        else:
            prefs.extend(["@id", "@vocab"])
    else:
        prefs.append(preferred)
    prefs.append("@none")
    for container in containers:
        entry = containers_map.get(container)
        if entry is None:
            continue
        choices = entry[type_or_language]
        for pref in prefs:
            if pref in choices:
                return choices[pref]
    return None
