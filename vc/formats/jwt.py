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
import binascii
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from joserfc import jws
from joserfc._rfc7515.model import JWSAlgModel  # joserfc exports it only as a re-import
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey
from joserfc.jws import JWSRegistry

from vc.did import DidResolver
from vc.errors import DidResolutionError, LaurelError, MalformedDocumentError
from vc.jsontext import MAX_DOCUMENT_BYTES, parse_document
from vc.keys import Ed25519KeyPair, Ed25519PublicKey, PublicKey, public_key_from_jwk
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
_JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_OB3_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"})
_MAX_TOKEN_CHARS = 2 * MAX_DOCUMENT_BYTES


class _StrictEdDSA(JWSAlgModel):
    """joserfc's EdDSA, verified and signed by libsodium (strict RFC 8032) instead of OpenSSL."""

    name = "EdDSA"
    description = "EdDSA (Ed25519) through libsodium"
    key_type = "OKP"
    recommended = True

    def sign(self, msg: bytes, key: Any) -> bytes:
        seed = _b64url_decode(key.as_dict(private=True)["d"])
        return Ed25519KeyPair.from_seed(seed).sign(msg)

    def verify(self, msg: bytes, sig: bytes, key: Any) -> bool:
        raw = _b64url_decode(key.as_dict()["x"])
        return len(raw) == 32 and Ed25519PublicKey(raw).verify(sig, msg)


class _Registry(JWSRegistry):
    # Only what VC-JWT badges use; joserfc's own table (with `none` and HS*) is not consulted.
    algorithms: dict[str, Any] = {  # noqa: RUF012
        "EdDSA": _StrictEdDSA(),
        **{name: JWSRegistry.algorithms[name] for name in ("ES256", "ES384", "RS256")},
    }
    recommended: list[str] = []  # noqa: RUF012
    max_header_length = 4096
    max_payload_length = MAX_DOCUMENT_BYTES


def _b64url_decode(value: str) -> bytes:
    if not value.isascii() or "=" in value:
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass(frozen=True, slots=True)
class DecodedJwt:
    """A compact JWS split and parsed, NOT verified."""

    header: JSONObject
    payload: JSONObject
    form: str  # "vc-jose-cose" or "vc-claim"


def decode_jwt(token: str | bytes) -> DecodedJwt:
    """Split and parse a VC-JWT without verifying it.

    Raises:
        MalformedDocumentError: ``jwt_malformed`` (not a compact JWS of JSON), ``jwe``
            (five parts: encrypted), or ``jwt_not_credential`` (no ``vc`` claim and
            no credential ``@context``/``type``).
    """
    text = token.decode("ascii", "replace") if isinstance(token, bytes) else token
    text = text.strip()
    if len(text) > _MAX_TOKEN_CHARS:
        raise MalformedDocumentError("the JWT is too large", code="jwt_malformed")
    parts = text.split(".")
    if len(parts) == 5:
        raise MalformedDocumentError(
            "this is an encrypted JWT (JWE); laurel verifies signed credentials only",
            code="jwe",
        )
    if len(parts) != 3 or not all(parts):
        raise MalformedDocumentError(
            "not a compact JWS (three base64url parts)", code="jwt_malformed"
        )
    try:
        header = parse_document(_b64url_decode(parts[0]), max_bytes=4096)
        payload = parse_document(_b64url_decode(parts[1]))
        _b64url_decode(parts[2])
    except (ValueError, binascii.Error, MalformedDocumentError) as exc:
        raise MalformedDocumentError(
            "a JWT part is not base64url-encoded JSON", code="jwt_malformed"
        ) from exc
    if isinstance(payload.get("vc"), dict):
        return DecodedJwt(header, payload, "vc-claim")
    types = payload.get("type")
    names = {types} if isinstance(types, str) else set(types) if isinstance(types, list) else set()
    if "@context" in payload and "VerifiableCredential" in names:
        return DecodedJwt(header, payload, "vc-jose-cose")
    if "badge" in payload and "recipient" in payload:
        raise MalformedDocumentError(
            "this is an Open Badges 2.0 signed assertion (a JWS), not a VC-JWT",
            code="ob2_signed_assertion",
        )
    raise MalformedDocumentError(
        "the JWT carries no credential (no `vc` claim, no VerifiableCredential type)",
        code="jwt_not_credential",
    )


def credential_of(token: str | bytes) -> JSONObject:
    """The credential a VC-JWT carries, as :func:`verify_jwt` reads it, NOT verified.

    For a VC 1.1 ``vc``-claim token, the members its registered claims stand for are
    filled in (VC DM 1.1, "JSON Web Token"). For display and storage only: nothing
    here says the token is genuine.

    Raises:
        MalformedDocumentError: as :func:`decode_jwt`.
    """
    credential, _ = _credential_from(decode_jwt(token))
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


def _id_of(value: JSONValue) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _epoch(stamp: JSONValue) -> int | None:
    if not isinstance(stamp, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return int(parsed.timestamp())


def _stamp(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _credential_from(decoded: DecodedJwt) -> tuple[JSONObject, list[CheckResult]]:
    """The credential the JWT carries, with its registered claims checked against it."""
    payload = decoded.payload
    vc1 = decoded.form == "vc-claim"
    # The registered JWT claims are the JWT's, not members of the credential (no
    # credential context defines them): the decoded credential leaves them out.
    credential: JSONObject = (
        dict(payload["vc"])  # type: ignore[arg-type]
        if vc1
        else {k: v for k, v in payload.items() if k not in _JWT_CLAIMS}
    )
    checks: list[CheckResult] = []
    subject = credential.get("credentialSubject")
    first = subject[0] if isinstance(subject, list) and subject else subject
    v1_dates = vc1 or ("validFrom" not in credential and "issuanceDate" in credential)
    valid_from, valid_until = (
        ("issuanceDate", "expirationDate") if v1_dates else ("validFrom", "validUntil")
    )
    types = credential.get("type")
    ob3 = bool(_OB3_TYPES & set(types if isinstance(types, list) else [types]))

    def mismatch(claim: str, member: str, claimed: JSONValue, found: JSONValue) -> None:
        checks.append(
            CheckResult.failed(
                "format.jwt_claim_mismatch",
                f"the JWT claim {claim!r} ({str(claimed)[:80]}) disagrees with the "
                f"credential's {member} ({str(found)[:80]})",
                claim=claim,
                member=member,
            )
        )

    for claim, member in (("iss", "issuer"), ("jti", "id"), ("sub", "credentialSubject.id")):
        if claim not in payload:
            continue
        claimed = payload[claim]
        found: JSONValue
        if member == "issuer":
            found = _id_of(credential.get("issuer"))
        elif member == "id":
            found = _id_of(credential.get("id"))
        else:
            found = _id_of(first) if isinstance(first, dict) else None
        if found is None and vc1 and isinstance(claimed, str):
            if member == "issuer":
                credential["issuer"] = claimed
            elif member == "id":
                credential["id"] = claimed
            elif isinstance(first, dict):
                filled = {**first, "id": claimed}
                credential["credentialSubject"] = (
                    [filled, *subject[1:]] if isinstance(subject, list) else filled
                )
        elif found != claimed:
            mismatch(claim, member, claimed, found)
    for claim, member in (("nbf", valid_from), ("exp", valid_until)):
        # VC-JOSE-COSE dropped VC 1.1's mapping of nbf/exp onto the credential's
        # dates (w3c/vc-jose-cose#205): there they bound the JWT alone, and are
        # checked against `now` (validity.jwt_*). Open Badges 3.0, "Verify a
        # Credential VC-JWT Signature", keeps the mapping for its credentials.
        if claim not in payload or not (vc1 or ob3):
            continue
        claimed = payload[claim]
        if not isinstance(claimed, int) or isinstance(claimed, bool) or claimed < 0:
            mismatch(claim, member, claimed, "a NumericDate")
            continue
        found = credential.get(member)
        if found is None and vc1:
            credential[member] = _stamp(claimed)
        elif found is not None and _epoch(found) != claimed:
            mismatch(claim, member, _stamp(claimed), found)
    return credential, checks


@dataclass(frozen=True, slots=True)
class _Key:
    alg: str
    jwk: JSONObject
    public: PublicKey | None  # None for RSA


def _key_from_jwk(jwk: Mapping[str, JSONValue]) -> _Key:
    if jwk.get("kty") == "RSA":
        if "d" in jwk:
            raise ValueError("the JWK holds a private key")
        n = jwk.get("n")
        if not isinstance(n, str) or len(_b64url_decode(n)) * 8 < 2048:
            raise ValueError("an RSA key must be at least 2048 bits")
        return _Key("RS256", {"kty": "RSA", "n": n, "e": jwk.get("e")}, None)
    public = public_key_from_jwk(jwk)
    return _key_from_public(public)


def _key_from_public(public: PublicKey) -> _Key:
    return _Key(public.jose_alg, public.to_jwk(), public)


def _joserfc_key(key: _Key) -> Any:
    jwk: dict[str, Any] = dict(key.jwk)
    if jwk["kty"] == "OKP":
        return OKPKey.import_key(jwk)
    if jwk["kty"] == "EC":
        return ECKey.import_key(jwk)
    return RSAKey.import_key(jwk)


def _same(a: _Key, b: _Key) -> bool:
    return a.jwk == b.jwk


class _Refusal(Exception):
    def __init__(self, check: CheckResult) -> None:
        super().__init__(check.message)
        self.check = check


def _issuer_keys(issuer: str | None, resolver: DidResolver) -> list[tuple[str, _Key]]:
    """The issuer's assertion keys, when the issuer is a DID laurel resolves."""
    if issuer is None or not issuer.startswith("did:"):
        return []
    try:
        document = resolver.resolve(issuer)
        keys = []
        for vm_id in document.assertion_method:
            keys.append((vm_id, _key_from_public(document.verification_method(vm_id).public_key)))
    except (DidResolutionError, ValueError) as exc:
        raise _Refusal(
            CheckResult.failed(
                "issuer.key_resolution", f"the issuer {issuer[:80]} does not resolve: {exc}"
            )
        ) from exc
    return keys


def _select_key(
    header: JSONObject,
    issuer: str | None,
    resolver: DidResolver,
    issuer_jwks: Sequence[Mapping[str, JSONValue]],
) -> _Key:
    """The issuer's key the token must be verified with (raises _Refusal with the check)."""
    header_key: _Key | None = None
    if "jwk" in header:
        jwk = header["jwk"]
        try:
            if not isinstance(jwk, dict):
                raise ValueError("not a JSON object")
            header_key = _key_from_jwk(jwk)
        except ValueError as exc:
            raise _Refusal(
                CheckResult.failed("proof.malformed", f"the header's jwk is unusable: {exc}")
            ) from exc
    kid = header.get("kid")
    profile = [(str(j.get("kid", "")), _key_from_jwk(j)) for j in issuer_jwks]
    candidates: list[tuple[str, _Key]]
    if isinstance(kid, str) and kid.startswith("did:"):
        try:
            method, document = resolver.resolve_verification_method(kid)
        except DidResolutionError as exc:
            raise _Refusal(
                CheckResult.failed(
                    "issuer.key_resolution", f"kid {kid[:120]} does not resolve: {exc}"
                )
            ) from exc
        if document.id != issuer or kid not in document.assertion_method:
            raise _Refusal(
                CheckResult.failed(
                    "issuer.key_binding",
                    f"the key {kid[:120]} is not an assertion key of the issuer {str(issuer)[:80]}",
                )
            )
        candidates = [(kid, _key_from_public(method.public_key))]
    elif isinstance(kid, str) and any(k == kid for k, _ in profile):
        candidates = [(k, key) for k, key in profile if k == kid]
    else:
        candidates = _issuer_keys(issuer, resolver) + profile
        if isinstance(kid, str) and not candidates:
            raise _Refusal(
                CheckResult.failed(
                    "issuer.key_resolution",
                    f"kid {kid[:120]} is neither a DID URL nor a key of the issuer profile; "
                    "laurel does not fetch keys a token names",
                )
            )
    if header_key is not None:
        # SECURITY J02: a key in the header proves nothing unless it is the issuer's.
        if any(_same(header_key, key) for _, key in candidates):
            return header_key
        raise _Refusal(
            CheckResult.failed(
                "issuer.key_binding",
                f"the header's jwk is not a key of the issuer {str(issuer)[:80]}",
            )
        )
    if len(candidates) != 1:
        raise _Refusal(
            CheckResult.failed(
                "issuer.key_resolution",
                "the JWT names no key (kid/jwk) and the issuer does not have exactly one",
            )
        )
    return candidates[0][1]


def _header_checks(header: JSONObject) -> CheckResult | None:
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg.upper().startswith("HS"):
        return CheckResult.failed(
            "proof.unsupported_alg",
            f"alg {str(alg)[:20]!r} is refused: a credential must be signed with a public key",
        )
    if alg not in _Registry.algorithms:
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
    credential, checks = _credential_from(decoded)
    checks.insert(0, CheckResult.passed("format.jwt", f"a VC-JWT ({decoded.form} form)"))
    refused = _header_checks(header)
    if refused is not None:
        return JwtResult((*checks, refused), credential, header, decoded.form)
    try:
        key = _select_key(header, _id_of(credential.get("issuer")), resolver, issuer_jwks)
    except _Refusal as refusal:
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
            text, _joserfc_key(key), algorithms=[key.alg], registry=_Registry(algorithms=[key.alg])
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
        out.append(CheckResult.failed("validity.jwt_expired", f"the JWT expired on {_stamp(exp)}"))
    if isinstance(nbf, int) and now.timestamp() < nbf:
        out.append(
            CheckResult.failed("validity.jwt_not_yet_valid", f"the JWT is valid from {_stamp(nbf)}")
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


def _registered_claims(credential: JSONObject) -> JSONObject:
    # OB 3.0, "JWT Payload Format": iss, jti, nbf, sub (and exp) beside the credential's
    # own members, equal to them; verifiers that follow OB 3.0 require them.
    claims: JSONObject = {}
    subject = credential.get("credentialSubject")
    first = subject[0] if isinstance(subject, list) and subject else subject
    pairs: list[tuple[str, JSONValue]] = [
        ("iss", _id_of(credential.get("issuer"))),
        ("jti", _id_of(credential.get("id"))),
        ("sub", _id_of(first) if isinstance(first, dict) else None),
        ("nbf", _epoch(credential.get("validFrom") or credential.get("issuanceDate"))),
        ("exp", _epoch(credential.get("validUntil") or credential.get("expirationDate"))),
    ]
    for name, value in pairs:
        if value is not None:
            claims[name] = value
    return claims


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

    payload = jcs({**credential, **_registered_claims(credential)})
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
    return jws.serialize_compact(header, payload, private, registry=_Registry(algorithms=["EdDSA"]))


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
        and len(_b64url_decode(str(key.as_dict()["n"]))) * 8 < 2048
    ):
        return CheckResult.failed("proof.malformed", "an RSA key must be at least 2048 bits")
    try:
        jws.deserialize_compact(token, key, algorithms=[alg], registry=_Registry(algorithms=[alg]))
    except JoseError as exc:
        return CheckResult.failed(
            "proof.signature_invalid",
            f"the signature does not verify with the issuer's key ({exc.error})",
        )
    return None
