"""Compact JWS for the protocol JWTs of OpenID for Verifiable Credentials (joserfc underneath).

The signed request object of OID4VP, the OID4VCI proof of possession, an SD-JWT's
issuer-signed JWT and its Key Binding JWT are compact JWS (RFC 7515) with a JSON
payload. This module signs them with laurel's Ed25519 keys and verifies them with
an explicit list of algorithms: ``none``, MACs and anything not listed are refused.

    >>> from vc.keys import Ed25519KeyPair
    >>> key = Ed25519KeyPair.from_seed(bytes(32))
    >>> token = sign_jwt(key, {"nonce": "n-0S6"}, typ="kb+jwt")
    >>> verify_jwt(token, key.public_key, typ="kb+jwt").claims
    {'nonce': 'n-0S6'}
    >>> read_header(token)["alg"]
    'EdDSA'

Ed25519 is written ``EdDSA`` (RFC 8037), which every OpenID4VC implementation
reads; RFC 9864's fully specified ``Ed25519`` is accepted too.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, cast

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey
from joserfc.jws import JWSRegistry

from vc.errors import LaurelError, MalformedDocumentError
from vc.jsontext import parse_document
from vc.keys import EcdsaPublicKey, Ed25519KeyPair, Ed25519PublicKey, PublicKey
from vc.keys import public_key_from_jwk as keys_public_key_from_jwk
from vc.types import JSONObject, JSONValue

__all__ = [
    "ED25519_ALGORITHMS",
    "MAX_JWT_BYTES",
    "JwsError",
    "VerifiedJwt",
    "b64url_decode",
    "b64url_encode",
    "ed25519_jwk",
    "public_key_from_jwk",
    "read_claims",
    "read_header",
    "sign_jwt",
    "verify_jwt",
]

#: The names of Ed25519 signatures: RFC 8037's and RFC 9864's fully specified one.
ED25519_ALGORITHMS = ("EdDSA", "Ed25519")
#: A protocol JWT longer than this is refused before it is decoded.
MAX_JWT_BYTES = 256 * 1024


class JwsError(LaurelError):
    """A JWS is malformed, uses an algorithm not allowed here, or its signature fails.

    `code` is one of ``malformed``, ``alg_not_allowed``, ``key_mismatch``,
    ``signature_invalid`` or ``typ_mismatch``.
    """

    hint = "The JWT must be a compact JWS signed with the holder's or issuer's key."

    def __init__(self, message: str, *, code: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


class _Registry(JWSRegistry):
    # RFC 9864 deprecates the polymorphic "EdDSA" name; joserfc warns on each use,
    # but wallets and issuers still send it, so it stays allowed here, quietly.
    algorithms = dict(JWSRegistry.algorithms)  # noqa: RUF012 - joserfc's own class attribute
    # An x5c chain or an embedded jwk does not fit joserfc's 512-byte default.
    max_header_length = 8192
    max_payload_length = MAX_JWT_BYTES


_quiet = copy.copy(JWSRegistry.algorithms["EdDSA"])
_quiet.security_warning = None
_Registry.algorithms["EdDSA"] = _quiet


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515, "Base64url Encoding")."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url strictly.

    Raises:
        JwsError: ``malformed`` for padding, or characters outside the alphabet.
    """
    if not text.isascii() or "=" in text or len(text) % 4 == 1:
        raise JwsError("not unpadded base64url", code="malformed")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise JwsError("not unpadded base64url", code="malformed") from exc
    if b64url_encode(raw) != text:
        raise JwsError("base64url with non-zero trailing bits", code="malformed")
    return raw


def ed25519_jwk(public_key: Ed25519PublicKey) -> JSONObject:
    """The public JWK of an Ed25519 key (RFC 8037): ``{"kty": "OKP", "crv": "Ed25519", "x"}``."""
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(public_key.raw)}


def public_key_from_jwk(jwk: Mapping[str, JSONValue]) -> Ed25519PublicKey:
    """The Ed25519 key of a public OKP JWK: a canonical point of the prime-order subgroup.

    Read by :func:`vc.keys.public_key_from_jwk`, laurel's one reader of a JWK: a
    small-order, mixed-order or non-canonical ``x``, or one spelled other than in strict
    base64url, is refused, as a did:key's is (SECURITY.md C05/C06): libsodium verifies a
    signature by a mixed-order key.

    Raises:
        JwsError: ``malformed`` when it is not a public Ed25519 JWK.
    """
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise JwsError("the key is not an Ed25519 JWK (kty OKP, crv Ed25519)", code="malformed")
    try:
        key = keys_public_key_from_jwk(jwk)
    except ValueError as exc:
        raise JwsError(str(exc), code="malformed") from exc
    if not isinstance(key, Ed25519PublicKey):  # kty OKP, crv Ed25519 reads no other
        raise JwsError("the key is not an Ed25519 JWK", code="malformed")
    return key


def _parts(token: str) -> list[str]:
    if not isinstance(token, str):
        raise JwsError("a JWT is a string", code="malformed")
    if len(token) > MAX_JWT_BYTES:
        raise JwsError(f"the JWT is longer than {MAX_JWT_BYTES} bytes", code="malformed")
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise JwsError("not a compact JWS (three base64url parts)", code="malformed")
    return parts


def _json_part(part: str, what: str) -> JSONObject:
    try:
        return parse_document(b64url_decode(part))
    except MalformedDocumentError as exc:
        raise JwsError(
            f"the JWT {what} is not a JSON object: {exc.message}", code="malformed"
        ) from exc


def read_header(token: str) -> JSONObject:
    """The protected header of a compact JWS, NOT verified (to choose the key).

    Raises:
        JwsError: ``malformed``.
    """
    return _json_part(_parts(token)[0], "header")


def read_claims(token: str) -> JSONObject:
    """The payload of a compact JWS as a JSON object, NOT verified.

    Raises:
        JwsError: ``malformed``.
    """
    return _json_part(_parts(token)[1], "payload")


def sign_jwt(
    key: Ed25519KeyPair,
    claims: Mapping[str, JSONValue],
    *,
    typ: str,
    kid: str | None = None,
    header: Mapping[str, JSONValue] | None = None,
) -> str:
    """Sign `claims` as a compact JWS with `key` (``alg: EdDSA``), `typ` and `kid` in its header."""
    protected: dict[str, JSONValue] = {"alg": "EdDSA", "typ": typ}
    if kid is not None:
        protected["kid"] = kid
    protected.update(header or {})
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    private = OKPKey.import_key(
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url_encode(key.public_key.raw),
            "d": b64url_encode(key.export_seed_unencrypted()),
        }
    )
    return jws.serialize_compact(
        protected,
        payload,
        private,
        algorithms=["EdDSA"],
        registry=_Registry(algorithms=["EdDSA"], strict_check_header=False),
    )


@dataclass(frozen=True, slots=True)
class VerifiedJwt:
    """A JWS whose signature verified: its header and its claims."""

    header: JSONObject
    claims: JSONObject


def verify_jwt(
    token: str,
    key: PublicKey | Mapping[str, JSONValue],
    *,
    typ: str | None = None,
    algorithms: Collection[str] = ED25519_ALGORITHMS,
) -> VerifiedJwt:
    """Verify a compact JWS with `key` (an Ed25519 or EC key, or a public JWK) and return it.

    Only `algorithms` are accepted (``none`` never is); with `typ`, the header's
    ``typ`` must equal it (RFC 8725, "Use Explicit Typing").

    Raises:
        JwsError: with the code of the first thing wrong.
    """
    header = read_header(token)
    claims = read_claims(token)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg == "none" or alg not in algorithms:
        raise JwsError(
            f"the JWT's alg {alg!r} is not allowed here (allowed: {', '.join(algorithms)})",
            code="alg_not_allowed",
        )
    if typ is not None and header.get("typ") != typ:
        raise JwsError(
            f"the JWT's typ is {header.get('typ')!r}, expected {typ!r}", code="typ_mismatch"
        )
    # A DID's verification method may hold a P-256/P-384 key (vc.keys.EcdsaPublicKey).
    if isinstance(key, Ed25519PublicKey):
        jwk = ed25519_jwk(key)
    elif isinstance(key, EcdsaPublicKey):
        jwk = key.to_jwk()
    else:
        jwk = dict(key)
    if alg in ED25519_ALGORITHMS:
        public: OKPKey | ECKey = OKPKey.import_key(cast(Any, ed25519_jwk(public_key_from_jwk(jwk))))
    elif alg.startswith("ES") and jwk.get("kty") == "EC" and "d" not in jwk:
        try:
            public = ECKey.import_key(cast(Any, jwk))
        except (JoseError, ValueError, TypeError) as exc:
            raise JwsError("the EC JWK is not a valid public key", code="malformed") from exc
    else:
        raise JwsError(f"the key cannot verify {alg}", code="key_mismatch")
    try:
        jws.deserialize_compact(
            token,
            public,
            algorithms=[alg],
            registry=_Registry(algorithms=[alg], strict_check_header=False),
        )
    except JoseError as exc:
        raise JwsError(
            f"the JWT's signature does not verify ({exc.error})", code="signature_invalid"
        ) from exc
    except ValueError as exc:
        raise JwsError(f"the JWT cannot be verified: {exc}", code="malformed") from exc
    return VerifiedJwt(header, claims)
