"""Reading a VC-API request: the body as one JSON object, its members, the client's options.

Request bodies are read as raw bytes and parsed by :func:`vc.jsontext.parse_document`
(duplicate keys, depth and size limits), never by ``request.get_json()``, and forms
are never parsed. What cannot be read raises :class:`vc.errors.MalformedDocumentError`
(a 400 problem, :func:`verifier.app.create_app`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document
from vc.types import JSONObject

__all__ = ["JSON_TYPES", "VerifyOptions", "read_body", "read_member", "read_options"]

#: Content types accepted on the verify routes.
JSON_TYPES = frozenset({"application/json", "application/ld+json"})


def read_body() -> JSONObject:
    """The request body as one JSON object; MalformedDocumentError (-> 400) otherwise."""
    if request.mimetype not in JSON_TYPES:
        raise MalformedDocumentError(
            f"the request body must be application/json, not {request.mimetype[:64]!r}",
            code="unsupported_media_type",
            hint="Send the request with Content-Type: application/json.",
        )
    # parse_form_data=False: a body is never parsed as a form here (SECURITY.md X03).
    data = request.get_data(cache=False, parse_form_data=False)
    if not data:
        raise MalformedDocumentError("the request body is empty", code="empty_body")
    return parse_document(data)


def read_member(body: JSONObject, name: str) -> JSONObject:
    """The member `name` of the request body, which must be a JSON object."""
    value = body.get(name)
    if value is None:
        raise MalformedDocumentError(f"the request has no {name!r} member", code="missing_member")
    if not isinstance(value, dict):
        raise MalformedDocumentError(f"{name!r} must be a JSON object", code="not_an_object")
    return value


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """The client's ``options`` of a verify request (VC-API)."""

    challenge: str | None = None
    domain: str | None = None
    checks: tuple[str, ...] | None = None
    recipient: str | None = None

    def listed(self, check_id: str) -> bool:
        """Whether a passed check is listed in ``checks`` (the report only, never `verified`)."""
        if self.checks is None:
            return True
        return any(check_id == name or check_id.startswith(name + ".") for name in self.checks)


def read_options(body: JSONObject) -> VerifyOptions:
    """The client's options; unknown keys are ignored (X06), known ones must be well typed."""
    raw = body.get("options", {})
    if not isinstance(raw, dict):
        raise MalformedDocumentError("'options' must be a JSON object", code="invalid_options")
    strings: dict[str, str | None] = {}
    for name in ("challenge", "domain", "recipient"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise MalformedDocumentError(f"options.{name} must be a string", code="invalid_options")
        strings[name] = value
    if strings["recipient"] is not None and not strings["recipient"].strip():
        raise MalformedDocumentError("options.recipient must not be blank", code="invalid_options")
    checks = raw.get("checks")
    if checks is not None and (
        not isinstance(checks, list) or not all(isinstance(c, str) for c in checks)
    ):
        raise MalformedDocumentError(
            "options.checks must be a list of check ids", code="invalid_options"
        )
    return VerifyOptions(
        strings["challenge"],
        strings["domain"],
        tuple(str(c) for c in checks) if isinstance(checks, list) else None,
        strings["recipient"].strip() if strings["recipient"] is not None else None,
    )
