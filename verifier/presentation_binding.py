"""The ``presentation`` checks: challenge and domain of the holder's proofs, holder = subject."""

from __future__ import annotations

from vc.results import CheckResult
from vc.types import JSONObject
from verifier.check_context import CheckContext, short

__all__ = ["check_presentation_binding"]


def _holder_id(document: JSONObject) -> str | None:
    holder = document.get("holder")
    if isinstance(holder, dict):
        holder = holder.get("id")
    return holder if isinstance(holder, str) else None


def check_presentation_binding(
    presentation: JSONObject, ctx: CheckContext, holder_proofs: tuple[JSONObject, ...]
) -> list[CheckResult]:
    """Challenge and domain of the verified holder proofs; holder = subject of every credential.

    `holder_proofs` are the presentation's proofs that verified
    (:class:`verifier.proof_checks.ProofOutcome`): a challenge or domain is read from
    those only, and every one must carry exactly the requested value (SECURITY.md P02,
    P03, P12).
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
                    f"the presentation was made for {name} {short(actual)}, not {short(expected)}",
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
        # No holder named: the one who signed holds it (see key_binding.check_key_binding).
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
