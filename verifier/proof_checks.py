"""The proof checks: every proof of a document, its suite, purpose, signature and key binding."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from vc import proofs
from vc.did import VerificationMethod
from vc.errors import MalformedDocumentError, UnknownContextError, UnsupportedSuiteError
from vc.results import CheckResult, Status
from vc.types import JSONObject, JSONValue
from verifier.anchor_checks import ANCHOR_CRYPTOSUITE
from verifier.check_context import CheckContext, short
from verifier.key_binding import check_key_binding, resolve_method

__all__ = ["ProofOutcome", "check_proofs", "verify_proofs"]


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
        if proof.get("cryptosuite") == ANCHOR_CRYPTOSUITE:
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
            f"proofPurpose is {short(proof.get('proofPurpose'))}, expected {purpose}",
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
    resolved = resolve_method(vm_url, group, ctx, controller)
    if isinstance(resolved, CheckResult):
        yield resolved
        return
    method, did_document = resolved
    yield _check_signature(document, proof, method, where)
    yield check_key_binding(method, did_document, purpose, controller, group, where)


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
        "proof.signature", f"{outcome.message} (key {short(method.id, 60)})", **where
    )
