"""The verification pipeline: detect the input kind, run every check, collect the result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from vc.did import DidResolver
from vc.errors import MalformedDocumentError
from vc.formats.detect import Detected, detect, detect_document
from vc.formats.ob2_contexts import OB2_CONTEXTS
from vc.jsontext import parse_document
from vc.model import DocumentForm, check_format, document_kind, inspect_form
from vc.results import CheckResult, VerificationResult
from vc.types import JSONObject, JSONValue
from verifier.anchor_checks import check_anchor
from verifier.budget import network_budget
from verifier.check_context import NOT_FETCHED, CheckContext, issuer_id
from verifier.context_checks import check_contexts
from verifier.credential_checks import check_status, check_trust, check_validity
from verifier.endorsements import check_endorsements
from verifier.formats import (
    enveloped_token,
    ob2_from_url,
    refuse,
    schema_checks,
    verify_jwt_credential,
    verify_ob2_assertion,
)
from verifier.networked import networked_resolver, networked_status_checker
from verifier.policy import VerificationPolicy
from verifier.presentation_binding import check_presentation_binding
from verifier.proof_checks import verify_proofs
from verifier.recipient import check_subject_recipient
from verifier.status import StatusChecker
from verifier.summary import summarize
from verifier.web import WebReader

if TYPE_CHECKING:
    from anchor.check import ChainDirectory

__all__ = [
    "MAX_PRESENTED_CREDENTIALS",
    "networked_resolver",
    "presented_documents",
    "networked_status_checker",
    "summarize",
    "verify",
    "verify_bytes",
]

#: A presentation carrying more credentials is refused before any canonicalization.
MAX_PRESENTED_CREDENTIALS = 20


def verify_bytes(
    data: bytes,
    policy: VerificationPolicy,
    *,
    resolver: DidResolver | None = None,
    status_checker: StatusChecker | None = None,
    anchors: ChainDirectory | None = None,
    fetch: Callable[[str], bytes] | None = None,
    follow_links: bool = False,
) -> VerificationResult:
    """Parse untrusted bytes and verify the credential or presentation they hold.

    JSON is verified as a credential or presentation (VC 2.0 or 1.1, Data Integrity),
    or as an Open Badges 2.0 hosted assertion; a compact JWS as a VC-JWT or an Open
    Badges 2.0 signed assertion. With `follow_links`, an ``https://`` link is fetched
    through the guard as an Open Badges 2.0 hosted assertion (``laurel verify URL``,
    ``laurel import URL``). Unreadable input (bad JSON, duplicate keys, too large or
    deep) gives a result with one failed ``format.<reason>`` check and ``unreadable``
    set; input laurel recognizes but does not verify (an SD-JWT VC, a JWE, a
    BadgeClass...) one failed ``format.unsupported`` check naming what it is.
    `fetch` reads the other documents a badge names (issuer profiles, https keys,
    Open Badges 2.0 documents); by default the resolver's did:web fetcher (the guard).
    """
    try:
        document = parse_document(data)
    except MalformedDocumentError as exc:
        # JSON that does not parse (too large, too deep, a duplicate key) is named by
        # its own reason; anything else by what it is.
        detected = Detected("json-invalid") if data.lstrip()[:1] in (b"{", b"[") else detect(data)
        if detected.kind in ("json-invalid", "empty", "text", "binary") or (
            detected.kind == "url" and not follow_links
        ):
            check = CheckResult.failed(f"format.{exc.code}", exc.message, hint=exc.hint)
            if detected.kind == "empty":
                check = CheckResult.failed("format.empty", "the input is empty")
            if detected.kind == "url":
                check = CheckResult.failed(
                    "format.link_not_fetched",
                    "this is a link; laurel verifies the credential itself, not a link to it",
                    hint="Download the badge and verify the file (laurel verify URL follows "
                    "Open Badges 2.0 hosted assertion links).",
                )
            return VerificationResult((check,), unreadable=True)
        ctx = _context(policy, resolver, status_checker, anchors, fetch)
        with network_budget(policy.network_budget):
            return _verify_text(data, detected, ctx)
    return verify(
        document,
        policy,
        resolver=resolver,
        status_checker=status_checker,
        anchors=anchors,
        fetch=fetch,
    )


def _context(
    policy: VerificationPolicy,
    resolver: DidResolver | None,
    status_checker: StatusChecker | None,
    anchors: ChainDirectory | None,
    fetch: Callable[[str], bytes] | None,
) -> CheckContext:
    resolver = resolver or DidResolver()
    return CheckContext(
        policy=policy,
        resolver=resolver,
        status=status_checker,
        anchors=anchors,
        web=WebReader(fetch if fetch is not None else resolver.web_fetcher),
    )


def _verify_text(data: bytes, detected: Detected, ctx: CheckContext) -> VerificationResult:
    # Input that is not JSON: a VC-JWT, an OB 2.0 signed assertion (a JWS), a link.
    text = data.decode("ascii", "replace").strip()
    if detected.kind == "vc-jwt":
        return verify_jwt_credential(text, ctx, _endorsements)
    if detected.kind == "ob2-signed":
        return verify_ob2_assertion(text, ctx)
    if detected.kind == "url":
        return ob2_from_url(text, ctx)
    return refuse(detected)


def verify(
    document: JSONObject,
    policy: VerificationPolicy,
    *,
    resolver: DidResolver | None = None,
    status_checker: StatusChecker | None = None,
    anchors: ChainDirectory | None = None,
    fetch: Callable[[str], bytes] | None = None,
) -> VerificationResult:
    """Verify a parsed credential or presentation; every check runs and reports.

    Without a status checker, status lists are not fetched (the check is skipped);
    without `anchors` (the chains to consult), an anchor proof's inclusion and binding
    are checked but its record on the chain is not (a warning). All the network work
    of one call shares one budget (``policy.network_budget`` seconds). An Open Badges
    2.0 hosted assertion and an ``EnvelopedVerifiableCredential`` holding a VC-JWT are
    verified in their own format; a BadgeClass or another document laurel recognizes
    but does not verify is refused by name.
    """
    ctx = _context(policy, resolver, status_checker, anchors, fetch)
    with network_budget(policy.network_budget):
        detected = detect_document(document)
        if detected.kind == "ob2-hosted":
            return verify_ob2_assertion(document, ctx)
        if detected.kind == "ob2-signed":
            check = CheckResult.failed(
                "format.ob2_signed_json",
                "this is the JSON of an Open Badges 2.0 signed assertion; its signature is the "
                "JWS it came in: verify the JWS (the signed text, or the baked image)",
            )
            return VerificationResult((check,), unreadable=True)
        if detected.kind in _REFUSED_KINDS or (detected.kind == "json" and _ob2_like(document)):
            return refuse(detected)
        token = enveloped_token(document) if _is_envelope(document) else None
        if token is not None:
            return verify_jwt_credential(token, ctx, _endorsements)
        form = inspect_form(document)
        if document_kind(document) == "presentation":
            return _verify_presentation(document, ctx, form)
        return _verify_credential(document, ctx, form)


#: Kinds of JSON laurel recognizes and refuses by name rather than verify.
_REFUSED_KINDS = frozenset(
    {"ob2-badge-class", "ob2-issuer", "ob2-key", "ob2-revocation-list", "ob1", "did-document"}
)


def _ob2_like(document: JSONObject) -> bool:
    # Open Badges 2.0 (or 1.x) JSON that is not an award laurel verifies: named, not
    # reported as a VC 2.0 document with every member wrong.
    context = document.get("@context")
    names = context if isinstance(context, list) else [context]
    return isinstance(context, dict) or any(isinstance(n, str) and n in OB2_CONTEXTS for n in names)


def _is_envelope(document: JSONObject) -> bool:
    types = document.get("type")
    names = types if isinstance(types, list) else [types]
    return "EnvelopedVerifiableCredential" in names


def _verify_credential(
    credential: JSONObject, ctx: CheckContext, form: DocumentForm, *, endorsements: bool = True
) -> VerificationResult:
    checks: list[CheckResult] = [*check_format(credential, require_issuer=True, form=form)]
    if "relatedResource" in credential:
        # VC DM 2.0, "Integrity of Related Resources": a digest that does not match
        # the resource laurel holds (its bundled contexts) "MUST produce an error".
        from vc.resources import check_related_resources

        checks.extend(check_related_resources(credential))
    checks.append(check_contexts(credential, nested=form.contexts_below()))
    checks.extend(_unsigned_terms(credential, checks))
    # What the checks below read: the document as its contexts compact it, which is
    # the document itself unless it failed format.not_compacted (SECURITY.md R01-R04).
    view = form.view() or credential
    outcome = verify_proofs(
        credential,
        ctx,
        purpose="assertionMethod",
        controller=issuer_id(view),
        group="issuer",
    )
    checks.extend(outcome.results)
    checks.append(check_validity(view, ctx))
    if outcome.valid:
        checks.extend(check_status(view, ctx))
    else:
        # Nothing a forged document names is fetched (SECURITY.md D14).
        checks.append(CheckResult.skipped("status", NOT_FETCHED))
    checks.extend(check_anchor(credential, ctx, network=outcome.valid))
    checks.extend(schema_checks(view, ctx, outcome.valid))
    if endorsements:
        checks.extend(_endorsements(view, ctx, outcome.valid))
    if ctx.policy.recipient is not None:
        checks.append(check_subject_recipient(view, ctx.policy.recipient))
    checks.append(check_trust(view, ctx))
    return VerificationResult(tuple(checks), summary=summarize(view))


def _endorsements(credential: JSONObject, ctx: CheckContext, network: bool) -> list[CheckResult]:
    return check_endorsements(credential, ctx, network, _verify_endorsement)


def _verify_endorsement(item: JSONObject | str, ctx: CheckContext) -> VerificationResult:
    # One endorsement, through the badge's pipeline; its own endorsements are not followed.
    if isinstance(item, str):
        return verify_jwt_credential(item, ctx, None)
    return _verify_credential(item, ctx, inspect_form(item), endorsements=False)


def _unsigned_terms(document: JSONObject, format_checks: list[CheckResult]) -> list[CheckResult]:
    # Data Integrity context validation: a term no context defines is dropped by
    # RDF canonicalization, so the proof does not cover it even when it verifies.
    # The format check already expanded the document; its finding is reused here.
    if document.get("proof") is None:
        return []
    for check in format_checks:
        if check.id == "format.undefined_term":
            return [
                CheckResult.failed(
                    "proof.undefined_term",
                    "the proof does not cover terms that no context defines: " + check.message,
                    **dict(check.details),
                )
            ]
    return []


def _verify_presentation(
    presentation: JSONObject, ctx: CheckContext, form: DocumentForm
) -> VerificationResult:
    embedded = presentation.get("verifiableCredential")
    items = embedded if isinstance(embedded, list) else [embedded] if embedded is not None else []
    if len(items) > MAX_PRESENTED_CREDENTIALS:
        check = CheckResult.failed(
            "format.too_many_credentials",
            f"the presentation carries {len(items)} credentials (limit {MAX_PRESENTED_CREDENTIALS})",
        )
        return VerificationResult((check,))
    checks: list[CheckResult] = [*check_format(presentation, form=form)]
    checks.append(
        check_contexts(
            presentation,
            skip=frozenset({"verifiableCredential"}),
            nested=form.contexts_below(),
        )
    )
    checks.extend(_unsigned_terms(presentation, checks))
    view = {**(form.view() or presentation), "verifiableCredential": embedded}
    holder = view.get("holder")
    holder_id = holder.get("id") if isinstance(holder, dict) else holder
    if presentation.get("proof") is None:
        if ctx.policy.challenge is not None:
            checks.append(
                CheckResult.failed(
                    "presentation.unsigned",
                    "a challenge was requested but the presentation is not signed",
                )
            )
        else:
            checks.append(
                CheckResult.warning(
                    "presentation.unsigned",
                    "the presentation is not signed, so it does not prove who presents it",
                )
            )
    else:
        outcome = verify_proofs(
            presentation,
            ctx,
            purpose="authentication",
            controller=holder_id if isinstance(holder_id, str) else None,
            group="presentation",
            anchors=False,
        )
        checks.extend(outcome.results)
        checks.extend(
            check_presentation_binding(
                {**view, "verifiableCredential": _opened(items)}, ctx, outcome.verified
            )
        )
    credentials = tuple(
        _verify_embedded(item, ctx, _embedded_form(form, index, embedded))
        for index, item in enumerate(items)
        if isinstance(item, dict) and _is_presented(item)
    )
    summary: dict[str, JSONValue] = {
        "type": view.get("type"),
        "holder": holder_id if isinstance(holder_id, str) else None,
    }
    return VerificationResult(tuple(checks), summary=summary, credentials=credentials)


def _embedded_form(form: DocumentForm, index: int, embedded: JSONValue) -> DocumentForm:
    at = f"verifiableCredential[{index}]" if isinstance(embedded, list) else "verifiableCredential"
    return DocumentForm(
        tuple(("", report) for path, report in form.reports if path == at),
        tuple(("", found) for path, found in form.nested if path == at),
    )


def _is_presented(item: JSONValue) -> bool:
    # A credential embedded as JSON, or an enveloped VC-JWT; anything else is reported
    # by the format check of the presentation.
    return isinstance(item, dict) and (
        document_kind(item) == "credential" or enveloped_token(item) is not None
    )


def presented_documents(presentation: JSONObject) -> list[JSONObject]:
    """The credentials of a presentation that :func:`verify` reports, in its order.

    Each is the credential as its checks read it: an enveloped VC-JWT by its payload
    (``result.credentials[i]`` is the verification of ``presented_documents(vp)[i]``).
    """
    embedded = presentation.get("verifiableCredential")
    items = embedded if isinstance(embedded, list) else [embedded] if embedded is not None else []
    chosen = [item for item in items if _is_presented(item)]
    return [item for item in _opened(chosen) if isinstance(item, dict)]


def _verify_embedded(item: JSONObject, ctx: CheckContext, form: DocumentForm) -> VerificationResult:
    # VC 2.0, "Enveloped Verifiable Credentials": a VC-JWT in a data: URL is verified as one.
    token = enveloped_token(item) if _is_envelope(item) else None
    if token is not None:
        return verify_jwt_credential(token, ctx, _endorsements)
    return _verify_credential(item, ctx, form)


def _opened(items: Sequence[JSONValue]) -> list[JSONValue]:
    # The credentials as the holder binding reads them: an enveloped VC-JWT by its
    # payload (not verified here; its own checks say whether it holds).
    from vc.errors import MalformedDocumentError as _Malformed

    opened: list[JSONValue] = []
    for item in items:
        token = enveloped_token(item) if isinstance(item, dict) and _is_envelope(item) else None
        if token is None:
            opened.append(item)
            continue
        from vc.formats.jwt import decode_jwt  # the JOSE library only when a JWT is there

        try:
            decoded = decode_jwt(token)
        except _Malformed:
            opened.append(item)
            continue
        payload = decoded.payload
        opened.append(payload.get("vc") if decoded.form == "vc-claim" else payload)
    return opened
