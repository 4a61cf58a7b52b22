"""M15: the VC inside an EnvelopedVerifiableCredential whose data: URL is a bomb.

laurel reads no enveloped credentials (VC-JOSE-COSE) yet; the envelope is refused by
size before anything decodes it: format.too_large, alone or inside a presentation.
"""

from __future__ import annotations

import base64
import json

from tests.attacks.conftest import failed, verify_text


def _enveloped() -> dict:
    inner = b"{" + b" " * 600_000 + b"}"
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": "data:application/vc+ld+json;base64," + base64.b64encode(inner).decode(),
    }


def test_m15_enveloped_bomb_is_too_large() -> None:
    assert failed(verify_text(json.dumps(_enveloped()).encode())) == ["format.too_large"]


def test_m15_inside_a_presentation_too() -> None:
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [_enveloped()],
    }
    assert failed(verify_text(json.dumps(vp).encode())) == ["format.too_large"]
