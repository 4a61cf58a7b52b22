"""The verifier service's responses: JSON made inert as HTML, RFC 9457 problems, verify bodies."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response

from vc.results import CheckResult, Status, VerificationResult
from vc.types import JSONValue
from verifier.json_text import compact_json
from verifier.verdict import verdict_json

__all__ = [
    "DEFAULT_HEADERS",
    "PARSING_ERROR",
    "PROBLEM_BASE",
    "PROBLEM_JSON",
    "SECURITY_HEADERS",
    "json_response",
    "json_text",
    "internal_error_body",
    "problem_body",
    "problem_response",
    "verification_body",
]

#: RFC 9457 media type.
PROBLEM_JSON = "application/problem+json"
#: Problem type of a request body that cannot be read (VC-API / VC data integrity name).
PARSING_ERROR = "https://w3id.org/security#PARSING_ERROR"
#: Base of laurel's own problem types.
PROBLEM_BASE = "https://laurel.dev/problems/"

#: Set on every response (SECURITY.md X08) unless a view chose its own.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'",
}
#: The headers every response gets unless it has its own: (lower-cased name, name, value).
DEFAULT_HEADERS = tuple(
    (name.lower(), name, value)
    for name, value in (*SECURITY_HEADERS.items(), ("Cache-Control", "no-store"))
)

_ERROR_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def json_text(body: Mapping[str, Any]) -> str:
    """`body` as compact JSON with ``<``, ``>`` and ``&`` escaped, so that it is inert as HTML."""
    text = compact_json(body)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_response(
    body: Mapping[str, Any], status: int = 200, *, mimetype: str = "application/json"
) -> Response:
    """A JSON response whose text is :func:`json_text`."""
    return Response(json_text(body), status=status, mimetype=mimetype)


def problem_body(
    status: int, title: str, detail: str, *, type_: str = "about:blank", **extra: JSONValue
) -> dict[str, Any]:
    """The members of an RFC 9457 problem details object."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    body.update(extra)
    return body


def problem_response(
    status: int, title: str, detail: str, *, type_: str = "about:blank", **extra: JSONValue
) -> Response:
    """An RFC 9457 problem details response."""
    body = problem_body(status, title, detail, type_=type_, **extra)
    return json_response(body, status, mimetype=PROBLEM_JSON)


def internal_error_body(request_id: str) -> dict[str, Any]:
    """The 500 problem of a request that failed unexpectedly, naming its id (logged with it)."""
    return problem_body(
        500,
        "Internal Server Error",
        "the verifier failed unexpectedly; report the request id",
        type_=PROBLEM_BASE + "internal",
        requestId=request_id,
    )


def _problem_type(check: CheckResult) -> str:
    error = check.details.get("error")
    if isinstance(error, str) and _ERROR_NAME.fullmatch(error):
        return f"https://w3id.org/security#{error}"
    return PROBLEM_BASE + check.id


# Read once: an enum member looked up on its class goes through a descriptor each time.
_PASSED, _WARNING, _FAILED = Status.PASSED, Status.WARNING, Status.FAILED


def _unique(ids: list[str]) -> list[JSONValue]:
    return list(dict.fromkeys(ids))


def verification_body(
    result: VerificationResult, listed: Callable[[str], bool] = lambda _id: True
) -> dict[str, JSONValue]:
    """The VC-API verify response for `result`.

    `checks` lists the passed check ids that `listed` accepts; `warnings`, `errors`
    and `problemDetails` always name every warning and failure, including those of
    the credentials inside a presentation, and `verified` is the result's own.
    """
    flat: list[tuple[int | None, CheckResult]] = [(None, c) for c in result.checks]
    for position, credential in enumerate(result.credentials):
        flat.extend((position, c) for c in credential.checks)
    passed: list[str] = []
    warnings: list[str] = []
    errors: list[str] = []
    problems: list[JSONValue] = []
    for index, check in flat:
        status = check.status
        if status is _PASSED:
            if listed(check.id):
                passed.append(check.id)
        elif status is _WARNING:
            warnings.append(check.id)
        elif status is _FAILED:
            errors.append(check.id)
            problem: dict[str, JSONValue] = {
                "type": _problem_type(check),
                "title": check.id,
                "detail": check.message,
            }
            if index is not None:
                problem["credentialIndex"] = index
            problems.append(problem)
    results = result.to_json()
    return {
        "verified": results["verified"],
        "checks": _unique(passed),
        "warnings": _unique(warnings),
        "errors": _unique(errors),
        "problemDetails": problems,
        "verdict": verdict_json(result),
        "results": results,
    }
