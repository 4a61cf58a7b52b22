"""R01-R04: RDF-preserving rewrites of RDFC-signed badges and presentations.

The signature covers the RDF dataset; the checks read JSON members. A rewrite that
keeps the dataset but moves a member where the checks do not look (its full IRI, a
value object, ``@included``...) must be refused, or verify with exactly the results of
the untouched document. Never may a revoked or expired badge verify.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tests.attacks.rewrites import REWRITES, rewrite, same_dataset, sites
from tests.builders import ISSUER, badge, presentation, sign, unsigned_badge
from tests.verifier.test_status import INDEX, LIST_URL, FakeHost, signed_list
from vc.did import DidResolver
from vc.results import Status, VerificationResult
from vc.status import status_entry
from verifier.policy import VerificationPolicy
from verifier.status import StatusChecker
from verifier.verify import verify

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
POLICY = VerificationPolicy(now=NOW)
VP_POLICY = VerificationPolicy(now=NOW, challenge="c-1234", domain="hiring.example")
CRED = "https://www.w3.org/2018/credentials#"
STATUS = "https://www.w3.org/ns/credentials/status#"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


def _revoked_badge() -> dict:
    unsigned = unsigned_badge()
    unsigned["credentialStatus"] = status_entry(
        list_url=LIST_URL, index=INDEX, purpose="revocation"
    )
    return sign(unsigned)


def _expired_badge() -> dict:
    return badge(valid_until="2026-03-01T00:00:00Z")


REVOKED = _revoked_badge()
EXPIRED = _expired_badge()
VALID = badge()
PRESENTED = presentation([badge()])


def _check(document: dict, policy: VerificationPolicy = POLICY) -> VerificationResult:
    host = FakeHost()
    host.lists[LIST_URL] = signed_list(set_bits={INDEX: 1})
    checker = StatusChecker(host, DidResolver())
    return verify(document, policy, status_checker=checker)


def _outcome(result: VerificationResult) -> list[tuple[str, Status]]:
    rows = [(c.id, c.status) for c in result.checks]
    for inner in result.credentials:
        rows.extend(_outcome(inner))
    return rows


def _failed(result: VerificationResult) -> set[str]:
    found = {c.id for c in result.failures()}
    for inner in result.credentials:
        found |= _failed(inner)
    return found


def test_the_untouched_documents_verify_as_expected():
    assert _failed(_check(REVOKED)) == {"status.revoked"}
    assert _failed(_check(EXPIRED)) == {"validity.expired"}
    assert _check(VALID).verified
    assert _check(PRESENTED, VP_POLICY).verified


def test_r01_revoked_badge_with_status_under_its_full_iri_is_refused_and_still_read():
    attacked = copy.deepcopy(REVOKED)
    attacked[CRED + "credentialStatus"] = attacked.pop("credentialStatus")
    assert same_dataset(attacked, REVOKED)
    result = _check(attacked)
    assert not result
    assert {"format.not_compacted", "status.revoked"} <= _failed(result)
    assert result.check("proof.signature").status is Status.PASSED


def test_r02_expired_badge_with_valid_until_as_a_typed_value_under_its_full_iri():
    attacked = copy.deepcopy(EXPIRED)
    attacked[CRED + "validUntil"] = {"@value": attacked.pop("validUntil"), "@type": XSD_DATETIME}
    assert same_dataset(attacked, EXPIRED)
    result = _check(attacked)
    assert not result
    assert {"format.not_compacted", "validity.expired"} <= _failed(result)


def test_r02_expired_badge_with_valid_until_as_a_value_object():
    attacked = copy.deepcopy(EXPIRED)
    attacked["validUntil"] = {"@value": attacked["validUntil"], "@type": XSD_DATETIME}
    assert same_dataset(attacked, EXPIRED)
    result = _check(attacked)
    assert {"format.not_compacted", "validity.expired"} <= _failed(result)


def test_r03_status_entry_written_with_iris_is_refused_never_a_warning():
    attacked = copy.deepcopy(REVOKED)
    entry = attacked["credentialStatus"]
    attacked["credentialStatus"] = {
        "id": entry["id"],
        "type": STATUS + "BitstringStatusListEntry",
        STATUS + "statusPurpose": entry["statusPurpose"],
        STATUS + "statusListIndex": entry["statusListIndex"],
        STATUS + "statusListCredential": {"@id": entry["statusListCredential"]},
    }
    assert same_dataset(attacked, REVOKED)
    result = _check(attacked)
    assert not result
    assert {"format.not_compacted", "status.revoked"} <= _failed(result)


@pytest.mark.parametrize(
    ("member", "how"),
    [
        ("credentialStatus", "included"),
        ("credentialStatus", "nest"),
        ("credentialStatus", "set_object"),
        ("type", "keyword_id_type"),
        ("id", "keyword_id_type"),
    ],
)
def test_r04_rewrites_that_hide_the_status_are_refused(member, how):
    site = next(s for s in sites(REVOKED) if s.path == () and s.key == member)
    attacked = rewrite(REVOKED, how, site)
    assert attacked is not None
    assert same_dataset(attacked, REVOKED)
    result = _check(attacked)
    assert not result
    assert "format.not_compacted" in _failed(result)


def test_r04_a_node_reference_as_an_object_is_read_the_same_or_refused():
    unsigned = unsigned_badge()
    unsigned["issuer"] = ISSUER.did
    plain = sign(unsigned)
    site = next(s for s in sites(plain) if s.path == () and s.key == "issuer")
    equivalent = rewrite(plain, "node_reference_object", site)
    assert equivalent is not None
    assert equivalent["issuer"] == {"id": ISSUER.did}
    assert same_dataset(equivalent, plain)
    result = _check(equivalent)
    # The compaction check accepts both forms; the issuer check reads both alike, and
    # the Open Badges schema wants a Profile object: refused, never read differently.
    assert "format.not_compacted" not in _failed(result)
    assert result.check("issuer.key_binding").status is Status.PASSED
    assert not result.verified or _outcome(result) == _outcome(_check(plain))


def test_r04_holder_of_a_presentation_under_its_full_iri_is_refused():
    attacked = copy.deepcopy(PRESENTED)
    attacked[CRED + "holder"] = {"@id": attacked.pop("holder")}
    result = _check(attacked, VP_POLICY)
    assert not result
    assert "format.not_compacted" in _failed(result)


@st.composite
def _rewritten(draw: st.DrawFn, document: dict) -> tuple[dict, dict]:
    current = document
    for _ in range(draw(st.integers(1, 3))):
        candidates = sites(current)
        if not candidates:
            break
        site = draw(st.sampled_from(candidates))
        kind = draw(st.sampled_from(REWRITES))
        changed = rewrite(current, kind, site)
        if changed is not None:
            current = changed
    return document, current


_BASES = {"revoked": REVOKED, "expired": EXPIRED, "valid": VALID}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(_BASES)).flatmap(lambda name: _rewritten(_BASES[name])))
def test_r04_every_rdf_preserving_rewrite_is_refused_or_verifies_identically(pair):
    original, attacked = pair
    assume(attacked != original)
    assert same_dataset(attacked, original)  # the signature still verifies
    expected = _check(original)
    result = _check(attacked)
    event("verified identically" if result.verified else "refused")
    if result.verified:
        assert _outcome(result) == _outcome(expected)
    if not expected.verified:
        assert not result.verified


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rewritten(PRESENTED))
def test_r04_rewrites_of_a_presentation_are_refused_or_verify_identically(pair):
    original, attacked = pair
    assume(attacked != original)
    assert same_dataset(attacked, original)
    result = _check(attacked, VP_POLICY)
    if result.verified:
        assert _outcome(result) == _outcome(_check(original, VP_POLICY))


def test_an_issuer_key_is_what_signed_the_fixtures():
    # The fixtures above are signed by the fixture issuer, not re-signed by an attacker.
    assert REVOKED["issuer"]["id"] == ISSUER.did


def test_r07_an_inline_context_aliasing_credential_status_is_refused():
    # An inline context may not redefine a protected term, but it may give one of its
    # IRIs a second, shorter name; compaction would then write that name, so the
    # document is "compacted" and a JSON reader misses the status. Inline contexts
    # are refused in secured documents (Data Integrity, "Context Validation").
    attacked = copy.deepcopy(REVOKED)
    attacked["@context"] = [
        *attacked["@context"],
        {"cs": {"@id": CRED + "credentialStatus", "@type": "@id"}},
    ]
    attacked["cs"] = attacked.pop("credentialStatus")
    assert same_dataset(attacked, REVOKED)
    result = _check(attacked)
    assert not result
    assert "proof.context" in _failed(result)
