"""A ``jwt_vc_json`` answer to an OID4VP request: a presentation signed as a JWT by its holder.

OID4VP 1.0, "VC signed as a JWT, not using JSON-LD", "Presentation Response": the
presentation's ``nonce`` claim MUST be the request's ``nonce`` and its ``aud`` claim
the Client Identifier ("Preventing Replay of Verifiable Presentations"). The
presentation is VC Data Model 1.1's JWT encoding ("JSON Web Token"), the one that
specification's ``jwt_vc_json`` examples use: ``iss`` is the holder, the presentation
sits in the ``vp`` claim, and its ``verifiableCredential`` holds VC-JWTs (compact
strings, or VC 2.0 ``EnvelopedVerifiableCredential`` objects).

The signature is checked with the key the header's ``kid`` names: a DID URL of the
holder in ``iss``, listed under ``authentication`` in the holder's DID document;
``alg`` must be one the key's type allows (never ``none``). Each credential then goes
through laurel's whole pipeline as an enveloped VC-JWT, and the holder must be the
subject of every one (as for a Data Integrity presentation). Never raises for bad input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vc.did import DidResolver
from vc.errors import LaurelError, MalformedDocumentError
from vc.formats.jwt import credential_of
from vc.jws import JwsError, read_claims, read_header, verify_jwt
from vc.results import CheckResult, VerificationResult
from vc.types import JSONObject, JSONValue
from verifier.check_context import CheckContext
from verifier.formats import enveloped_token
from verifier.policy import VerificationPolicy
from verifier.presentation_binding import check_presentation_binding
from verifier.status import StatusChecker

if TYPE_CHECKING:
    from anchor.check import ChainDirectory

__all__ = ["VP_JWT_ALGORITHMS", "presented_credentials", "verify_vp_jwt"]

#: The JWS algorithms a holder may sign a VP-JWT with (those laurel's keys verify).
VP_JWT_ALGORITHMS = ("EdDSA", "Ed25519", "ES256", "ES384")
#: ``typ`` values of a VC DM 1.1 VP-JWT ("JSON Web Token": ``typ``, if present, is ``JWT``).
_TYP = (None, "JWT", "jwt")
_CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
_MAX_CREDENTIALS = 20


def _fail(check_id: str, message: str) -> VerificationResult:
    return VerificationResult((CheckResult.failed(check_id, message),))


def _envelope(token: str) -> JSONObject:
    return {
        "@context": [_CREDENTIALS_V2],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }


def _tokens(vp: JSONObject) -> list[str] | CheckResult:
    embedded = vp.get("verifiableCredential")
    items: list[JSONValue] = embedded if isinstance(embedded, list) else [embedded]
    if embedded is None or not items:
        return CheckResult.failed(
            "format.vp_jwt_no_credential", "the presentation carries no credential"
        )
    if len(items) > _MAX_CREDENTIALS:
        return CheckResult.failed(
            "format.too_many_credentials",
            f"the presentation carries {len(items)} credentials (limit {_MAX_CREDENTIALS})",
        )
    tokens: list[str] = []
    for index, item in enumerate(items):
        token = item if isinstance(item, str) else None
        if isinstance(item, dict):
            token = enveloped_token(item)
        if token is None:
            return CheckResult.failed(
                "format.vp_jwt_credential",
                f"verifiableCredential[{index}] is not a VC-JWT (jwt_vc_json presents VC-JWTs)",
            )
        tokens.append(token)
    return tokens


def _holder_signature(
    token: str, header: JSONObject, holder: str, resolver: DidResolver
) -> tuple[list[CheckResult], JSONObject | None]:
    # The holder's own key, by kid, for authentication; the verified claims, or None.
    kid = header.get("kid")
    if not isinstance(kid, str) or kid.split("#", 1)[0] != holder:
        return [
            CheckResult.failed(
                "presentation.key_not_holder",
                "the presentation is not signed with a key of its holder (iss): its kid "
                f"{str(kid)[:80]!r} names another DID",
            )
        ], None
    try:
        method, document = resolver.resolve_verification_method(kid)
    except LaurelError as exc:
        return [
            CheckResult.failed("presentation.key_unresolved", f"the holder's key: {exc.message}")
        ], None
    if method.id not in document.relationship("authentication"):
        return [
            CheckResult.failed(
                "presentation.key_binding",
                "the holder's key is not listed under authentication in the holder's DID document",
            )
        ], None
    try:
        verified = verify_jwt(token, method.public_key, algorithms=VP_JWT_ALGORITHMS)
    except JwsError as exc:
        return [CheckResult.failed(f"presentation.{exc.code}", f"the VP-JWT: {exc.message}")], None
    return [
        CheckResult.passed("presentation.signature", "signed by the holder's key (kid, in iss)")
    ], verified.claims


def _opened(tokens: list[str]) -> list[JSONValue]:
    # Each credential as its checks read it (not verified here: its own checks say so).
    opened: list[JSONValue] = []
    for item in tokens:
        try:
            opened.append(credential_of(item))
        except MalformedDocumentError:
            opened.append(None)
    return opened


def presented_credentials(token: str) -> list[JSONValue]:
    """The credentials a VP-JWT carries, as their checks read them, NOT verified (none if unreadable)."""
    try:
        vp = read_claims(token).get("vp")
    except JwsError:
        return []
    tokens = _tokens(vp) if isinstance(vp, dict) else []
    return _opened(tokens) if isinstance(tokens, list) else []


def _audience(aud: JSONValue) -> JSONValue:
    # RFC 7519, "aud": one audience may be a string or an array of one string.
    return aud[0] if isinstance(aud, list) and len(aud) == 1 else aud


def verify_vp_jwt(
    token: str,
    policy: VerificationPolicy,
    *,
    resolver: DidResolver,
    status_checker: StatusChecker | None = None,
    anchors: ChainDirectory | None = None,
) -> VerificationResult:
    """Verify a VP-JWT answering a request (`policy.challenge` = nonce, `policy.domain` = client_id).

    The result's checks are the presentation's (format, holder signature, nonce,
    aud, holder = subject); ``credentials`` holds one full verification per VC-JWT.
    `anchors` is the chain directory passed on to each credential's verification.
    """
    from verifier.verify import verify

    try:
        header, claims = read_header(token), read_claims(token)
    except JwsError as exc:
        return _fail("format.vp_jwt_malformed", f"the presentation is not a JWT: {exc.message}")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in VP_JWT_ALGORITHMS:
        return _fail(
            "presentation.alg_not_allowed",
            f"the VP-JWT's alg {alg!r} is not allowed (allowed: {', '.join(VP_JWT_ALGORITHMS)})",
        )
    if header.get("typ") not in _TYP:
        return _fail(
            "format.vp_jwt_typ",
            f"the JWT's typ {str(header.get('typ'))[:40]!r} is not a presentation's",
        )
    vp, holder = claims.get("vp"), claims.get("iss")
    types = vp.get("type") if isinstance(vp, dict) else None
    if not isinstance(vp, dict) or "VerifiablePresentation" not in (
        types if isinstance(types, list) else [types]
    ):
        return _fail(
            "format.vp_jwt_no_presentation",
            "the JWT carries no presentation (a vp claim of type VerifiablePresentation)",
        )
    if not isinstance(holder, str):
        return _fail("format.vp_jwt_no_holder", "the VP-JWT names no holder (iss)")
    named = vp.get("holder")
    named_id = named.get("id") if isinstance(named, dict) else named
    if named is not None and named_id != holder:
        # VC DM 1.1, "JSON Web Token": iss stands for holder; both must say the same.
        return _fail("format.jwt_claim_mismatch", "the vp claim's holder is not iss")
    tokens = _tokens(vp)
    if isinstance(tokens, CheckResult):
        return VerificationResult((tokens,))
    checks = [CheckResult.passed("format.vp_jwt", "a presentation signed as a JWT (jwt_vc_json)")]
    signature, verified = _holder_signature(token, header, holder, resolver)
    checks.extend(signature)
    opened = _opened(tokens)
    # The nonce and aud are read from the verified claims only (and named as the
    # Data Integrity challenge and domain are).
    proofs: tuple[JSONObject, ...] = (
        ({"challenge": verified.get("nonce"), "domain": _audience(verified.get("aud"))},)
        if verified is not None
        else ()
    )
    ctx = CheckContext(policy=policy, resolver=resolver)
    checks.extend(
        check_presentation_binding({"holder": holder, "verifiableCredential": opened}, ctx, proofs)
    )
    if verified is not None:
        checks.extend(_lifetime(verified, policy))
    credentials = tuple(
        verify(
            _envelope(item),
            policy,
            resolver=resolver,
            status_checker=status_checker,
            anchors=anchors,
        )
        for item in tokens
    )
    summary: dict[str, JSONValue] = {"type": types, "holder": holder}
    return VerificationResult(tuple(checks), summary=summary, credentials=credentials)


def _lifetime(claims: JSONObject, policy: VerificationPolicy) -> list[CheckResult]:
    # RFC 7519 "exp"/"nbf" bound the presentation JWT itself.
    now = policy.now.timestamp()
    skew = policy.clock_skew.total_seconds()
    expires, not_before = claims.get("exp"), claims.get("nbf")
    if isinstance(expires, int | float) and now >= expires + skew:
        return [CheckResult.failed("presentation.expired", "the VP-JWT has expired (exp)")]
    if isinstance(not_before, int | float) and now + skew < not_before:
        return [
            CheckResult.failed("presentation.not_yet_valid", "the VP-JWT is not valid yet (nbf)")
        ]
    return []
