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


def _written(term: Term) -> str:
    # An IRI or a literal as canonical N-Quads writes it (blank nodes are named later).
    return f"<{term[1]}>" if term[0] == IRI else _literal(term)


def canonical_nquads(quads: Iterable[Quad]) -> str | None:
    """The RDFC-1.0 canonical N-Quads of a default graph, or None if N-degree hashing is needed."""
    dataset = set(quads)
    # Each term is written once: a quad's line is made again for each blank node it
    # names (first-degree hashing) and once more in the output.
    text: dict[Term, str] = {}
    rows: list[tuple[Term, str, Term, str, str]] = []
    mentions: dict[Term, list[int]] = {}
    for s, p, o in dataset:
        row = len(rows)
        s_text = o_text = ""
        if s[0] == BLANK:
            mentions.setdefault(s, []).append(row)
        elif (s_text := text.get(s, "")) == "":
            s_text = text[s] = _written(s)
        if o[0] == BLANK:
            mentions.setdefault(o, []).append(row)  # twice when it is also the subject
        elif (o_text := text.get(o, "")) == "":
            o_text = text[o] = _written(o)
        if (p_text := text.get(p, "")) == "":
            p_text = text[p] = _written(p)
        rows.append((s, s_text, o, o_text, p_text))
    # RDFC-1.0 "Hash First Degree Quads": the node itself is _:a, any other _:z.
    by_hash: dict[str, Term] = {}
    for node, found in mentions.items():
        lines = []
        for row in found:
            s, s_text, o, o_text, p_text = rows[row]
            if not s_text:
                s_text = "_:a" if s == node else "_:z"
            if not o_text:
                o_text = "_:a" if o == node else "_:z"
            lines.append(f"{s_text} {p_text} {o_text} .\n")
        lines.sort()
        digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
        if digest in by_hash:
            return None  # two nodes alike at first degree: the full algorithm decides
        by_hash[digest] = node
    canonical = {node: f"_:c14n{i}" for i, (_, node) in enumerate(sorted(by_hash.items()))}
    return "".join(
        sorted(
            f"{s_text or canonical[s]} {p_text} {o_text or canonical[o]} .\n"
            for s, s_text, o, o_text, p_text in rows
        )
    )
