"""Verification results: named checks, never a bare yes/no.

>>> from vc.results import CheckResult, Status, VerificationResult
>>> result = VerificationResult((CheckResult("proof", Status.PASSED, "ok"),))
>>> bool(result)
True
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

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


class CheckResult:
    """One named check: its id, outcome and a sentence a user can act on.

    A value: its members read only, equal to another of the same members, and
    it pickles (the results of ``laurel verify --jobs`` travel between processes).
    """

    __slots__ = ("_details", "_id", "_message", "_status")

    def __init__(
        self,
        id: str,
        status: Status,
        message: str,
        details: Mapping[str, JSONValue] | None = None,
    ) -> None:
        if id.partition(".")[0] not in GROUPS:
            raise ValueError(f"check id {id!r} is not in one of the groups {sorted(GROUPS)}")
        self._id = id
        self._status = status
        self._message = message
        self._details: Mapping[str, JSONValue] = {} if details is None else details

    @property
    def id(self) -> str:
        """The check's name: its group, or ``group.sub_check``."""
        return self._id

    @property
    def status(self) -> Status:
        """The outcome."""
        return self._status

    @property
    def message(self) -> str:
        """The sentence a user reads."""
        return self._message

    @property
    def details(self) -> Mapping[str, JSONValue]:
        """What a program reads beside the message (never a secret)."""
        return self._details

    @classmethod
    def passed(cls, id: str, message: str, **details: JSONValue) -> CheckResult:
        """A passed check."""
        return CheckResult(id, Status.PASSED, message, details)

    @classmethod
    def failed(cls, id: str, message: str, **details: JSONValue) -> CheckResult:
        """A failed check."""
        return CheckResult(id, Status.FAILED, message, details)

    @classmethod
    def warning(cls, id: str, message: str, **details: JSONValue) -> CheckResult:
        """A check that passed with a caveat the user should see."""
        return CheckResult(id, Status.WARNING, message, details)

    @classmethod
    def skipped(cls, id: str, message: str, **details: JSONValue) -> CheckResult:
        """A check that does not apply to this document."""
        return CheckResult(id, Status.SKIPPED, message, details)

    @property
    def group(self) -> str:
        """The check group (``proof`` for ``proof.signature``)."""
        return self._id.partition(".")[0]

    def to_json(self) -> JSONObject:
        """The check as the JSON object the CLI and the API print."""
        out: JSONObject = {"id": self._id, "status": self._status.value, "message": self._message}
        if self._details:
            out["details"] = dict(self._details)
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CheckResult):
            return NotImplemented
        return (
            self._id == other._id
            and self._status is other._status
            and self._message == other._message
            and self._details == other._details
        )

    __hash__ = None  # type: ignore[assignment]  # its details are a dict

    def __repr__(self) -> str:
        return (
            f"CheckResult(id={self._id!r}, status={self._status!r}, "
            f"message={self._message!r}, details={self._details!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (CheckResult, (self._id, self._status, self._message, self._details))


class VerificationResult:
    """Every check run on one document; truthy only when verified.

    An empty result is never verified. `credentials` holds the results of the
    credentials embedded in a presentation, each verified in full. `unreadable`
    marks input that could not even be parsed (bad JSON, too large, too deep).
    A value, as :class:`CheckResult` is.
    """

    __slots__ = ("_checks", "_credentials", "_summary", "_unreadable")

    def __init__(
        self,
        checks: tuple[CheckResult, ...],
        summary: Mapping[str, JSONValue] | None = None,
        credentials: tuple[VerificationResult, ...] = (),
        unreadable: bool = False,
    ) -> None:
        self._checks = checks
        self._summary: Mapping[str, JSONValue] = {} if summary is None else summary
        self._credentials = credentials
        self._unreadable = unreadable

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        """Every check, in the order it ran."""
        return self._checks

    @property
    def summary(self) -> Mapping[str, JSONValue]:
        """What the document says of itself (issuer, achievement, dates), for people."""
        return self._summary

    @property
    def credentials(self) -> tuple[VerificationResult, ...]:
        """The results of the credentials a presentation carries."""
        return self._credentials

    @property
    def unreadable(self) -> bool:
        """Whether the input could not even be parsed."""
        return self._unreadable

    @property
    def verified(self) -> bool:
        """True when there is at least one check, none failed, and every embedded credential verified."""
        if not self._checks:
            return False
        for check in self._checks:
            if check._status is Status.FAILED:
                return False
        return all(credential.verified for credential in self._credentials)

    def __bool__(self) -> bool:
        return self.verified

    def failures(self) -> tuple[CheckResult, ...]:
        """The failed checks, in the order they ran."""
        return tuple([c for c in self._checks if c._status is Status.FAILED])

    def check(self, id: str) -> CheckResult | None:
        """The check with this id, if it ran."""
        for check in self._checks:
            if check._id == id:
                return check
        return None

    def raise_for_failure(self) -> None:
        """Raise :class:`VerificationFailedError` unless verified."""
        if not self.verified:
            raise VerificationFailedError(self)

    def to_json(self) -> JSONObject:
        """The result as the JSON document the CLI (`--json`) and the API return."""
        out: JSONObject = {
            "verified": self.verified,
            "checks": [c.to_json() for c in self._checks],
            "credential": dict(self._summary),
        }
        if self._credentials:
            out["credentials"] = [c.to_json() for c in self._credentials]
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VerificationResult):
            return NotImplemented
        return (
            self._checks == other._checks
            and self._summary == other._summary
            and self._credentials == other._credentials
            and self._unreadable == other._unreadable
        )

    __hash__ = None  # type: ignore[assignment]  # its summary is a dict

    def __repr__(self) -> str:
        return (
            f"VerificationResult(checks={self._checks!r}, summary={self._summary!r}, "
            f"credentials={self._credentials!r}, unreadable={self._unreadable!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (
            VerificationResult,
            (self._checks, self._summary, self._credentials, self._unreadable),
        )


class VerificationFailedError(LaurelError):
    """Raised by :meth:`VerificationResult.raise_for_failure`."""

    hint = "Run `laurel verify` to see every check and why it failed."

    def __init__(self, result: VerificationResult) -> None:
        names = ", ".join(c.id for c in result.failures()) or "no checks ran"
        super().__init__(f"verification failed: {names}")
        self.result = result
