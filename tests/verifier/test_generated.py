"""Generated hostile input through the whole verifier: a named verdict, never a crash.

Strategies in tests/strategies.py: edited signed badges, hostile proofs, VC-JWTs and
damaged baked images. Whatever comes in, `verify_bytes` returns a result whose every
failure is a named check (SECURITY.md §3 invariant), and only the untouched badge verifies.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import badge
from tests.strategies import attempt, baked_images, damaged, edited_documents, jwts, proofs
from vc.did import DidResolver
from vc.errors import LaurelError
from vc.results import GROUPS, Status, VerificationResult
from verifier import VerificationPolicy, verify_bytes
from verifier.sources import documents_in

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
POLICY = VerificationPolicy(now=NOW)
ORIGINAL = badge()
ORIGINAL_JCS = badge(suite="eddsa-jcs-2022")
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _named(result: VerificationResult) -> None:
    failed = [c for c in result.checks if c.status is Status.FAILED]
    for credential in result.credentials:
        failed += [c for c in credential.checks if c.status is Status.FAILED]
    assert result.verified or failed, "not verified, yet no failed check names why"
    for check in failed:
        assert check.id.split(".", 1)[0] in GROUPS
        assert check.message


def _verify(document: object) -> VerificationResult:
    return verify_bytes(json.dumps(document).encode(), POLICY, resolver=DidResolver())


@SLOW
@given(edited_documents(ORIGINAL))
def test_an_edited_rdfc_badge_verifies_only_when_unchanged(document: dict) -> None:
    result = _verify(document)
    _named(result)
    assert not result.verified or document == ORIGINAL


def test_an_empty_nested_context_is_an_edit_and_fails() -> None:
    # Found by the generated edits: `"@context": []` inside the issuer changes no quad,
    # so the RDFC signature holds; an edit nonetheless, refused by name.
    import copy

    document = copy.deepcopy(ORIGINAL)
    document["issuer"]["@context"] = []
    result = _verify(document)
    assert not result.verified
    assert result.check("proof.context").status.value == "failed"


@SLOW
@given(edited_documents(ORIGINAL_JCS))
def test_an_edited_jcs_badge_verifies_only_when_unchanged(document: dict) -> None:
    result = _verify(document)
    _named(result)
    assert not result.verified or document == ORIGINAL_JCS


@SLOW
@given(st.lists(proofs(), min_size=1, max_size=3))
def test_hostile_proofs_never_verify(found: list[dict]) -> None:
    document = dict(ORIGINAL)
    document["proof"] = found if len(found) > 1 else found[0]
    result = _verify(document)
    _named(result)
    assert not result.verified


@SLOW
@given(jwts())
def test_vc_jwts_are_refused_by_name(token: str) -> None:
    # Whatever the header asks for (alg none, HS256, jku, zip, crit), a JWT with a made-up
    # signature is never verified, and every failure is named.
    result = verify_bytes(token.encode(), POLICY, resolver=DidResolver())
    _named(result)
    assert not result.verified


@SLOW
@given(baked_images(), st.data())
def test_damaged_baked_images_give_their_text_or_a_named_refusal(
    baked: tuple[bytes, str], data: st.DataObject
) -> None:
    image, _text = baked
    broken = data.draw(damaged(image))
    found, error = attempt(lambda: documents_in(broken), LaurelError)
    if error is not None:
        assert error.message
    else:
        for _kind, payload in found:
            _named(verify_bytes(payload, POLICY, resolver=DidResolver()))


@pytest.mark.parametrize(
    ("where", "key"),
    [
        (("credentialSubject", "achievement", "criteria"), "type"),
        (("credentialSubject", "achievement"), "tag"),
    ],
)
def test_an_empty_list_added_to_an_rdfc_badge_is_refused(where: tuple[str, ...], key: str) -> None:
    # Found by the test above: RDF holds no empty list, so the signature stayed valid.
    document = copy.deepcopy(ORIGINAL)
    node = document
    for step in where:
        node = node[step]
    node[key] = []
    result = _verify(document)
    assert not result.verified
    assert "format.not_compacted" in [c.id for c in result.failures()]
