"""OB 2.0 signed badges: the JWS (RS256) checked with the key its issuer lists.

The JOSE header must be ``RS256`` with none of the headers that carry or point to a
key; the CryptographicKey ``verification.creator`` names must be owned by the issuer
and listed under its ``publicKey`` (``issuer.key_binding``). joserfc, behind
:func:`vc.formats.jwt.verify_compact`, is imported only when a signed badge is read.
"""

from __future__ import annotations

import base64

from vc.errors import MalformedDocumentError
from vc.formats._ob2_reader import _Reader, _Stop
from vc.jsontext import parse_document
from vc.results import CheckResult
from vc.types import JSONObject

__all__: list[str] = []


def _verify_signed(token: str, reader: _Reader) -> tuple[JSONObject, JSONObject, JSONObject]:
    """The assertion of a signed badge, with its BadgeClass and Issuer, after the key checks."""
    from vc.formats.jwt import verify_compact

    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise MalformedDocumentError("not a compact JWS", code="malformed")
        header = parse_document(
            base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)), max_bytes=4096
        )
        assertion = parse_document(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, MalformedDocumentError) as exc:
        raise _Stop(
            CheckResult.failed("format.ob2_malformed", "the signed badge is not a JWS of JSON")
        ) from exc
    if header.get("alg") != "RS256":
        raise _Stop(
            CheckResult.failed(
                "proof.unsupported_alg",
                f"alg {str(header.get('alg'))[:20]!r}: OB 2.0 signed badges use RS256 only",
            )
        )
    refused = [h for h in ("jku", "x5u", "x5c", "jwk", "crit", "zip") if h in header]
    if refused:
        raise _Stop(
            CheckResult.failed(
                "proof.unsupported_header",
                f"the JOSE header uses {', '.join(refused)}: the key is the issuer's publicKey only",
            )
        )
    verification = assertion.get("verification")
    creator = verification.get("creator") if isinstance(verification, dict) else None
    badge = reader.node(assertion.get("badge"), "BadgeClass", "issuer.unavailable")
    issuer = reader.node(badge.get("issuer"), "Issuer", "issuer.unavailable")
    listed = issuer.get("publicKey")
    listed_ids = [
        k.get("id") if isinstance(k, dict) else k
        for k in (listed if isinstance(listed, list) else [listed])
    ]
    if not isinstance(creator, str):
        creator = listed_ids[0] if len(listed_ids) == 1 and isinstance(listed_ids[0], str) else None
    if creator is None:
        raise _Stop(CheckResult.failed("issuer.key_resolution", "the signed badge names no key"))
    key = reader.get(creator, "signing key", "issuer.key_resolution")
    if key.get("owner") != issuer.get("id") or creator not in listed_ids:
        raise _Stop(
            CheckResult.failed(
                "issuer.key_binding",
                f"the key {creator[:120]} is not one the issuer lists under publicKey",
            )
        )
    pem = key.get("publicKeyPem")
    if not isinstance(pem, str):
        raise _Stop(CheckResult.failed("issuer.key_resolution", "the key has no publicKeyPem"))
    outcome = verify_compact(token, pem, "RS256")
    if outcome is not None:
        raise _Stop(outcome)
    return assertion, badge, issuer
