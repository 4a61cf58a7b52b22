"""The failed ``status.*`` results every status method reports alike.

A list that breaks a rule of Bitstring Status List, a fetch the guard refused, a list
that could not be retrieved: the same check ids, spec error names and hints, whether
the list is a bitstring (:mod:`verifier.status`) or 1EdTech's revocation list
(:mod:`verifier.status_1edtech`).
"""

from __future__ import annotations

from vc.results import CheckResult
from vc.status import StatusListError
from verifier.check_context import short
from verifier.errors import FetchBlockedError

__all__ = ["fetch_blocked", "list_error", "retrieval_failed"]

# StatusListError.reason -> (check id suffix, spec error name when the error lacks one).
_REASONS = {
    "list_too_short": "list_too_short",
    "range": "range",
    "malformed": "malformed",
    "list_too_large": "list_too_large",
    "purpose_mismatch": "purpose_mismatch",
    "list_invalid": "list_invalid",
}


def list_error(exc: StatusListError, url: str) -> CheckResult:
    """The failed ``status.*`` check for a list (or entry) that breaks the specification."""
    reason = _REASONS.get(exc.reason, "list_invalid")
    if reason == "list_too_short":
        # Bitstring Status List, "Validate Algorithm", step 9: STATUS_LIST_LENGTH_ERROR.
        # The fault is the issuer's list (too small to hide one credential among many),
        # not the badge: say so, and keep it a failure (the status is not confirmed).
        return CheckResult.failed(
            "status.list_too_short",
            f"the issuer's status list {short(url)} is non-conformant: {exc.message} "
            "(Bitstring Status List, STATUS_LIST_LENGTH_ERROR), so the badge's status "
            "cannot be confirmed from it",
            error=exc.error,
            list=url,
            hint="This is a fault of the issuer's list, not of the badge: ask the issuer to "
            "publish a list of at least 131,072 entries.",
        )
    return CheckResult.failed(f"status.{reason}", exc.message, error=exc.error, list=url)


def fetch_blocked(url: str, exc: FetchBlockedError) -> CheckResult:
    """``status.fetch_blocked``: the fetch guard refused the list's URL."""
    return CheckResult.failed(
        "status.fetch_blocked",
        exc.message,
        error="STATUS_RETRIEVAL_ERROR",
        list=url,
        hint=exc.hint,
    )


def retrieval_failed(url: str, message: str, unreachable: str) -> CheckResult:
    """``status.retrieval_failed``: a failure, or a warning when `unreachable` is ``warn``."""
    if unreachable == "warn":
        return CheckResult.warning(
            "status.retrieval_failed", message, error="STATUS_RETRIEVAL_ERROR", list=url
        )
    return CheckResult.failed(
        "status.retrieval_failed",
        message,
        error="STATUS_RETRIEVAL_ERROR",
        list=url,
        hint="This is not a revocation: the status could not be checked.",
    )
