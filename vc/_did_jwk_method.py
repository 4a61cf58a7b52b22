"""did:jwk, resolved locally: the DID document a public JWK in the DID describes."""

from __future__ import annotations

import base64
import re

from vc._did_document import RELATIONSHIPS, DidDocument
from vc._did_syntax import DID_PATTERN
from vc.errors import DidResolutionError, LaurelError
from vc.keys import public_key_from_jwk
from vc.types import JSONObject

__all__ = ["did_jwk_document"]


def did_jwk_document(did: str) -> DidDocument:
    """The DID document of a did:jwk DID (did:jwk spec, "Read").

    The method-specific id is the base64url of a public JWK; its one verification
    method is ``#0``. A private JWK (``d``), a JWK that is not JSON, or a key type
    laurel cannot verify with is refused.

    Raises:
        DidResolutionError: ``invalidDid`` or ``invalidPublicKey``.
    """
    if DID_PATTERN.fullmatch(did) is None or not did.startswith("did:jwk:"):
        raise DidResolutionError(f"{did[:120]!r} is not a did:jwk DID", code="invalidDid")
    encoded = did.removeprefix("did:jwk:")
    if len(encoded) > 2048 or not re.fullmatch(r"[A-Za-z0-9_-]+", encoded):
        raise DidResolutionError("a did:jwk id is base64url without padding", code="invalidDid")
    from vc.jsontext import parse_document

    try:
        jwk = parse_document(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, LaurelError) as exc:
        raise DidResolutionError("a did:jwk id must encode a JSON JWK", code="invalidDid") from exc
    try:
        public_key_from_jwk(jwk)
    except ValueError as exc:
        raise DidResolutionError(f"did:jwk: {exc}", code="invalidPublicKey") from exc
    vm_id = f"{did}#0"
    method: JSONObject = {
        "id": vm_id,
        "type": "JsonWebKey2020",
        "controller": did,
        "publicKeyJwk": jwk,
    }
    # did:jwk, "Read": a key with `use: enc` only agrees keys; laurel's keys never do.
    if jwk.get("use") == "enc":
        relationships = ["keyAgreement"]
    else:
        relationships = [r for r in RELATIONSHIPS if r != "keyAgreement"]
    return DidDocument(
        {
            "@context": [
                "https://www.w3.org/ns/did/v1",
                "https://w3id.org/security/suites/jws-2020/v1",
            ],
            "id": did,
            "verificationMethod": [method],
            **{name: [vm_id] for name in relationships},
        }
    )
