"""VC-JWT: credentials secured as a compact JWS, read, verified and signed.

Two forms are met in Open Badges 3.0:

- the VC-JOSE-COSE form (OB 3.0 "JSON Web Token Proof Format"): the payload *is* the
  credential, ``typ`` is ``vc+jwt`` (or the older ``vc+ld+json+jwt``), the key is named
  by the header's ``kid`` or given in its ``jwk``;
- the VC Data Model 1.1 form: the credential sits in the ``vc`` claim, and ``iss``,
  ``sub``, ``nbf``, ``exp`` and ``jti`` stand for ``issuer``, ``credentialSubject.id``,
  ``issuanceDate``, ``expirationDate`` and ``id`` (VC DM 1.1, "JSON Web Token").

The identity claims ``iss``, ``sub`` and ``jti``, when present, are CHECKED against the
credential's members in both forms: a disagreement is ``format.jwt_claim_mismatch``,
naming the member (a reader of the claims would see another issuer than a reader of
the credential). In the ``vc`` form ``nbf``/``exp`` are checked against
``issuanceDate``/``expirationDate`` too, and a member missing from the ``vc`` claim is
filled in from its claim (VC DM 1.1's decoding rule), so the decoded credential is
exactly what the signature covers. In the VC-JOSE-COSE form ``nbf``/``exp`` bound the
JWT itself (VC-JOSE-COSE dropped the mapping, w3c/vc-jose-cose#205) and are checked
against `now`, except for Open Badges credentials: OB 3.0, "Verify a Credential VC-JWT
Signature", keeps ``nbf`` = ``validFrom`` and ``exp`` = ``validUntil``.

    >>> from vc.keys import Ed25519KeyPair
    >>> from vc.did import DidResolver, did_key_from_public_key
    >>> key = Ed25519KeyPair.from_seed(bytes(32))
    >>> did = did_key_from_public_key(key.public_key)
    >>> token = sign_jwt({"@context": ["https://www.w3.org/ns/credentials/v2"],
    ...                   "type": ["VerifiableCredential"], "issuer": did,
    ...                   "credentialSubject": {"id": "did:example:ana"}},
    ...                  key, f"{did}#{key.public_key.multibase}")
    >>> verify_jwt(token, resolver=DidResolver()).verified
    True

The algorithm comes from the key, never from the header alone: the header's ``alg``
must be the one the key's type allows (Ed25519 -> EdDSA, P-256 -> ES256, P-384 -> ES384,
RSA >= 2048 bits -> RS256). ``none``, HMAC, compression (``zip``), JWE, any ``crit``
and the URL-carrying headers ``jku``/``x5u``/``x5c`` are refused: laurel never fetches
a key named by the token itself. EdDSA is verified by libsodium (strict RFC 8032,
through :class:`vc.keys.Ed25519PublicKey`), plugged into joserfc as its EdDSA backend.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey

from vc.did import DidResolver
from vc.errors import LaurelError, MalformedDocumentError
from vc.formats._jwt_algorithms import Registry, b64url_decode
from vc.formats._jwt_keys import Refusal, joserfc_key, select_key
from vc.formats._jwt_payload import DecodedJwt as DecodedJwt  # public: decode_jwt's result
from vc.formats._jwt_payload import (
    credential_from,
    decode_jwt,
    format_numeric_date,
    id_of,
    registered_claims,
)
from vc.jsontext import MAX_DOCUMENT_BYTES
from vc.keys import Ed25519KeyPair
from vc.results import CheckResult, Status
from vc.types import JSONObject, JSONValue

__all__ = [
    "ACCEPTED_TYP",
    "JwtResult",
    "STATUS_LIST_TYPES",
    "credential_of",
    "decode_jwt",
    "sign_jwt",
    "verify_compact",
    "verify_jwt",
    "verify_status_list_jwt",
]

#: Media types a VC-JWT may declare in ``typ`` (absent is accepted too).
ACCEPTED_TYP = frozenset({"vc+jwt", "vc+ld+json+jwt", "JWT", "jwt"})
#: Status list credential types a VC-JWT status list may carry.
STATUS_LIST_TYPES = frozenset({"BitstringStatusListCredential", "StatusList2021Credential"})

_REFUSED_HEADERS = ("jku", "x5u", "x5c", "zip", "enc", "crit")


def credential_of(token: str | bytes) -> JSONObject:
    """The credential a VC-JWT carries, as :func:`verify_jwt` reads it, NOT verified.

    For a VC 1.1 ``vc``-claim token, the members its registered claims stand for are
    filled in (VC DM 1.1, "JSON Web Token"). For display and storage only: nothing
    here says the token is genuine.

    Raises:
        MalformedDocumentError: as :func:`decode_jwt`.
    """
    credential, _ = credential_from(decode_jwt(token))
    return credential


@dataclass(frozen=True, slots=True)
class JwtResult:
    """The checks of one VC-JWT and the credential it carries (None when unreadable)."""

    checks: tuple[CheckResult, ...]
    credential: JSONObject | None = None
    header: JSONObject = field(default_factory=dict)
    form: str = ""

    @property
    def verified(self) -> bool:
        """True when some check ran and none failed."""
        return bool(self.checks) and all(c.status is not Status.FAILED for c in self.checks)

    def failures(self) -> tuple[str, ...]:
        """The ids of the failed checks."""
        return tuple(c.id for c in self.checks if c.status is Status.FAILED)


def _header_checks(header: JSONObject) -> CheckResult | None:
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg.upper().startswith("HS"):
        return CheckResult.failed(
            "proof.unsupported_alg",
            f"alg {str(alg)[:20]!r} is refused: a credential must be signed with a public key",
        )
    if alg not in Registry.algorithms:
        return CheckResult.failed(
            "proof.unsupported_alg",
            f"alg {alg[:20]!r} is not supported (EdDSA, ES256, ES384, RS256)",
        )
    refused = [name for name in _REFUSED_HEADERS if name in header]
    if refused:
        return CheckResult.failed(
            "proof.unsupported_header",
            f"the JOSE header uses {', '.join(refused)}: refused (laurel never fetches a key "
            "a token names, and takes no critical extensions or compression)",
            headers=list(refused),
        )
    typ = header.get("typ")
    if typ is not None and typ not in ACCEPTED_TYP:
        return CheckResult.failed(
            "proof.unsupported_header", f"typ {str(typ)[:40]!r} is not a VC-JWT media type"
        )
    return None


def verify_jwt(
    token: str | bytes,
    *,
    resolver: DidResolver,
    now: dt.datetime | None = None,
    issuer_jwks: Sequence[Mapping[str, JSONValue]] = (),
) -> JwtResult:
    """Verify a VC-JWT: its header, its signature by the issuer's key, its claims.

    `issuer_jwks` are public JWKs from the issuer's profile (for issuers that are not
    DIDs), already fetched by the caller; laurel never follows ``jku``/``x5u``/``kid``
    URLs. With `now`, ``exp`` in the past and ``nbf`` in the future fail
    (``validity.jwt_expired``, ``validity.jwt_not_yet_valid``). Never raises for bad input.
    """
    try:
        decoded = decode_jwt(token)
    except MalformedDocumentError as exc:
        return JwtResult((CheckResult.failed(f"format.{exc.code}", exc.message),))
    header = decoded.header
    credential, checks = credential_from(decoded)
    checks.insert(0, CheckResult.passed("format.jwt", f"a VC-JWT ({decoded.form} form)"))
    refused = _header_checks(header)
    if refused is not None:
        return JwtResult((*checks, refused), credential, header, decoded.form)
    try:
        key = select_key(header, id_of(credential.get("issuer")), resolver, issuer_jwks)
    except Refusal as refusal:
        return JwtResult((*checks, refusal.check), credential, header, decoded.form)
    except ValueError as exc:
        check = CheckResult.failed("proof.malformed", f"an issuer key is unusable: {exc}")
        return JwtResult((*checks, check), credential, header, decoded.form)
    if header["alg"] != key.alg:
        checks.append(
            CheckResult.failed(
                "proof.unsupported_alg",
                f"alg {str(header['alg'])[:20]!r} does not match the issuer's key ({key.alg})",
            )
        )
        return JwtResult(tuple(checks), credential, header, decoded.form)
    text = token.decode("ascii", "replace").strip() if isinstance(token, bytes) else token.strip()
    try:
        jws.deserialize_compact(
            text, joserfc_key(key), algorithms=[key.alg], registry=Registry(algorithms=[key.alg])
        )
    except JoseError as exc:
        checks.append(
            CheckResult.failed(
                "proof.signature_invalid",
                f"the JWT signature does not verify with the issuer's key ({exc.error})",
            )
        )
        return JwtResult(tuple(checks), credential, header, decoded.form)
    checks.append(CheckResult.passed("proof.signature", f"{key.alg} signature by the issuer's key"))
    if now is not None:
        checks.extend(_time_checks(decoded.payload, now))
    return JwtResult(tuple(checks), credential, header, decoded.form)


def _time_checks(payload: JSONObject, now: dt.datetime) -> list[CheckResult]:
    out: list[CheckResult] = []
    exp, nbf = payload.get("exp"), payload.get("nbf")
    if isinstance(exp, int) and now.timestamp() >= exp:
        out.append(
            CheckResult.failed(
                "validity.jwt_expired", f"the JWT expired on {format_numeric_date(exp)}"
            )
        )
    if isinstance(nbf, int) and now.timestamp() < nbf:
        out.append(
            CheckResult.failed(
                "validity.jwt_not_yet_valid", f"the JWT is valid from {format_numeric_date(nbf)}"
            )
        )
    return out


def verify_status_list_jwt(
    token: str | bytes, *, resolver: DidResolver, now: dt.datetime | None = None
) -> JwtResult:
    """Verify a status list credential published as a VC-JWT (openbadgeslib publishes only those).

    Adds ``status.list_type`` (failed unless the credential is a Bitstring or
    StatusList2021 list credential) to the checks of :func:`verify_jwt`.
    """
    result = verify_jwt(token, resolver=resolver, now=now)
    if result.credential is None:
        return result
    types = result.credential.get("type")
    names = {types} if isinstance(types, str) else set(types) if isinstance(types, list) else set()
    if names & STATUS_LIST_TYPES:
        check = CheckResult.passed("status.list_type", "a status list credential")
    else:
        check = CheckResult.failed(
            "status.list_type", "the JWT at the status list URL does not carry a status list"
        )
    return JwtResult((*result.checks, check), result.credential, result.header, result.form)


def sign_jwt(credential: JSONObject, key: Ed25519KeyPair, kid: str, *, typ: str = "vc+jwt") -> str:
    """Sign `credential` as a VC-JOSE-COSE VC-JWT (payload = the credential), EdDSA.

    The payload also carries OB 3.0's registered claims (``iss``, ``jti``, ``sub``,
    ``nbf``, ``exp``), each equal to the credential member it stands for.

    Raises:
        ValueError: `typ` is not a VC-JWT media type.
        LaurelError: the credential is too large to sign.
    """
    if typ not in ACCEPTED_TYP:
        raise ValueError(f"typ {typ!r} is not a VC-JWT media type")
    from vc.canon import jcs

    payload = jcs({**credential, **registered_claims(credential)})
    if len(payload) > MAX_DOCUMENT_BYTES:
        raise LaurelError("the credential is too large to sign as a JWT")
    seed = key.export_seed_unencrypted()
    private = OKPKey.import_key(
        {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": str(key.public_key.to_jwk()["x"]),
            "d": base64.urlsafe_b64encode(seed).rstrip(b"=").decode("ascii"),
        }
    )
    header: dict[str, Any] = {"alg": "EdDSA", "typ": typ, "kid": kid}
    return jws.serialize_compact(header, payload, private, registry=Registry(algorithms=["EdDSA"]))


def verify_compact(token: str, public_key_pem: str, alg: str) -> CheckResult | None:
    """Check a compact JWS's signature with a PEM public key and one fixed `alg`.

    Returns None when valid, else the failed check (``proof.signature_invalid``,
    ``proof.malformed`` for an unusable key). Used for OB 2.0 signed badges (RS256).
    """
    try:
        key = (
            RSAKey.import_key(public_key_pem)
            if alg.startswith("RS")
            else ECKey.import_key(public_key_pem)
        )
    except (JoseError, ValueError, TypeError) as exc:
        return CheckResult.failed("proof.malformed", f"the public key is unusable: {exc}")
    if (
        isinstance(key, RSAKey)
        and key.as_dict().get("n")
        and len(b64url_decode(str(key.as_dict()["n"]))) * 8 < 2048
    ):
        return CheckResult.failed("proof.malformed", "an RSA key must be at least 2048 bits")
    try:
        jws.deserialize_compact(token, key, algorithms=[alg], registry=Registry(algorithms=[alg]))
    except JoseError as exc:
        return CheckResult.failed(
            "proof.signature_invalid",
            f"the signature does not verify with the issuer's key ({exc.error})",
        )
    return None
