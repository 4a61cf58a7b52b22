"""Each check a small function: (document, context) -> CheckResult(s).

Checks never raise for bad input: the laurel errors they meet become failed
results with the error's message. Anything else is a bug and propagates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from vc import jsonld, proofs
from vc.did import DidResolver, VerificationMethod, verification_method_did
from vc.errors import (
    DidResolutionError,
    MalformedDocumentError,
    UnknownContextError,
    UnsupportedSuiteError,
)
from vc.jsontext import key_count
from vc.model import data_model_version
from vc.results import CheckResult, Status
from vc.timestamps import parse_datetime_stamp
from vc.types import JSONObject, JSONValue
from verifier import budget
from verifier.errors import FetchBlockedError, FetchFailedError
from verifier.policy import VerificationPolicy

if TYPE_CHECKING:
    from anchor.check import ChainDirectory
    from verifier.status import StatusChecker
    from verifier.web import WebReader

__all__ = [
    "NOT_FETCHED",
    "CheckContext",
    "KeyOwner",
    "ProofOutcome",
    "check_anchor",
    "check_contexts",
    "check_presentation_binding",
    "check_proofs",
    "check_status",
    "check_trust",
    "check_validity",
    "issuer_id",
    "verify_proofs",
]


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What every check may use: the policy, the injected resolver, status checker and chains.

    `web` reads the other documents a badge names (https keys, issuer profiles, Open
    Badges 2.0 documents) through the fetch guard, once each per verification.
    """

    policy: VerificationPolicy
    resolver: DidResolver
    status: StatusChecker | None = None
    anchors: ChainDirectory | None = None
    web: WebReader | None = None


def _short(value: object, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def issuer_id(document: JSONObject) -> str | None:
    """The issuer's id, whether `issuer` is a string or an object."""
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _holder_id(document: JSONObject) -> str | None:
    holder = document.get("holder")
    if isinstance(holder, dict):
        holder = holder.get("id")
    return holder if isinstance(holder, str) else None


# DID Resolution error names -> our check reasons.
_DID_ERRORS = {
    "invalidDid": "did_invalid",
    "invalidDidUrl": "invalid_did_url",
    "invalidPublicKey": "invalid_public_key",
    "invalidPublicKeyLength": "invalid_public_key",
    "invalidPublicKeyType": "invalid_public_key",
    "methodNotSupported": "method_not_supported",
    "notFound": "did_unresolved",
    "invalidDidDocument": "did_document_invalid",
}


def _did_failure(group: str, exc: DidResolutionError) -> CheckResult:
    reason = _DID_ERRORS.get(exc.code, "did_unresolved")
    return CheckResult.failed(f"{group}.{reason}", exc.message, error=exc.code, hint=exc.hint)


class KeyOwner(Protocol):
    """Who a verification method belongs to: a DID document or an issuer's controller document."""

    @property
    def id(self) -> str:
        """The controller's id (a DID, or the issuer's https URL)."""
        ...

    def relationship(self, name: str) -> tuple[str, ...]:
        """The method ids listed under a verification relationship."""
        ...


def _resolve_method(
    vm_url: str, group: str, ctx: CheckContext, controller: str | None = None
) -> tuple[VerificationMethod, KeyOwner] | CheckResult:
    if vm_url.startswith("https://"):
        from verifier.https_keys import resolve_https_key

        return resolve_https_key(vm_url, group, ctx, controller)
    if not vm_url.startswith("did:"):
        return CheckResult.failed(
            f"{group}.invalid_verification_method",
            f"the verification method {_short(vm_url, 120)} is neither a DID URL nor an "
            "https:// URL of the issuer's key",
        )
    try:
        did = verification_method_did(vm_url)
        document = ctx.resolver.resolve(did)
    except DidResolutionError as exc:
        return _did_failure(group, exc)
    except FetchBlockedError as exc:
        return CheckResult.failed(f"{group}.did_fetch_blocked", exc.message, hint=exc.hint)
    except FetchFailedError as exc:
        return CheckResult.failed(f"{group}.did_unresolved", exc.message, hint=exc.hint)
    try:
        return document.verification_method(vm_url), document
    except DidResolutionError as exc:
        if exc.code == "notFound":
            return CheckResult.failed(
                f"{group}.key_not_found",
                f"{_short(did)} does not list the key {_short(vm_url, 120)}",
                hint="The key may have been rotated out of the DID document.",
            )
        return _did_failure(group, exc)


@dataclass(frozen=True, slots=True)
class ProofOutcome:
    """The proof checks of one document, and the proofs that verified.

    `verified` holds the proofs whose signature is valid and whose key is bound to
    the controller for the purpose: only their members (``challenge``, ``domain``)
    may be believed.
    """

    results: tuple[CheckResult, ...]
    verified: tuple[JSONObject, ...]

    @property
    def valid(self) -> bool:
        """True when there are results, none failed, and at least one proof verified."""
        return (
            bool(self.results)
            and bool(self.verified)
            and all(r.status is not Status.FAILED for r in self.results)
        )


def verify_proofs(
    document: JSONObject,
    ctx: CheckContext,
    *,
    purpose: str,
    controller: str | None,
    group: str,
    anchors: bool = True,
) -> ProofOutcome:
    """Verify every proof of `document`: suite, purpose, signature and key binding.

    `controller` is who must control the signing key (the issuer of a credential,
    the holder of a presentation) and `purpose` the relationship the key must hold
    in the controller's DID document (``assertionMethod``, ``authentication``).
    Binding failures are reported in `group` (``issuer`` or ``presentation``).
    Ledger anchor proofs are left to the anchor check when `anchors` is true (a
    credential); anywhere else one is a failure, like any proof that does not verify.
    """
    try:
        all_proofs = proofs.proofs_of(document)
    except MalformedDocumentError as exc:
        reason = "missing" if exc.code == "proof_missing" else "malformed"
        return ProofOutcome((CheckResult.failed(f"proof.{reason}", exc.message),), ())
    results: list[CheckResult] = []
    verified: list[JSONObject] = []
    signatures = 0
    for index, proof in enumerate(all_proofs):
        if proof.get("cryptosuite") == _ANCHOR_CRYPTOSUITE:
            if not anchors:
                # SECURITY.md P12: a decoy proof must never be read, nor skipped.
                results.append(
                    CheckResult.failed(
                        "proof.unexpected_anchor",
                        "the document carries a ledger anchor proof, which only a "
                        "credential may carry",
                        proof=index,
                    )
                )
            continue
        signatures += 1
        found = list(
            _check_one_proof(
                document, proof, index, ctx, purpose=purpose, controller=controller, group=group
            )
        )
        results.extend(found)
        passed = {r.id for r in found if r.status is Status.PASSED}
        if {"proof.signature", f"{group}.key_binding"} <= passed:
            verified.append(proof)
    if not signatures:
        results.append(CheckResult.failed("proof.missing", "the document has no signature proof"))
    return ProofOutcome(tuple(results), tuple(verified))


def check_proofs(
    document: JSONObject,
    ctx: CheckContext,
    *,
    purpose: str,
    controller: str | None,
    group: str,
) -> list[CheckResult]:
    """The results of :func:`verify_proofs` (anchor proofs left to the anchor check)."""
    return list(
        verify_proofs(document, ctx, purpose=purpose, controller=controller, group=group).results
    )


def _check_one_proof(
    document: JSONObject,
    proof: JSONObject,
    index: int,
    ctx: CheckContext,
    *,
    purpose: str,
    controller: str | None,
    group: str,
) -> Iterator[CheckResult]:
    where: dict[str, JSONValue] = {"proof": index}
    try:
        proofs.suite_for(proof)
    except UnsupportedSuiteError as exc:
        yield CheckResult.failed("proof.unsupported_cryptosuite", exc.message, **where)
        return
    if proof.get("proofPurpose") != purpose:
        yield CheckResult.failed(
            "proof.purpose_mismatch",
            f"proofPurpose is {_short(proof.get('proofPurpose'))}, expected {purpose}",
            error="PROOF_VERIFICATION_ERROR",
            **where,
        )
        return
    vm_url = proof.get("verificationMethod")
    if isinstance(vm_url, dict):
        vm_url = vm_url.get("id")
    if not isinstance(vm_url, str):
        yield CheckResult.failed(
            "proof.malformed", "the proof names no verificationMethod", **where
        )
        return
    resolved = _resolve_method(vm_url, group, ctx, controller)
    if isinstance(resolved, CheckResult):
        yield resolved
        return
    method, did_document = resolved
    yield _check_signature(document, proof, method, where)
    yield _check_binding(method, did_document, purpose, controller, group, where)


def _check_signature(
    document: JSONObject, proof: JSONObject, method: VerificationMethod, where: dict[str, JSONValue]
) -> CheckResult:
    try:
        outcome = proofs.verify_signature(document, proof, method.public_key)
    except UnknownContextError as exc:
        return CheckResult.failed("proof.context", exc.message, **where)
    except MalformedDocumentError as exc:
        reasons = {
            "proof_chain_broken": "chain_broken",
            "canonicalization_timeout": "canonicalization_timeout",
            "too_large": "too_large",
        }
        reason = reasons.get(exc.code, "canonicalization_failed")
        return CheckResult.failed(f"proof.{reason}", exc.message, **where)
    if not outcome.valid:
        return CheckResult.failed(
            f"proof.{outcome.reason}", outcome.message, error="PROOF_VERIFICATION_ERROR", **where
        )
    return CheckResult.passed(
        "proof.signature", f"{outcome.message} (key {_short(method.id, 60)})", **where
    )


def _check_binding(
    method: VerificationMethod,
    did_document: KeyOwner,
    purpose: str,
    controller: str | None,
    group: str,
    where: dict[str, JSONValue],
) -> CheckResult:
    role = "issuer" if group == "issuer" else "holder"
    if controller is None and group == "presentation":
        # VC DM 2.0, "Presentations": with no holder, "information about the holder is
        # obtained ... via the securing mechanism": the signer is the holder.
        controller = method.controller
    if controller is None:
        return CheckResult.failed(
            f"{group}.controller_mismatch",
            f"the document names no {role} to bind the key to",
            **where,
        )
    # Exact string comparison: no case folding, no normalization (SECURITY D12).
    if method.controller != controller or did_document.id != controller:
        return CheckResult.failed(
            f"{group}.controller_mismatch",
            f"signed by a key of {_short(method.controller)}, but the {role} is {_short(controller)}",
            **where,
        )
    if method.id not in did_document.relationship(purpose):
        return CheckResult.failed(
            f"{group}.relationship_not_authorized",
            f"the key is not listed under {purpose} in {_short(controller)}'s DID document",
            **where,
        )
    return CheckResult.passed(
        f"{group}.key_binding",
        f"the key belongs to the {role} and is authorized for {purpose}",
        **where,
    )


def _nested_contexts(node: JSONValue, *, skip: frozenset[str]) -> Iterator[JSONValue]:
    stack: list[JSONValue] = (
        [v for k, v in node.items() if k not in skip] if isinstance(node, dict) else []
    )
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "@context" in item:
                yield item["@context"]
            stack.extend(v for k, v in item.items() if k != "@context")
        elif isinstance(item, list):
            stack.extend(item)


def check_contexts(document: JSONObject, *, skip: frozenset[str] = frozenset()) -> CheckResult:
    """Data Integrity, "Context Validation": every @context is bundled, none inline or nested.

    The examples contexts (``@vocab``: every term "defined") pass with a warning.
    `skip` names top-level members validated on their own (a presentation's
    ``verifiableCredential``).
    """
    contexts = document.get("@context")
    entries = contexts if isinstance(contexts, list) else [contexts]
    examples: list[str] = []
    for entry in entries:
        if not isinstance(entry, str):
            return CheckResult.failed(
                "proof.context",
                "the document defines an inline @context; only bundled contexts are trusted",
            )
        if entry not in jsonld.PINNED_CONTEXTS:
            return CheckResult.failed(
                "proof.context", f"context {_short(entry)} is not one laurel knows and pins"
            )
        if entry in jsonld.EXAMPLE_CONTEXTS:
            examples.append(entry)
    below = skip | {"proof", "@context"}
    nested_contexts = (
        _nested_contexts(document, skip=skip | {"proof"})
        if key_count(document, "@context", skip=below)
        else iter(())
    )
    for nested in nested_contexts:
        # An embedded credential (an EndorsementCredential in issuer.endorsement or
        # achievement.endorsement) carries its own @context: fine when it is made only
        # of bundled, pinned URLs, which JSON-LD processes like the document's own.
        nested_entries = nested if isinstance(nested, list) else [nested]
        unknown = [
            e for e in nested_entries if not (isinstance(e, str) and e in jsonld.PINNED_CONTEXTS)
        ]
        if unknown:
            return CheckResult.failed(
                "proof.context",
                f"an @context nested inside the document is not made of bundled, pinned "
                f"contexts ({_short(unknown[0])})",
            )
        if not nested_entries:
            # An empty one changes nothing a processor reads, so it is a member the
            # signature does not cover (found by the generated edits).
            return CheckResult.failed(
                "proof.context", "an @context nested inside the document is empty"
            )
        examples.extend(e for e in nested_entries if e in jsonld.EXAMPLE_CONTEXTS)
    if examples:
        return CheckResult.warning(
            "proof.context",
            "uses an examples context, which defines every term (@vocab): fine for tests, not for real badges",
            contexts=list(dict.fromkeys(examples)),
        )
    return CheckResult.passed("proof.context", "every @context is a bundled, pinned context")


def check_validity(document: JSONObject, ctx: CheckContext) -> CheckResult:
    """Report whether `ctx.policy.now` falls within the validity period (clock skew on its start).

    VC 2.0 "Validity Period" (``validFrom`` .. ``validUntil``); a VC 1.1 credential's
    period is ``issuanceDate`` .. ``expirationDate`` (VC 1.1, "Issuance Date",
    "Expiration Date"; Open Badges 3.0, "Verification": "they have issuanceDate and
    expirationDate instead of validFrom and validUntil").
    """
    now = ctx.policy.now
    v1 = data_model_version(document) == "1.1"
    start_name, end_name = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    bounds: dict[str, dt.datetime] = {}
    for name in (start_name, end_name):
        value = document.get(name)
        if value is None:
            continue
        try:
            bounds[name] = (
                parse_datetime_stamp(value) if isinstance(value, str) else parse_datetime_stamp("")
            )
        except (ValueError, TypeError) as exc:
            return CheckResult.failed(
                "validity.invalid_date",
                f"{name} is not a valid date: {exc}",
                **{name: _short(value)},
            )
    valid_from, valid_until = bounds.get(start_name), bounds.get(end_name)
    if valid_from and valid_until and valid_until < valid_from:
        return CheckResult.failed("validity.invalid_range", f"{end_name} is before {start_name}")
    if valid_from and now + ctx.policy.clock_skew < valid_from:
        return CheckResult.failed(
            "validity.not_yet_valid",
            f"not valid until {valid_from:%Y-%m-%d %H:%M} UTC",
            **{start_name: valid_from.isoformat()},
        )
    if valid_until and now > valid_until:
        return CheckResult.failed(
            "validity.expired",
            f"expired on {valid_until:%Y-%m-%d %H:%M} UTC",
            **{end_name: valid_until.isoformat()},
        )
    if not bounds:
        return CheckResult.passed("validity.period", "states no validity period")
    return CheckResult.passed("validity.period", "within its validity period")


def check_status(document: JSONObject, ctx: CheckContext | None = None) -> list[CheckResult]:
    """The revocation/suspension check: one result per credentialStatus entry.

    Without a status checker in `ctx` the lists are not fetched and the check is skipped.
    """
    if document.get("credentialStatus") is None:
        return [CheckResult.skipped("status", "the credential has no credentialStatus")]
    if ctx is None or ctx.status is None:
        return [CheckResult.skipped("status", "status lists are not checked")]
    return ctx.status.check(document, ctx)


_ANCHOR_CRYPTOSUITE = "laurel-anchor-2026"  # anchor.proof.ANCHOR_CRYPTOSUITE, without importing it

#: Why a check that would fetch something did not run on a forged document (SECURITY.md D14).
NOT_FETCHED = "not checked: the signature is invalid, so nothing the credential names was fetched"


def check_anchor(
    document: JSONObject, ctx: CheckContext, *, network: bool = True
) -> list[CheckResult]:
    """The ledger anchor: inclusion in a batch, the account's binding, the chain's record.

    Skipped for a credential without an anchor proof; :mod:`anchor.check` (and web3,
    when a chain is consulted) is imported only for one that has one. Without
    `network` (a forged credential), only the inclusion, which needs nothing fetched,
    is checked.
    """
    raw = document.get("proof")
    items = raw if isinstance(raw, list) else [raw]
    anchors = [
        p for p in items if isinstance(p, dict) and p.get("cryptosuite") == _ANCHOR_CRYPTOSUITE
    ]
    if not anchors:
        if ctx.policy.require_anchor:
            # A required check that cannot run is a failure, never a silent skip.
            return [
                CheckResult.failed(
                    "anchor.missing", "an anchor is required; the credential has none"
                )
            ]
        return [CheckResult.skipped("anchor", "the credential carries no anchor proof")]
    from anchor.check import check_inclusion, check_ledger, decode_anchor

    results: list[CheckResult] = []
    for proof in anchors:
        anchor = decode_anchor(proof)
        if isinstance(anchor, CheckResult):
            results.append(anchor)
            continue
        results.append(check_inclusion(document, anchor))
        if not network:
            results.append(CheckResult.skipped("anchor.ledger", NOT_FETCHED))
            continue
        results.append(_check_anchor_binding(document, anchor.verification_method, anchor, ctx))
        with _chain_budget(ctx):
            results.append(
                check_ledger(
                    anchor,
                    ctx.anchors,
                    confirmations=ctx.policy.anchor_confirmations,
                    require=ctx.policy.require_anchor,
                )
            )
    return results


@contextlib.contextmanager
def _chain_budget(ctx: CheckContext) -> Iterator[None]:
    # The chain's JSON-RPC requests share the verification's network budget too
    # (anchor.rpc, and web3 with it, is imported only when a chain is consulted).
    left = budget.remaining()
    if left is None or ctx.anchors is None or not ctx.anchors.configured:
        yield
        return
    from anchor.rpc import rpc_deadline

    with rpc_deadline(max(left, 0.001)):
        yield


def _check_anchor_binding(
    document: JSONObject, vm_url: str, anchor: object, ctx: CheckContext
) -> CheckResult:
    from anchor.check import check_binding
    from anchor.proof import AnchorProof

    assert isinstance(anchor, AnchorProof)  # noqa: S101 (narrows for mypy)
    issuer = issuer_id(document)
    resolved = _resolve_method(vm_url, "anchor", ctx, issuer)
    if isinstance(resolved, CheckResult):
        return resolved
    method, did_document = resolved
    if (
        issuer is None
        or method.controller != issuer
        or did_document.id != issuer
        or method.id not in did_document.relationship("assertionMethod")
    ):
        return CheckResult.failed(
            "anchor.sender_unbound",
            f"the anchoring account's binding is signed by {_short(method.controller)}, "
            f"not by an assertion key of the issuer {_short(issuer)}",
        )
    return check_binding(anchor, issuer, method.public_key)


def check_trust(document: JSONObject, ctx: CheckContext) -> CheckResult:
    """Whether the issuer is in the verifier's registry of recognized issuers.

    Without a registry this is a warning: the signature says which key signed,
    not whether anyone knows that issuer.
    """
    registry = ctx.policy.trusted_issuers
    if registry is None:
        return CheckResult.warning(
            "trust",
            "no registry of recognized issuers is configured: the issuer is known only by its DID",
        )
    issuer = issuer_id(document)
    name = registry.name_of(issuer)
    if name is not None:
        return CheckResult.passed("trust", f"a recognized issuer: {_short(name)}")
    return CheckResult.failed(
        "trust.unknown_issuer", f"{_short(issuer)} is not in the registry of recognized issuers"
    )


def check_presentation_binding(
    presentation: JSONObject, ctx: CheckContext, holder_proofs: tuple[JSONObject, ...]
) -> list[CheckResult]:
    """Challenge and domain of the verified holder proofs; holder = subject of every credential.

    `holder_proofs` are the presentation's proofs that verified (:class:`ProofOutcome`):
    a challenge or domain is read from those only, and every one must carry exactly
    the requested value (SECURITY.md P02, P03, P12).
    """
    results: list[CheckResult] = []
    policy = ctx.policy
    for name, expected in (("challenge", policy.challenge), ("domain", policy.domain)):
        error = "INVALID_CHALLENGE_ERROR" if name == "challenge" else "INVALID_DOMAIN_ERROR"
        if expected is None:
            results.append(
                CheckResult.warning(
                    f"presentation.{name}",
                    f"no {name} was requested, so a replayed presentation would not be noticed",
                )
            )
            continue
        if not holder_proofs:
            results.append(
                CheckResult.failed(
                    f"presentation.{name}_unverified",
                    f"the {name} could not be checked: no holder proof verified",
                    error=error,
                )
            )
            continue
        wrong = [
            (index, proof.get(name))
            for index, proof in enumerate(holder_proofs)
            if proof.get(name) != expected
        ]
        if wrong:
            index, actual = wrong[0]
            results.append(
                CheckResult.failed(
                    f"presentation.{name}_mismatch",
                    f"the presentation was made for {name} {_short(actual)}, not {_short(expected)}",
                    error=error,
                    proofs=[i for i, _ in wrong],
                )
            )
        else:
            results.append(
                CheckResult.passed(f"presentation.{name}", f"the {name} matches the one requested")
            )
    holder = _holder_id(presentation)
    if holder is None and holder_proofs:
        # No holder named: the one who signed holds it (see _check_binding).
        vm_url = holder_proofs[0].get("verificationMethod")
        vm_url = vm_url.get("id") if isinstance(vm_url, dict) else vm_url
        holder = vm_url.split("#", 1)[0] if isinstance(vm_url, str) else None
    credentials = presentation.get("verifiableCredential")
    items = (
        credentials
        if isinstance(credentials, list)
        else [credentials]
        if credentials is not None
        else []
    )
    strangers = []
    for index, credential in enumerate(items):
        if not isinstance(credential, dict):
            continue
        subjects = credential.get("credentialSubject")
        subject_list = subjects if isinstance(subjects, list) else [subjects]
        ids = [s.get("id") for s in subject_list if isinstance(s, dict)]
        if holder is None or holder not in ids:
            strangers.append(index)
    if strangers:
        # VC DM 2.0, "Validation": that the holder is the subject is a business rule.
        # laurel holds it wherever a verifier asked for the presentation (a challenge);
        # without one, nothing ties the presentation to a presenter anyway. A VC-API
        # caller with its own challenge gets it as a warning and applies its own rule.
        message = "the holder is not the subject of every credential presented"
        strict = ctx.policy.holder_must_be_subject
        if strict is None:
            strict = ctx.policy.challenge is not None
        if strict:
            results.append(
                CheckResult.failed(
                    "presentation.holder_not_subject", message, credentials=list(strangers)
                )
            )
        else:
            results.append(
                CheckResult.warning(
                    "presentation.holder_not_subject",
                    message
                    + (
                        " (no challenge was asked, so this is not held against it)"
                        if ctx.policy.challenge is None
                        else " (the caller's own rule decides whether that matters)"
                    ),
                    credentials=list(strangers),
                )
            )
    elif items:
        results.append(
            CheckResult.passed(
                "presentation.holder", "the holder is the subject of every credential"
            )
        )
    return results
