"""The error of Bitstring Status List: the specification's error name and laurel's reason."""

from __future__ import annotations

from vc.errors import LaurelError

__all__ = ["StatusListError"]

_REASONS = {
    "STATUS_LIST_LENGTH_ERROR": "list_too_short",
    "RANGE_ERROR": "range",
    "MALFORMED_VALUE_ERROR": "malformed",
    "STATUS_VERIFICATION_ERROR": "list_invalid",
}


class StatusListError(LaurelError):
    """A status entry or status list violates Bitstring Status List v1.0.

    `error` is the specification's error name (``STATUS_LIST_LENGTH_ERROR``,
    ``RANGE_ERROR``, ``MALFORMED_VALUE_ERROR``, ``STATUS_VERIFICATION_ERROR``);
    `reason` is laurel's check reason (``list_too_short``, ``range``, ``malformed``,
    ``list_too_large``, ``purpose_mismatch``, ``list_invalid``), by default derived
    from `error`.
    """

    hint = "The credential's status entry or its issuer's status list is not usable."

    def __init__(
        self,
        message: str,
        *,
        error: str,
        reason: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.error = error
        self.reason = reason if reason is not None else _REASONS.get(error, "list_invalid")


def _malformed(message: str, *, reason: str = "malformed") -> StatusListError:
    return StatusListError(message, error="MALFORMED_VALUE_ERROR", reason=reason)


def _list_invalid(message: str) -> StatusListError:
    return StatusListError(message, error="STATUS_VERIFICATION_ERROR", reason="list_invalid")
