"""vc.c14n against pyld's URDNA2015 (= RDFC-1.0) on datasets written as N-Quads."""

from __future__ import annotations

import pytest
from pyld import jsonld

from vc.c14n import canonical_nquads
from vc.ldquads import BLANK, IRI, LITERAL, XSD_STRING, Quad

P, Q = (IRI, "urn:p"), (IRI, "urn:q")


def _nquads(quads: list[Quad]) -> str:
    def term(t: tuple[str, ...]) -> str:
        if t[0] == IRI:
            return f"<{t[1]}>"
        if t[0] == BLANK:
            return t[1]
        return f'"{t[1]}"' + (f"^^<{t[2]}>" if t[2] != XSD_STRING else "")

    return "".join(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in quads)


def _pyld(quads: list[Quad]) -> str:
    return str(
        jsonld.normalize(
            _nquads(quads),
            {
                "algorithm": "URDNA2015",
                "inputFormat": "application/n-quads",
                "format": "application/n-quads",
            },
        )
    )


@pytest.mark.parametrize(
    "quads",
    [
        # A blank node that names itself: its quad counts twice in its first-degree hash.
        [((BLANK, "_:x"), P, (BLANK, "_:x")), ((BLANK, "_:x"), Q, (LITERAL, "a", XSD_STRING, ""))],
        [((BLANK, "_:x"), P, (BLANK, "_:y")), ((BLANK, "_:y"), Q, (LITERAL, "b", XSD_STRING, ""))],
        [
            ((IRI, "urn:s"), P, (BLANK, "_:x")),
            ((BLANK, "_:x"), P, (BLANK, "_:x")),
            ((BLANK, "_:x"), Q, (IRI, "urn:o")),
            ((BLANK, "_:y"), Q, (LITERAL, "1", "urn:int", "")),
        ],
    ],
    ids=["self-loop", "chain", "mixed"],
)
def test_first_degree_canonicalization_is_pylds(quads: list[Quad]) -> None:
    assert canonical_nquads(quads) == _pyld(quads)


@pytest.mark.parametrize("label", [f"v{i}" for i in range(8)])
def test_a_self_naming_blank_node_is_ordered_as_pyld_orders_it(label: str) -> None:
    # Which of _:x and _:y becomes _:c14n0 depends on _:x's hash, in which its
    # self-naming quad counts twice (once per component, as pyld counts it).
    quads: list[Quad] = [
        ((BLANK, "_:x"), P, (BLANK, "_:x")),
        ((BLANK, "_:x"), Q, (LITERAL, "a", XSD_STRING, "")),
        ((BLANK, "_:y"), Q, (LITERAL, label, XSD_STRING, "")),
    ]
    assert canonical_nquads(quads) == _pyld(quads)


def test_blank_nodes_alike_at_first_degree_go_to_the_full_algorithm() -> None:
    quads: list[Quad] = [((BLANK, "_:x"), P, (BLANK, "_:y")), ((BLANK, "_:y"), P, (BLANK, "_:x"))]
    assert canonical_nquads(quads) is None
