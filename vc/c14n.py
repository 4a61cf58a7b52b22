"""RDF Dataset Canonicalization (RDFC-1.0) of a default graph, when first-degree hashes decide.

RDFC-1.0 names each blank node by the hash of the quads it appears in ("Hash First
Degree Quads"); only blank nodes that share such a hash need the costly "Hash N-Degree
Quads". A credential's blank nodes (its criteria, results, alignments...) almost
always differ in content, so :func:`canonical_nquads` implements the first-degree
path exactly and answers None when two blank nodes share a hash: the caller then
runs the full algorithm (pyld's URDNA2015, with laurel's escaping).

Output is canonical N-Quads as RDF 1.2 defines them (the escaping of
:func:`vc.canon.escape_literal`), one line per distinct quad, in code point order.

    >>> from vc.c14n import canonical_nquads
    >>> print(canonical_nquads([(("B", "_:x"), ("I", "urn:p"), ("L", "v", "urn:t", ""))]), end="")
    _:c14n0 <urn:p> "v"^^<urn:t> .
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from vc.ldquads import BLANK, IRI, RDF_LANGSTRING, XSD_STRING, Quad, Term

__all__ = ["canonical_nquads"]


def _literal(term: Term) -> str:
    from vc.canon import escape_literal

    _, value, datatype, language = term
    text = f'"{escape_literal(value)}"'
    if datatype == RDF_LANGSTRING:
        return f"{text}@{language}" if language else text
    if datatype != XSD_STRING:
        return f"{text}^^<{datatype}>"
    return text


def _serialize(term: Term, names: dict[Term, str]) -> str:
    kind = term[0]
    if kind == IRI:
        return f"<{term[1]}>"
    if kind == BLANK:
        return names[term]
    return _literal(term)


def _line(quad: Quad, names: dict[Term, str]) -> str:
    s, p, o = quad
    return f"{_serialize(s, names)} {_serialize(p, names)} {_serialize(o, names)} .\n"


def canonical_nquads(quads: Iterable[Quad]) -> str | None:
    """The RDFC-1.0 canonical N-Quads of a default graph, or None if N-degree hashing is needed."""
    dataset = set(quads)
    mentions: dict[Term, list[Quad]] = {}
    for quad in dataset:
        for term in (quad[0], quad[2]):
            if term[0] == BLANK:
                mentions.setdefault(term, []).append(quad)
    # RDFC-1.0 "Hash First Degree Quads": the node itself is _:a, any other _:z.
    by_hash: dict[str, Term] = {}
    for node, found in mentions.items():
        names = {other: "_:z" for quad in found for other in (quad[0], quad[2])}
        names[node] = "_:a"
        lines = sorted(_line(quad, names) for quad in found)
        digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
        if digest in by_hash:
            return None  # two nodes alike at first degree: the full algorithm decides
        by_hash[digest] = node
    canonical = {node: f"_:c14n{i}" for i, (_, node) in enumerate(sorted(by_hash.items()))}
    return "".join(sorted(_line(quad, canonical) for quad in dataset))
