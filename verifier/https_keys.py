"""Verification methods at ``https://`` URLs, for the proof checks (issue #13).

1EdTech's convention names an issuer's key by a URL on the issuer's site. The key is
resolved by :func:`vc.controller_docs.resolve_https_controller` (same origin as the
issuer, or listed in its profile; authorized for the proof's purpose by the issuer's
controller document), with documents read once each through :class:`verifier.web.WebReader`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vc.did import VerificationMethod
from vc.results import CheckResult

if TYPE_CHECKING:
    from verifier.check_context import CheckContext
    from verifier.key_binding import KeyOwner

__all__ = ["KEY_DOCUMENT_REASONS", "resolve_https_key"]


def _short(value: str, limit: int = 120) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


# Why an https:// key is not believed (vc.controller_docs.KeyDocumentError.reason) -> check reason.
KEY_DOCUMENT_REASONS = {
    "invalid_url": "invalid_verification_method",
    "unavailable": "key_document_unavailable",
    "not_listed": "key_not_found",
    "not_issuers": "key_not_issuers",
    "invalid_key": "invalid_public_key",
}


def resolve_https_key(
    vm_url: str, group: str, ctx: CheckContext, controller: str | None
) -> tuple[VerificationMethod, KeyOwner] | CheckResult:
    """The issuer's key at an ``https://`` URL and its controller document, or the failed check.

    Open Badges 3.0, "Dereferencing the Public Key": a key at an https URL is believed
    only from the issuer's own documents (:mod:`vc.controller_docs`), read through the
    fetch guard with the verification's network budget; failures are named in `group`.
    """
    from vc.controller_docs import KeyDocumentError, resolve_https_controller

    if ctx.web is None or not ctx.web.online:
        return CheckResult.failed(
            f"{group}.key_document_unavailable",
            f"the key {_short(vm_url)} is in a document on the web, and network fetching is off",
            hint="Verify with the network on (laurel verify, the verifier service).",
        )
    try:
        return resolve_https_controller(vm_url, issuer=controller, fetch=ctx.web)
    except KeyDocumentError as exc:
        reason = KEY_DOCUMENT_REASONS.get(exc.reason, "key_document_unavailable")
        return CheckResult.failed(f"{group}.{reason}", exc.message, error=exc.code)
