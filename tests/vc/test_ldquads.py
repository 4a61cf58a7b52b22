"""RDF canonicalization by walk (vc.ldquads + vc.c14n) against pyld's, byte for byte.

On every committed fixture (the document less its proofs, and each proof's
configuration as the eddsa-rdfc-2022 suite canonicalizes it) and on generated
documents, the walk either declines or gives exactly pyld's canonical N-Quads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from tests.conftest import VECTORS
from tests.vc.test_compaction import DOCUMENTS, _generated
from vc import canon
from vc.errors import LaurelError


def _reference(document: dict[str, Any]) -> str:
    fast, canon._rdfc_by_walk = canon._rdfc_by_walk, lambda _document: None
    try:
        return canon.rdfc(document)
    finally:
        canon._rdfc_by_walk = fast


def _walked(document: dict[str, Any]) -> str | None:
    try:
        return canon._rdfc_by_walk(document)
    except LaurelError:
        return None


def _inputs(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = [{k: v for k, v in document.items() if k != "proof"}]
    proofs = document.get("proof")
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(proof, dict) and "@context" in document:
            config = {k: v for k, v in proof.items() if k != "proofValue"}
            found.append({**config, "@context": document["@context"]})
    return found


def _agree(document: dict[str, Any]) -> bool | None:
    walked = _walked(document)
    if walked is None:
        return None
    try:
        reference = _reference(document)
    except LaurelError:
        return False  # the walk answered where the reference refuses
    return walked == reference


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(VECTORS)))
def test_walked_nquads_equal_pyld_on_every_fixture(path: Path) -> None:
    document = json.loads(path.read_text("utf-8"))
    for part in _inputs(document):
        assert _agree(part) is not False


def test_the_walk_canonicalizes_most_fixtures() -> None:
    parts = [p for path in DOCUMENTS for p in _inputs(json.loads(path.read_text("utf-8")))]
    walked = sum(_walked(part) is not None for part in parts)
    assert walked >= 0.5 * len(parts), (walked, len(parts))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_generated())
def test_walked_nquads_equal_pyld_on_generated_documents(document: dict[str, Any]) -> None:
    verdict = _agree(document)
    assume(verdict is not None)
    assert verdict
