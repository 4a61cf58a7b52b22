"""D13: VW signed by key K1, which was later removed from did.json (rotation)."""

from __future__ import annotations

from tests.attacks.conftest import check, did_document, failed, serving, verify_document, web_badge
from tests.builders import party


def test_d13_key_not_found_says_it_may_have_rotated() -> None:
    rotated = did_document(keys={"key-2": party("web issuer k2")})
    result = verify_document(web_badge(), serving(rotated))
    assert failed(result) == ["issuer.key_not_found"]
    assert "rotated" in str(check(result, "issuer.key_not_found").details.get("hint"))
