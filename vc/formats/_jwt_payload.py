"""A VC-JWT's payload: the token split and parsed, and its registered claims mapped both ways.

When reading, the claims ``iss``/``sub``/``jti`` (and ``nbf``/``exp`` where they stand
for the credential's dates) are checked against the credential's members and, in the
VC 1.1 ``vc``-claim form, fill in the members missing; when signing, they are written
from the members.
"""

from __future__ import annotations

import binascii
import datetime as dt
from dataclasses import dataclass

from vc.errors import MalformedDocumentError
from vc.formats._jwt_algorithms import b64url_decode
from vc.jsontext import MAX_DOCUMENT_BYTES, parse_document
from vc.results import CheckResult
from vc.types import JSONObject, JSONValue

__all__ = [
    "DecodedJwt",
    "credential_from",
    "decode_jwt",
    "format_numeric_date",
    "id_of",
    "registered_claims",
]

_JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_OB3_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"})
_MAX_TOKEN_CHARS = 2 * MAX_DOCUMENT_BYTES


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
        header = parse_document(b64url_decode(parts[0]), max_bytes=4096)
        payload = parse_document(b64url_decode(parts[1]))
        b64url_decode(parts[2])
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


def id_of(value: JSONValue) -> str | None:
    """The id a member holds, as a string or as an object's ``id`` (None otherwise)."""
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


def format_numeric_date(seconds: int) -> str:
    """A NumericDate (seconds since the epoch) as a UTC time, ``YYYY-MM-DDThh:mm:ssZ``."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def credential_from(decoded: DecodedJwt) -> tuple[JSONObject, list[CheckResult]]:
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
            found = id_of(credential.get("issuer"))
        elif member == "id":
            found = id_of(credential.get("id"))
        else:
            found = id_of(first) if isinstance(first, dict) else None
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
            credential[member] = format_numeric_date(claimed)
        elif found is not None and _epoch(found) != claimed:
            mismatch(claim, member, format_numeric_date(claimed), found)
    return credential, checks


def registered_claims(credential: JSONObject) -> JSONObject:
    """The registered claims equal to the `credential` members they stand for, where present."""
    # OB 3.0, "JWT Payload Format": iss, jti, nbf, sub (and exp) beside the credential's
    # own members, equal to them; verifiers that follow OB 3.0 require them.
    claims: JSONObject = {}
    subject = credential.get("credentialSubject")
    first = subject[0] if isinstance(subject, list) and subject else subject
    pairs: list[tuple[str, JSONValue]] = [
        ("iss", id_of(credential.get("issuer"))),
        ("jti", id_of(credential.get("id"))),
        ("sub", id_of(first) if isinstance(first, dict) else None),
        ("nbf", _epoch(credential.get("validFrom") or credential.get("issuanceDate"))),
        ("exp", _epoch(credential.get("validUntil") or credential.get("expirationDate"))),
    ]
    for name, value in pairs:
        if value is not None:
            claims[name] = value
    return claims
