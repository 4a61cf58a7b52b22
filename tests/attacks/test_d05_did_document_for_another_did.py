"""D05: VW whose host serves a did.json with `id: did:web:evil.test`.

did:web, "Read (Resolve)": "Verify that the ID of the resolved DID document matches the
Web DID". laurel names the failure `issuer.did_document_invalid` (SECURITY.md's row says
`did_document_id_mismatch`; the resolver's error is DID Resolution's invalidDidDocument).
"""

from __future__ import annotations

from tests.attacks.conftest import check, did_document, failed, serving, verify_document, web_badge


def test_d05_document_of_another_did_is_refused() -> None:
    forged = did_document("did:web:evil.test")
    result = verify_document(web_badge(), serving(forged))
    assert failed(result) == ["issuer.did_document_invalid"]
    assert "another DID" in check(result, "issuer.did_document_invalid").message
