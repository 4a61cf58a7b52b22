"""The pipeline for the formats beside Data Integrity JSON: VC-JWT, Open Badges 2.0, refusals.

Each input goes through the same named checks as a Data Integrity credential (format,
proof, issuer, validity, status, anchor, schema, endorsement, trust), in the same
report. What differs is how the proof is checked and what the credential is read
from:

- a **VC-JWT** (Open Badges 3.0 "JSON Web Token Proof Format", VC-JOSE-COSE, or the
  VC 1.1 ``vc`` claim): the signature covers the JSON payload, so the checks read the
  credential the payload holds (:mod:`vc.formats.jwt`); an ``https://`` issuer's key
  is believed only from its own documents (:mod:`vc.controller_docs`);
- an **Open Badges 2.0** assertion, hosted or signed (:mod:`vc.formats.ob2`): the
  report says which hosts the verdict depends on;
- anything else laurel recognizes but cannot verify (an SD-JWT VC, a JWE, a
  BadgeClass, a PDF...) is refused by name, never as "not valid JSON".

Nothing a credential with a broken signature names is fetched (SECURITY.md D14):
its status lists and endorsements are skipped, as for Data Integrity.
"""

from __future__ import annotations

import base64
import binascii
import urllib.parse
from collections.abc import Callable

from vc.formats.detect import Detected
from vc.jsontext import parse_document
from vc.model import check_format
from vc.results import CheckResult, Status, VerificationResult
from vc.schema import check_credential_schema, check_schema
from vc.types import JSONObject, JSONValue
from verifier.check_context import NOT_FETCHED, CheckContext, issuer_id
from verifier.credential_checks import check_status, check_trust, check_validity
from verifier.recipient import check_subject_recipient
from verifier.summary import summarize

__all__ = [
    "JWT_MEDIA_TYPES",
    "EndorsementCheck",
    "enveloped_token",
    "ob2_from_url",
    "refuse",
    "schema_checks",
    "verify_jwt_credential",
    "verify_ob2_assertion",
]

#: ``data:`` URL media types an EnvelopedVerifiableCredential may carry a VC-JWT under.
JWT_MEDIA_TYPES = frozenset({"application/vc+jwt", "application/vc+ld+json+jwt", "application/jwt"})
#: Checks an endorsement pass adds for a verified credential (injected to avoid a cycle).
EndorsementCheck = Callable[[JSONObject, CheckContext, bool], list[CheckResult]]

#: Why laurel does not verify some inputs it recognizes, by detected kind.
_WHY_NOT = {
    "ob2-badge-class": "laurel verifies awarded badges (assertions)",
    "ob2-issuer": "laurel verifies awarded badges (assertions)",
    "ob2-key": "laurel verifies awarded badges (assertions)",
    "ob2-revocation-list": "laurel verifies awarded badges (assertions)",
    "did-document": "laurel verifies credentials and presentations",
    "ob1": "Open Badges 1.x is retired; ask the issuer for an Open Badges 2.0 or 3.0 badge",
}


def refuse(detected: Detected) -> VerificationResult:
    """An input laurel recognizes but does not verify: one named ``format.unsupported`` check."""
    why = _WHY_NOT.get(detected.kind, "laurel cannot read it")
    check = CheckResult.failed(
        "format.unsupported",
        f"this is {detected.description}: {why}",
        kind=detected.kind,
        hint="laurel verifies Open Badges 3.0 (Data Integrity or VC-JWT, VC 1.1 or 2.0), "
        "Open Badges 2.0 assertions (hosted or signed) and presentations of them.",
    )
    return VerificationResult((check,), unreadable=True)


def enveloped_token(node: JSONObject) -> str | None:
    """The VC-JWT an ``EnvelopedVerifiableCredential`` carries in its ``data:`` URL id, if any.

    VC 2.0, "Enveloped Verifiable Credentials": the id is a ``data:`` URL holding the
    secured credential; VC-JOSE-COSE names its media type ``application/vc+jwt``.
    """
    identifier = node.get("id")
    if not isinstance(identifier, str) or identifier[:5].lower() != "data:":
        return None
    header, comma, payload = identifier[5:].partition(",")
    if not comma:
        return None
    media, *params = header.split(";")
    if media.strip().lower() not in JWT_MEDIA_TYPES:
        return None
    if "base64" in (p.strip().lower() for p in params):
        try:
            return base64.b64decode(urllib.parse.unquote(payload), validate=True).decode("ascii")
        except (binascii.Error, ValueError):
            return None
    return urllib.parse.unquote(payload)


# --- VC-JWT ---------------------------------------------------------------------------------


def _jwt_keys(
    header: JSONObject, issuer: str | None, ctx: CheckContext
) -> list[JSONObject] | CheckResult:
    # Open Badges 3.0, "Verify a Credential": the key is dereferenced from `kid`, or
    # taken from `jwk`; either way only a key the issuer's own documents name is
    # believed (SECURITY.md J02). DID issuers' keys come from the DID resolver.
    if not isinstance(issuer, str) or not issuer.startswith("https://"):
        return []
    from vc.controller_docs import KeyDocumentError, issuer_profile_jwks, resolve_https_jwk
    from verifier.https_keys import KEY_DOCUMENT_REASONS

    if ctx.web is None or not ctx.web.online:
        return CheckResult.failed(
            "issuer.key_document_unavailable",
            f"the issuer {issuer[:80]} publishes its keys on the web, and network fetching is off",
        )
    kid = header.get("kid")
    try:
        if isinstance(kid, str) and kid.startswith("https://"):
            return [{**resolve_https_jwk(kid, issuer=issuer, fetch=ctx.web), "kid": kid}]
        return issuer_profile_jwks(issuer, fetch=ctx.web)
    except KeyDocumentError as exc:
        reason = KEY_DOCUMENT_REASONS.get(exc.reason, "key_document_unavailable")
        return CheckResult.failed(f"issuer.{reason}", exc.message)


def _network_allowed(checks: list[CheckResult]) -> bool:
    # The signature verified with a key of the issuer and the claims agree with the
    # credential: only then is anything the credential names fetched.
    signed = any(c.id == "proof.signature" and c.status is Status.PASSED for c in checks)
    broken = any(
        c.status is Status.FAILED and c.group in ("format", "proof", "issuer") for c in checks
    )
    return signed and not broken


def verify_jwt_credential(
    token: str, ctx: CheckContext, endorsements: EndorsementCheck | None = None
) -> VerificationResult:
    """Verify a VC-JWT through every check of the pipeline (never raises for bad input)."""
    from vc.errors import MalformedDocumentError
    from vc.formats.jwt import decode_jwt, verify_jwt

    try:
        decoded = decode_jwt(token)
    except MalformedDocumentError as exc:
        check = CheckResult.failed(f"format.{exc.code}", exc.message)
        return VerificationResult((check,), unreadable=exc.code == "jwt_malformed")
    payload = decoded.payload
    claimed = payload.get("vc") if decoded.form == "vc-claim" else payload
    issuer = issuer_id(claimed) if isinstance(claimed, dict) else None
    if issuer is None and isinstance(payload.get("iss"), str):
        issuer = str(payload["iss"])
    keys = _jwt_keys(decoded.header, issuer, ctx)
    if isinstance(keys, CheckResult):
        result_checks = [CheckResult.passed("format.jwt", f"a VC-JWT ({decoded.form} form)"), keys]
        credential: JSONObject | None = dict(claimed) if isinstance(claimed, dict) else None
    else:
        result = verify_jwt(token, resolver=ctx.resolver, now=ctx.policy.now, issuer_jwks=keys)
        result_checks = list(result.checks)
        credential = result.credential
        if _network_allowed(result_checks):
            result_checks.append(
                CheckResult.passed(
                    "issuer.key_binding", "the signing key is one the issuer's own documents name"
                )
            )
    if credential is None:
        return VerificationResult(tuple(result_checks))
    checks = [*check_format(credential, require_issuer=True, json_ld=False), *result_checks]
    network = _network_allowed(result_checks)
    checks.append(check_validity(credential, ctx))
    if network:
        checks.extend(check_status(credential, ctx))
    else:
        checks.append(CheckResult.skipped("status", NOT_FETCHED))
    checks.append(CheckResult.skipped("anchor", "a VC-JWT carries no anchor proof"))
    checks.extend(schema_checks(credential, ctx, network))
    if endorsements is not None:
        checks.extend(endorsements(credential, ctx, network))
    if ctx.policy.recipient is not None:
        checks.append(check_subject_recipient(credential, ctx.policy.recipient))
    checks.append(check_trust(credential, ctx))
    summary = summarize(credential, secured_as="vc-jwt")
    summary["jwtForm"] = decoded.form
    return VerificationResult(tuple(checks), summary=summary)


def schema_checks(credential: JSONObject, ctx: CheckContext, network: bool) -> list[CheckResult]:
    """The OB 3.0 schema of the credential's era and its ``credentialSchema`` entries.

    Open Badges 3.0, "Verification", step 1: each ``credentialSchema`` of type
    1EdTechJsonSchemaValidator2019 is checked (bundled when 1EdTech published it, else
    fetched through the guard, never for a credential whose signature failed).
    """
    fetch = ctx.web if network and ctx.web is not None and ctx.web.online else None
    judged = [j for c in check_schema(credential) if (j := _judge(credential, c)) is not None]
    return [*judged, *check_credential_schema(credential, fetch=fetch)]


#: Extensible enumerations of Open Badges 3.0 ("This enumeration can be extended").
_EXTENSIBLE = ("/achievementType", "/resultType")


def _at(document: JSONValue, pointer: str) -> JSONValue:
    node = document
    for part in pointer.split("/")[1:] if pointer else []:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def _judge(credential: JSONObject, check: CheckResult) -> CheckResult | None:
    """Judge one of laurel's own Open Badges schema findings by the specification's words.

    Issue #13's decisions (README, "Schema"): the Open Badges 3.0 JSON schema is
    stricter than its prose in two places real issuers meet. An image written as its
    URL: "These properties can typically be represented as just the id string of the
    image" (class Image). An issuer written as its URL: "Either a URI with the Unique
    URI for the Issuer/Profile file, or a Profile object MUST be supplied" (class
    ProfileRef); JSON-LD reads both forms as the same node. Those pass. An
    achievementType or resultType outside the vocabulary without the "ext:" prefix
    ("Extended terms MUST start with the prefix 'ext:'") is the issuer's
    non-conformance in a descriptive member, named as a warning: the specification's
    verification judges conformance by the schema a badge names in credentialSchema,
    which is checked on its own (schema.credential_schema) and stays a failure.
    """
    if check.status is not Status.FAILED:
        return check
    path = check.details.get("path")
    validator = check.details.get("validator")
    if not isinstance(path, str):
        return check
    value = _at(credential, path)
    if (
        validator == "type"
        and isinstance(value, str)
        and (path.endswith("/image") or path == "/issuer")
        and ":" in value
    ):
        return None
    if (
        validator in ("enum", "oneOf", "anyOf")
        and path.endswith(_EXTENSIBLE)
        and isinstance(value, str)
        and not value.startswith("ext:")
    ):
        return CheckResult.warning(
            check.id,
            f"{check.message}; an extension term must start with 'ext:' (Open Badges 3.0, "
            '"Extending Enumerated Vocabularies"): the issuer\'s term is shown as written',
            **dict(check.details),
        )
    return check


# --- Open Badges 2.0 ------------------------------------------------------------------------


def _ob2_summary(result: object) -> dict[str, JSONValue]:
    from vc.formats.ob2 import Ob2Result

    assert isinstance(result, Ob2Result)  # noqa: S101 (narrows for mypy)
    assertion = result.assertion or {}
    badge = result.badge_class or {}
    issuer = result.issuer or {}
    recipient = assertion.get("recipient")
    return {
        "type": assertion.get("type"),
        "issuer": {"id": issuer.get("id"), "name": issuer.get("name")},
        "achievement": badge.get("name") if isinstance(badge.get("name"), str) else None,
        "name": badge.get("name") if isinstance(badge.get("name"), str) else None,
        "subject": recipient.get("identity") if isinstance(recipient, dict) else None,
        "validFrom": assertion.get("issuedOn"),
        "validUntil": assertion.get("expires"),
        "dataModel": None,
        "format": f"ob2-{result.verification}",
        "hosts": list(result.hosts),
    }


def verify_ob2_assertion(data: JSONObject | str, ctx: CheckContext) -> VerificationResult:
    """Verify an Open Badges 2.0 assertion (JSON: hosted; a JWS: signed) through the pipeline.

    Its BadgeClass, Issuer, signing key and revocation list are read through the
    fetch guard; the report names the hosts the verdict depends on
    (``issuer.host_dependent``): an Open Badges 2.0 badge keeps verifying only as
    long as they answer.
    """
    from vc.formats.ob2 import verify_ob2

    fetch = ctx.web if ctx.web is not None and ctx.web.online else None
    result = verify_ob2(data, fetch=fetch, now=ctx.policy.now, recipient=ctx.policy.recipient)
    checks = list(result.checks)
    if result.hosts and result.verified:
        hosts = ", ".join(result.hosts[:4])
        checks.append(
            CheckResult.warning(
                "issuer.host_dependent",
                f"this Open Badges 2.0 badge verifies only while {hosts} "
                f"{'answers' if len(result.hosts) == 1 else 'answer'}: its issuer keeps "
                "its documents there",
                hosts=list(result.hosts),
            )
        )
    checks.append(CheckResult.skipped("anchor", "an Open Badges 2.0 badge carries no anchor proof"))
    checks.append(
        CheckResult.skipped(
            "schema", "Open Badges 2.0 assertions are not validated against a JSON schema"
        )
    )
    if result.issuer is not None:
        checks.append(check_trust({"issuer": result.issuer.get("id")}, ctx))
    return VerificationResult(tuple(checks), summary=_ob2_summary(result))


def ob2_from_url(url: str, ctx: CheckContext) -> VerificationResult:
    """Verify the Open Badges 2.0 hosted assertion at `url` (fetched through the guard)."""
    from vc.errors import LaurelError
    from vc.formats.detect import detect_document

    if ctx.web is None or not ctx.web.online:
        check = CheckResult.failed(
            "format.link_not_fetched", "a link is verified only with the network on"
        )
        return VerificationResult((check,), unreadable=True)
    try:
        document = parse_document(ctx.web(url), max_bytes=256 * 1024)
    except LaurelError as exc:
        check = CheckResult.failed(
            "proof.hosted_unavailable", f"the link {url[:120]} cannot be read: {exc.message}"
        )
        return VerificationResult((check,))
    detected = detect_document(document)
    if detected.kind != "ob2-hosted":
        return refuse(detected) if detected.kind.startswith("ob") else _not_ob2(detected)
    return verify_ob2_assertion(document, ctx)


def _not_ob2(detected: Detected) -> VerificationResult:
    check = CheckResult.failed(
        "format.unsupported",
        f"the link holds {detected.description}; laurel follows links to Open Badges 2.0 "
        "hosted assertions only (give other credentials as files)",
        kind=detected.kind,
    )
    return VerificationResult((check,), unreadable=True)
