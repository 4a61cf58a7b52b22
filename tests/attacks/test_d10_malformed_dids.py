"""D10: malformed DIDs get the DID Resolution error names, no traceback."""

from __future__ import annotations

import pytest

from tests.attacks.conftest import check, failed, verify_document
from tests.builders import badge
from vc.did import DidResolver
from vc.errors import DidResolutionError

# (DID, the resolver's error, the check of a badge issued by it, the error that check names)
CASES = [
    ("did:key:zTjsVPtY", "invalidPublicKeyLength", "issuer.invalid_public_key", "invalidPublicKeyLength"),
    ("did:KEY:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "invalidDid", "issuer.invalid_did_url", "invalidDidUrl"),
    ("did:key:1:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "invalidDid", "issuer.invalid_did_url", "invalidDidUrl"),
    ("did:web:a.test%2F..%2Fadmin", "invalidDid", "issuer.did_invalid", "invalidDid"),
    ("did:web:bücher.example", "invalidDid", "issuer.invalid_did_url", "invalidDidUrl"),
    # An X25519 (0xec) key is for key agreement, never a signature.
    ("did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F", "invalidPublicKeyType", "issuer.invalid_public_key", "invalidPublicKeyType"),
]  # fmt: skip
IDS = [c[0].split(":")[1] + "-" + c[1] for c in CASES]


@pytest.mark.parametrize(("did", "code", "check_id", "error"), CASES, ids=IDS)
def test_d10_resolver_names_the_error(did: str, code: str, check_id: str, error: str) -> None:
    with pytest.raises(DidResolutionError) as caught:
        DidResolver().resolve(did)
    assert caught.value.code == code


@pytest.mark.parametrize(("did", "code", "check_id", "error"), CASES, ids=IDS)
def test_d10_as_an_issuer_fails_by_name(did: str, code: str, check_id: str, error: str) -> None:
    document = badge()
    document["issuer"]["id"] = did
    document["proof"]["verificationMethod"] = did + "#" + did.split(":")[-1]
    result = verify_document(document)
    assert failed(result) == [check_id]
    assert check(result, check_id).details["error"] == error
