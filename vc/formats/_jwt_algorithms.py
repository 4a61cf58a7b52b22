"""The JOSE algorithms a VC-JWT may use, and the strict EdDSA behind one of them.

EdDSA is verified by libsodium (strict RFC 8032, through :class:`vc.keys.Ed25519PublicKey`),
plugged into joserfc as its EdDSA backend; joserfc's own table (with ``none`` and HMAC)
is never consulted.
"""

from __future__ import annotations

import base64
from typing import Any

from joserfc._rfc7515.model import JWSAlgModel  # joserfc exports it only as a re-import
from joserfc.jws import JWSRegistry

from vc.jsontext import MAX_DOCUMENT_BYTES
from vc.keys import Ed25519KeyPair, Ed25519PublicKey

__all__ = ["Registry", "b64url_decode"]


class _StrictEdDSA(JWSAlgModel):
    """joserfc's EdDSA, verified and signed by libsodium (strict RFC 8032) instead of OpenSSL."""

    name = "EdDSA"
    description = "EdDSA (Ed25519) through libsodium"
    key_type = "OKP"
    recommended = True

    def sign(self, msg: bytes, key: Any) -> bytes:
        seed = b64url_decode(key.as_dict(private=True)["d"])
        return Ed25519KeyPair.from_seed(seed).sign(msg)

    def verify(self, msg: bytes, sig: bytes, key: Any) -> bool:
        raw = b64url_decode(key.as_dict()["x"])
        return len(raw) == 32 and Ed25519PublicKey(raw).verify(sig, msg)


class Registry(JWSRegistry):
    """The JWS algorithms a VC-JWT may use: EdDSA (libsodium), ES256, ES384 and RS256."""

    # Only what VC-JWT badges use; joserfc's own table (with `none` and HS*) is not consulted.
    algorithms: dict[str, Any] = {  # noqa: RUF012
        "EdDSA": _StrictEdDSA(),
        **{name: JWSRegistry.algorithms[name] for name in ("ES256", "ES384", "RS256")},
    }
    recommended: list[str] = []  # noqa: RUF012
    max_header_length = 4096
    max_payload_length = MAX_DOCUMENT_BYTES


def b64url_decode(value: str) -> bytes:
    """Decode unpadded base64url.

    Raises:
        ValueError: the value is not unpadded base64url.
    """
    if not value.isascii() or "=" in value:
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
