"""The verification pipeline: detect the input kind, run every check, collect the result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vc.did import DidResolver
from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document
from vc.model import DocumentForm, check_format, document_kind, inspect_form
from vc.results import CheckResult, VerificationResult
from vc.schema import check_schema
from vc.types import JSONObject, JSONValue
from verifier.budget import network_budget
from verifier.checks import (
    NOT_FETCHED,
    CheckContext,
    check_anchor,
    check_contexts,
    check_presentation_binding,
    check_status,
    check_trust,
    check_validity,
    issuer_id,
    verify_proofs,
)
from verifier.policy import VerificationPolicy
from verifier.status import StatusChecker

if TYPE_CHECKING:
    from anchor.check import ChainDirectory
    from verifier.fetch import FetchedDocument

__all__ = [
    "MAX_PRESENTED_CREDENTIALS",
    "networked_resolver",
    "networked_status_checker",
    "summarize",
    "verify",
    "verify_bytes",
]

#: A presentation carrying more credentials is refused before any canonicalization.
MAX_PRESENTED_CREDENTIALS = 20


class _GuardedFetch:
    """The fetch guard, made on first use: a badge that names nothing never loads it."""

    def __init__(self, allow_private_network: bool) -> None:
        self._allow = allow_private_network
        self._fetcher: Any = None

    def _guard(self) -> Any:
        if self._fetcher is None:
            from verifier.fetch import Fetcher, FetchPolicy

            overrides = {"allow_private_network": True} if self._allow else {}
            self._fetcher = Fetcher(FetchPolicy.from_env(**overrides))
        return self._fetcher

    def __call__(self, url: str) -> bytes:
        """The body at `url` (``vc.did.DidWebFetcher``)."""
        body: bytes = self._guard()(url)
        return body

    def fetch(
        self, url: str, *, max_bytes: int | None = None, if_none_match: str | None = None
    ) -> FetchedDocument:
        """A document through the guard (:class:`verifier.status.StatusFetch`)."""
        document: FetchedDocument = self._guard().fetch(
            url, max_bytes=max_bytes, if_none_match=if_none_match
        )
        return document


def networked_resolver(*, allow_private_network: bool = False) -> DidResolver:
    """A DID resolver that fetches did:web documents through the fetch guard (cached 5 min).

    `allow_private_network` (or ``LAUREL_ALLOW_PRIVATE_NETWORK=1``) lets it reach
    private and loopback hosts, and plain http on them; off by default.
    """
    return DidResolver(web_fetcher=_GuardedFetch(allow_private_network))


def networked_status_checker(*, allow_private_network: bool = False) -> StatusChecker:
    """A status checker fetching lists through the fetch guard, with its own list cache.

    `allow_private_network` as for :func:`networked_resolver`; list issuers' did:web
    documents are resolved through the guard too.
    """
    return StatusChecker(
        _GuardedFetch(allow_private_network).fetch,
        networked_resolver(allow_private_network=allow_private_network),
    )


def verify_bytes(
    data: bytes,
    policy: VerificationPolicy,
    *,
    resolver: DidResolver | None = None,
    status_checker: StatusChecker | None = None,
    anchors: ChainDirectory | None = None,
) -> VerificationResult:
    """Parse untrusted bytes and verify the credential or presentation they hold.

    Unreadable input (bad JSON, duplicate keys, too large or deep) gives a result
    with one failed ``format.<reason>`` check and ``unreadable`` set.
    """
    try:
        document = parse_document(data)
    except MalformedDocumentError as exc:
        check = CheckResult.failed(f"format.{exc.code}", exc.message, hint=exc.hint)
        return VerificationResult((check,), unreadable=True)
    return verify(
        document, policy, resolver=resolver, status_checker=status_checker, anchors=anchors
    )


def verify(
    document: JSONObject,
    policy: VerificationPolicy,
    *,
    resolver: DidResolver | None = None,
    status_checker: StatusChecker | None = None,
    anchors: ChainDirectory | None = None,
) -> VerificationResult:
    """Verify a parsed credential or presentation; every check runs and reports.

    Without a `status_checker`, status lists are not fetched (the check is skipped);
    without `anchors` (the chains to consult), an anchor proof's inclusion and binding
    are checked but its record on the chain is not (a warning). All the network work
    of one call shares one budget (``policy.network_budget`` seconds).
    """
    ctx = CheckContext(
        policy=policy, resolver=resolver or DidResolver(), status=status_checker, anchors=anchors
    )
    with network_budget(policy.network_budget):
        form = inspect_form(document)
        if document_kind(document) == "presentation":
            return _verify_presentation(document, ctx, form)
        return _verify_credential(document, ctx, form)


def _verify_credential(
    credential: JSONObject, ctx: CheckContext, form: DocumentForm
) -> VerificationResult:
    checks: list[CheckResult] = [*check_format(credential, require_issuer=True, form=form)]
    if "relatedResource" in credential:
        # VC DM 2.0, "Integrity of Related Resources": a digest that does not match
        # the resource laurel holds (its bundled contexts) "MUST produce an error".
        from vc.resources import check_related_resources

        checks.extend(check_related_resources(credential))
    checks.append(check_contexts(credential))
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
    checks.extend(check_schema(view))
    checks.append(check_trust(view, ctx))
    return VerificationResult(tuple(checks), summary=summarize(view))


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
    checks.append(check_contexts(presentation, skip=frozenset({"verifiableCredential"})))
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
        checks.extend(check_presentation_binding(view, ctx, outcome.verified))
    credentials = tuple(
        _verify_credential(item, ctx, _embedded_form(form, index, embedded))
        for index, item in enumerate(items)
        if isinstance(item, dict) and document_kind(item) == "credential"
    )
    summary: dict[str, JSONValue] = {
        "type": view.get("type"),
        "holder": holder_id if isinstance(holder_id, str) else None,
    }
    return VerificationResult(tuple(checks), summary=summary, credentials=credentials)


def _embedded_form(form: DocumentForm, index: int, embedded: JSONValue) -> DocumentForm:
    at = f"verifiableCredential[{index}]" if isinstance(embedded, list) else "verifiableCredential"
    return DocumentForm(tuple(("", report) for path, report in form.reports if path == at))


def _text(value: JSONValue) -> JSONValue:
    # A name may be a language map or a list of language values (VC 2.0 "Names and Descriptions").
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("@value")
    return value if isinstance(value, str) else None


def summarize(credential: JSONObject) -> dict[str, JSONValue]:
    """The short description a report shows: types, issuer, achievement, subject, dates."""
    issuer = credential.get("issuer")
    subject = credential.get("credentialSubject")
    first_subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = first_subject.get("achievement") if isinstance(first_subject, dict) else None
    return {
        "type": credential.get("type"),
        "issuer": {
            "id": issuer_id(credential),
            "name": _text(issuer.get("name")) if isinstance(issuer, dict) else None,
        },
        "achievement": _text(achievement.get("name")) if isinstance(achievement, dict) else None,
        "name": _text(credential.get("name")),
        "subject": first_subject.get("id") if isinstance(first_subject, dict) else None,
        "validFrom": credential.get("validFrom"),
        "validUntil": credential.get("validUntil"),
    }
