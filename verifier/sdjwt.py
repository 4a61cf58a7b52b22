"""Verify an SD-JWT VC presentation (``dc+sd-jwt`` with a Key Binding JWT) into the usual report.

The checks follow RFC 9901 "Verification and Processing" (the issuer-signed JWT,
the disclosures, the Key Binding JWT) and SD-JWT VC (draft-ietf-oauth-sd-jwt-vc,
"Verification and Processing": ``typ`` ``dc+sd-jwt``, ``vct``, ``exp``/``nbf``,
the issuer key). OID4VP 1.0, "IETF SD-JWT VC" / "Presentation Response": the
KB-JWT's ``nonce`` is the request's nonce and its ``aud`` the client identifier.

The issuer's key is found through its ``kid``: a DID URL of the DID in ``iss``,
listed under ``assertionMethod`` (SD-JWT VC allows other key-resolution methods than
its JWT VC Issuer Metadata; laurel's issuers are DIDs, and the DID resolver
already goes through the fetch guard). Results are named like the other formats':
``format.*``, ``proof.*``, ``issuer.*``, ``validity.*``, ``status.*``,
``presentation.*``, ``trust``.
"""

from __future__ import annotations

import datetime as dt

from vc.did import DidResolver
from vc.errors import LaurelError
from vc.jws import ED25519_ALGORITHMS, JwsError, verify_jwt
from vc.results import CheckResult, VerificationResult
from vc.sdjwt import SdJwt, SdJwtError, disclose, sd_hash
from vc.types import JSONObject, JSONValue
from verifier.check_context import CheckContext
from verifier.credential_checks import check_trust
from verifier.policy import VerificationPolicy

__all__ = ["KB_JWT_MAX_AGE", "SD_JWT_VC_TYPES", "verify_sd_jwt_vc"]

#: The ``typ`` of an SD-JWT VC's issuer-signed JWT (``vc+sd-jwt`` before draft 06).
SD_JWT_VC_TYPES = ("dc+sd-jwt", "vc+sd-jwt")
#: A Key Binding JWT issued longer ago than this is refused (RFC 9901: "iat ... within
#: an acceptable window"); the transaction's nonce already bounds replay.
KB_JWT_MAX_AGE = dt.timedelta(minutes=10)
_ISSUER_ALGORITHMS = (*ED25519_ALGORITHMS,)
_HOLDER_ALGORITHMS = (*ED25519_ALGORITHMS, "ES256", "ES384", "ES512")


def _instant(claims: JSONObject, name: str) -> dt.datetime | None:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def summarize_sd_jwt(claims: JSONObject) -> dict[str, JSONValue]:
    """The report's short description of a disclosed SD-JWT VC (the same keys as a VC's)."""
    name = claims.get("name")
    achievement = claims.get("achievement")
    achievement_name = achievement.get("name") if isinstance(achievement, dict) else None
    return {
        "type": claims.get("vct"),
        "issuer": {"id": claims.get("iss"), "name": None},
        "achievement": achievement_name if isinstance(achievement_name, str) else None,
        "name": name if isinstance(name, str) else None,
        "subject": claims.get("sub"),
        "validFrom": claims.get("nbf") or claims.get("iat"),
        "validUntil": claims.get("exp"),
        "format": "dc+sd-jwt",
    }


def verify_sd_jwt_vc(
    text: str,
    policy: VerificationPolicy,
    *,
    resolver: DidResolver,
    vct_values: tuple[str, ...] | None = None,
) -> VerificationResult:
    """Verify an SD-JWT VC presentation; `policy.challenge` is the nonce, `policy.domain` the audience.

    Every check runs and reports; nothing raises for bad input. The disclosed
    claims (never the undisclosed ones) are the summary.
    """
    try:
        sd_jwt = SdJwt.parse(text)
    except SdJwtError as exc:
        return VerificationResult(
            (CheckResult.failed("format.sd_jwt_malformed", exc.message, error=exc.code),)
        )
    checks: list[CheckResult] = []
    header, unverified = sd_jwt.header, sd_jwt.payload
    if header.get("typ") in SD_JWT_VC_TYPES:
        checks.append(CheckResult.passed("format.sd_jwt", "an SD-JWT VC (typ dc+sd-jwt)"))
    else:
        checks.append(
            CheckResult.failed(
                "format.sd_jwt_typ", f"the issuer JWT's typ is {header.get('typ')!r}, not dc+sd-jwt"
            )
        )
    verified_claims = _issuer_signature(sd_jwt, header, unverified, resolver, checks)
    claims: JSONObject = {}
    if verified_claims is not None:
        try:
            claims = disclose(verified_claims, sd_jwt.disclosures)
        except SdJwtError as exc:
            checks.append(CheckResult.failed(f"format.{exc.code}", exc.message))
        else:
            checks.append(
                CheckResult.passed(
                    "format.disclosures",
                    f"{len(sd_jwt.disclosures)} disclosure(s), each matching one signed digest",
                )
            )
    checks.extend(_type(claims if verified_claims is not None else unverified, vct_values))
    checks.append(_validity(verified_claims or {}, policy))
    if verified_claims is not None and "status" in verified_claims:
        # Token Status List is not read yet: an unknown status mechanism is never a silent pass.
        checks.append(
            CheckResult.failed(
                "status.unsupported",
                "the credential names a status list laurel cannot read (Token Status List)",
            )
        )
    checks.extend(_key_binding(sd_jwt, verified_claims, policy))
    checks.append(
        check_trust(
            {"issuer": verified_claims.get("iss")} if verified_claims else {},
            CheckContext(policy=policy, resolver=resolver, status=None, anchors=None),
        )
    )
    return VerificationResult(tuple(checks), summary=summarize_sd_jwt(claims))


def _issuer_signature(
    sd_jwt: SdJwt,
    header: JSONObject,
    unverified: JSONObject,
    resolver: DidResolver,
    checks: list[CheckResult],
) -> JSONObject | None:
    kid, iss = header.get("kid"), unverified.get("iss")
    if not isinstance(kid, str) or not isinstance(iss, str) or kid.split("#")[0] != iss:
        checks.append(
            CheckResult.failed(
                "issuer.key_unresolved",
                "the issuer JWT's kid must be a DID URL of the DID in iss",
            )
        )
        return None
    try:
        method, document = resolver.resolve_verification_method(kid)
    except LaurelError as exc:
        checks.append(CheckResult.failed("issuer.key_unresolved", exc.message, hint=exc.hint))
        return None
    if method.id not in document.relationship("assertionMethod"):
        checks.append(
            CheckResult.failed(
                "issuer.key_binding", "the issuer's key is not listed under assertionMethod"
            )
        )
        return None
    checks.append(CheckResult.passed("issuer.key_binding", "the key belongs to the issuer in iss"))
    try:
        verified = verify_jwt(sd_jwt.issuer_jwt, method.public_key, algorithms=_ISSUER_ALGORITHMS)
    except JwsError as exc:
        checks.append(CheckResult.failed(f"proof.{exc.code}", exc.message))
        return None
    checks.append(CheckResult.passed("proof.signature", "the issuer's signature is valid"))
    return verified.claims


def _type(claims: JSONObject, vct_values: tuple[str, ...] | None) -> list[CheckResult]:
    vct = claims.get("vct")
    if not isinstance(vct, str):
        return [CheckResult.failed("format.vct_missing", "an SD-JWT VC names its type in vct")]
    if vct_values is not None and vct not in vct_values:
        return [
            CheckResult.failed(
                "presentation.query_mismatch",
                f"the credential's vct {vct!r} is not one the request asked for",
            )
        ]
    return []


def _validity(claims: JSONObject, policy: VerificationPolicy) -> CheckResult:
    now = policy.now
    expires, not_before = _instant(claims, "exp"), _instant(claims, "nbf")
    if expires is not None and now >= expires:
        return CheckResult.failed("validity.expired", f"expired on {expires:%Y-%m-%d %H:%M} UTC")
    if not_before is not None and now + policy.clock_skew < not_before:
        return CheckResult.failed(
            "validity.not_yet_valid", f"not valid before {not_before:%Y-%m-%d %H:%M} UTC"
        )
    return CheckResult.passed("validity.period", "within its validity period")


def _key_binding(
    sd_jwt: SdJwt, claims: JSONObject | None, policy: VerificationPolicy
) -> list[CheckResult]:
    if sd_jwt.key_binding_jwt is None:
        return [
            CheckResult.failed(
                "presentation.key_binding_missing",
                "no Key Binding JWT: the presentation does not prove who presents it",
            )
        ]
    confirmation = (claims or {}).get("cnf")
    jwk = confirmation.get("jwk") if isinstance(confirmation, dict) else None
    if not isinstance(jwk, dict):
        return [
            CheckResult.failed(
                "presentation.key_binding_invalid",
                "the credential binds no holder key (cnf.jwk), so a Key Binding JWT proves nothing",
            )
        ]
    try:
        kb = verify_jwt(sd_jwt.key_binding_jwt, jwk, typ="kb+jwt", algorithms=_HOLDER_ALGORITHMS)
    except JwsError as exc:
        return [
            CheckResult.failed(
                "presentation.key_binding_invalid", f"the Key Binding JWT: {exc.message}"
            )
        ]
    results = [CheckResult.passed("presentation.key_binding", "signed by the holder's key (cnf)")]
    for claim, expected, name in (
        ("nonce", policy.challenge, "challenge"),
        ("aud", policy.domain, "domain"),
    ):
        actual = kb.claims.get(claim)
        if expected is None or actual != expected:
            results.append(
                CheckResult.failed(
                    f"presentation.{name}_mismatch",
                    f"the Key Binding JWT's {claim} is {str(actual)[:64]!r}, not the one requested",
                    error="INVALID_CHALLENGE_ERROR"
                    if name == "challenge"
                    else "INVALID_DOMAIN_ERROR",
                )
            )
        else:
            results.append(
                CheckResult.passed(f"presentation.{name}", f"the {claim} matches the request")
            )
    try:
        expected_hash = sd_hash(sd_jwt, str((claims or {}).get("_sd_alg", "sha-256")))
    except SdJwtError as exc:
        expected_hash = exc.code
    if kb.claims.get("sd_hash") != expected_hash:
        results.append(
            CheckResult.failed(
                "presentation.sd_hash_mismatch",
                "the Key Binding JWT was made for other disclosures (sd_hash)",
            )
        )
    else:
        results.append(CheckResult.passed("presentation.sd_hash", "it covers these disclosures"))
    issued = _instant(kb.claims, "iat")
    if issued is None or not (
        policy.now - KB_JWT_MAX_AGE <= issued <= policy.now + policy.clock_skew
    ):
        results.append(
            CheckResult.failed(
                "presentation.key_binding_stale",
                "the Key Binding JWT's iat is missing or outside the accepted window",
            )
        )
    return results
