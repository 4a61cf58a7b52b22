"""Verification results: named checks, never a bare yes/no.

>>> from vc.results import CheckResult, Status, VerificationResult
>>> result = VerificationResult((CheckResult("proof", Status.PASSED, "ok"),))
>>> bool(result)
True
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from vc.errors import LaurelError
from vc.types import JSONObject, JSONValue

__all__ = [
    "GROUPS",
    "CheckResult",
    "Status",
    "VerificationFailedError",
    "VerificationResult",
]

#: The fixed check groups; every check id is a group or ``group.sub_check``.
GROUPS = frozenset(
    {
        "format",
        "proof",
        "issuer",
        "validity",
        "status",
        "anchor",
        "schema",
        "presentation",
        "trust",
        "endorsement",
    }
)


class Status(enum.StrEnum):
    """The outcome of one check."""

    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One named check: its id, outcome and a sentence a user can act on."""

    id: str
    status: Status
    message: str
    details: Mapping[str, JSONValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.id.split(".", 1)[0] not in GROUPS:
            raise ValueError(f"check id {self.id!r} is not in one of the groups {sorted(GROUPS)}")

    @classmethod
    def passed(cls, id: str, message: str, **details: JSONValue) -> CheckResult:
        """A passed check."""
        return cls(id, Status.PASSED, message, details)

    @classmethod
    def failed(cls, id: str, message: str, **details: JSONValue) -> CheckResult:
        """A failed check."""
        return cls(id, Status.FAILED, message, details)

    @classmethod
    def warning(cls, id: str, message: str, **details: JSONValue) -> CheckResult:
        """A check that passed with a caveat the user should see."""
        return cls(id, Status.WARNING, message, details)

    @classmethod
    def skipped(cls, id: str, message: str, **details: JSONValue) -> CheckResult:
        """A check that does not apply to this document."""
        return cls(id, Status.SKIPPED, message, details)

    @property
    def group(self) -> str:
        """The check group (``proof`` for ``proof.signature``)."""
        return self.id.partition(".")[0]

    def to_json(self) -> JSONObject:
        """The check as the JSON object the CLI and the API print."""
        # `_value_`, Enum's own slot: `.value` is a property, read ten times a verification.
        out: JSONObject = {"id": self.id, "status": self.status._value_, "message": self.message}
        if self.details:
            out["details"] = dict(self.details)
        return out


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Every check run on one document; truthy only when verified.

    An empty result is never verified. `credentials` holds the results of the
    credentials embedded in a presentation, each verified in full. `unreadable`
    marks input that could not even be parsed (bad JSON, too large, too deep).
    """

    checks: tuple[CheckResult, ...]
    summary: Mapping[str, JSONValue] = field(default_factory=dict)
    credentials: tuple[VerificationResult, ...] = ()
    unreadable: bool = False

    @property
    def verified(self) -> bool:
        """True when there is at least one check, none failed, and every embedded credential verified."""
        return (
            bool(self.checks)
            and all(c.status is not Status.FAILED for c in self.checks)
            and all(c.verified for c in self.credentials)
        )

    def __bool__(self) -> bool:
        return self.verified

    def failures(self) -> tuple[CheckResult, ...]:
        """The failed checks, in the order they ran."""
        return tuple(c for c in self.checks if c.status is Status.FAILED)

    def check(self, id: str) -> CheckResult | None:
        """The check with this id, if it ran."""
        return next((c for c in self.checks if c.id == id), None)

    def raise_for_failure(self) -> None:
        """Raise :class:`VerificationFailedError` unless verified."""
        if not self.verified:
            raise VerificationFailedError(self)

    def to_json(self) -> JSONObject:
        """The result as the JSON document the CLI (`--json`) and the API return."""
        out: JSONObject = {
            "verified": self.verified,
            "checks": [c.to_json() for c in self.checks],
            "credential": dict(self.summary),
        }
        if self.credentials:
            out["credentials"] = [c.to_json() for c in self.credentials]
        return out


class VerificationFailedError(LaurelError):
    """Raised by :meth:`VerificationResult.raise_for_failure`."""

    hint = "Run `laurel verify` to see every check and why it failed."

    def __init__(self, result: VerificationResult) -> None:
        names = ", ".join(c.id for c in result.failures()) or "no checks ran"
        super().__init__(f"verification failed: {names}")
        self.result = result
