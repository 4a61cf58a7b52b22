"""M03: context swap (w3c/vc-data-integrity#272): the N-Quads, so the signature, stay the same.

An issuer's badge carries an inline context defining two terms; the attacker swaps
their definitions and their values. The RDF dataset is unchanged, so `proof.signature`
passes, while the JSON a reader sees says the opposite. Only the context allowlist
(Data Integrity, "Context Validation") stops it: `proof.context` fails.
"""

from __future__ import annotations

import copy

from tests.attacks.conftest import check, failed, verify_document
from tests.builders import sign, unsigned_badge
from vc.results import Status

VOCAB = "https://example.org/vocab#"


def _signed_with_inline_context() -> dict:
    document = unsigned_badge()
    document["@context"] = [
        *document["@context"],
        {"gradeA": VOCAB + "grade", "gradeB": VOCAB + "level"},
    ]
    document["credentialSubject"]["gradeA"] = "proficient"
    document["credentialSubject"]["gradeB"] = "3"
    return sign(document)


def test_m03_swapped_contexts_keep_the_signature_but_fail_the_context_check() -> None:
    original = _signed_with_inline_context()
    swapped = copy.deepcopy(original)
    swapped["@context"][-1] = {"gradeA": VOCAB + "level", "gradeB": VOCAB + "grade"}
    subject = swapped["credentialSubject"]
    subject["gradeA"], subject["gradeB"] = "3", "proficient"
    result = verify_document(swapped)
    assert check(result, "proof.signature").status is Status.PASSED  # the point of the attack
    assert failed(result) == ["proof.context"]
    assert not result.verified


def test_m03_protected_terms_cannot_be_swapped_at_all() -> None:
    # The same swap on OB 3.0's own (protected) terms: pyld refuses the redefinition.
    document = sign(unsigned_badge())
    swapped = copy.deepcopy(document)
    swapped["@context"] = [
        *swapped["@context"],
        {"name": "https://schema.org/description", "description": "https://schema.org/name"},
    ]
    achievement = swapped["credentialSubject"]["achievement"]
    achievement["name"], achievement["description"] = (
        achievement["description"],
        achievement["name"],
    )
    assert failed(verify_document(swapped)) == [
        "format.jsonld",
        "proof.context",
        "proof.canonicalization_failed",
    ]
