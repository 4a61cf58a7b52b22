"""Whose key signed: a verification method resolved, and bound to its controller for a purpose.

A proof names its key (a DID URL, or an ``https://`` URL of the issuer's key); the key is
believed only when it belongs to the controller the document names (the issuer of a
credential, the holder of a presentation) and is listed under the proof's purpose in
that controller's document.
"""

from __future__ import annotations

from typing import Protocol

from vc.did import VerificationMethod, verification_method_did
from vc.errors import DidResolutionError
from vc.results import CheckResult
from vc.types import JSONValue
from verifier.check_context import CheckContext, short
from verifier.errors import FetchBlockedError, FetchFailedError

__all__ = ["KeyOwner", "check_key_binding", "resolve_method"]

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


def resolve_method(
    vm_url: str, group: str, ctx: CheckContext, controller: str | None = None
) -> tuple[VerificationMethod, KeyOwner] | CheckResult:
    """The verification method at `vm_url` and the document listing it, or the failed check.

    A DID URL is resolved by ``ctx.resolver``, an ``https://`` URL from the issuer's own
    documents (:mod:`verifier.https_keys`); failures are named in `group`.
    """
    if vm_url.startswith("https://"):
        from verifier.https_keys import resolve_https_key

        return resolve_https_key(vm_url, group, ctx, controller)
    if not vm_url.startswith("did:"):
        return CheckResult.failed(
            f"{group}.invalid_verification_method",
            f"the verification method {short(vm_url, 120)} is neither a DID URL nor an "
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
                f"{short(did)} does not list the key {short(vm_url, 120)}",
                hint="The key may have been rotated out of the DID document.",
            )
        return _did_failure(group, exc)


def check_key_binding(
    method: VerificationMethod,
    did_document: KeyOwner,
    purpose: str,
    controller: str | None,
    group: str,
    where: dict[str, JSONValue],
) -> CheckResult:
    """``{group}.key_binding`` when the key is `controller`'s and listed under `purpose`.

    A presentation naming no holder binds the key to its signer (VC DM 2.0).
    """
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
            f"signed by a key of {short(method.controller)}, but the {role} is {short(controller)}",
            **where,
        )
    if method.id not in did_document.relationship(purpose):
        return CheckResult.failed(
            f"{group}.relationship_not_authorized",
            f"the key is not listed under {purpose} in {short(controller)}'s DID document",
            **where,
        )
    return CheckResult.passed(
        f"{group}.key_binding",
        f"the key belongs to the {role} and is authorized for {purpose}",
        **where,
    )
