"""D03: VW whose did.json lists the key only under authentication or keyAgreement."""

from __future__ import annotations

import pytest

from tests.attacks.conftest import (
    WEB_VM,
    check,
    did_document,
    failed,
    serving,
    verify_document,
    web_badge,
)


@pytest.mark.parametrize("relationship", ["authentication", "keyAgreement", "capabilityInvocation"])
def test_d03_relationship_not_authorized(relationship: str) -> None:
    document = did_document(assertion=[], **{relationship: [WEB_VM]})
    result = verify_document(web_badge(), serving(document))
    assert failed(result) == ["issuer.relationship_not_authorized"]
    assert "assertionMethod" in check(result, "issuer.relationship_not_authorized").message


def test_d03_control_the_same_key_under_assertion_method_verifies() -> None:
    assert verify_document(web_badge(), serving(did_document())).verified
