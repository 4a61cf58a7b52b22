"""The verifier service's VC-API routes (a Flask Blueprint; see :func:`verifier.app.create_app`).

Request bodies are read as raw bytes and parsed by :func:`vc.jsontext.parse_document`
(duplicate keys, depth and size limits), never by ``request.get_json()``, and forms
are never parsed. A failed verification answers 422 with the full result.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, request

from vc.did import DidResolver
from vc.errors import MalformedDocumentError
from vc.jsontext import parse_document
from vc.model import document_kind
from vc.results import CheckResult, Status, VerificationResult
from vc.types import JSONObject, JSONValue
from verifier.challenges import ChallengeBook, issued_here
from verifier.policy import VerificationPolicy
from verifier.status import StatusChecker
from verifier.verdict import verdict_json
from verifier.verify import verify, verify_bytes

if TYPE_CHECKING:
    from anchor.check import ChainDirectory

__all__ = [
    "JSON_TYPES",
    "PARSING_ERROR",
    "PROBLEM_BASE",
    "PROBLEM_JSON",
    "ServiceState",
    "api",
    "json_response",
    "openapi_document",
    "problem_response",
    "verification_body",
    "verify_answer",
]

#: Content types accepted on the verify routes.
JSON_TYPES = frozenset({"application/json", "application/ld+json"})
#: RFC 9457 media type.
PROBLEM_JSON = "application/problem+json"
#: Problem type of a request body that cannot be read (VC-API / VC data integrity name).
PARSING_ERROR = "https://w3id.org/security#PARSING_ERROR"
#: Base of laurel's own problem types.
PROBLEM_BASE = "https://laurel.dev/problems/"

_ERROR_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# What a string verifiableCredential may be (vc.formats.detect kinds): verified, or
# refused by name (an SD-JWT VC, a JWE...).
_JWS_KINDS = frozenset({"vc-jwt", "ob2-signed", "sd-jwt-vc", "jwe", "jwt", "vp-jwt"})

api = Blueprint("laurel_api", __name__)


@dataclass(frozen=True, slots=True)
class ServiceState:
    """What the routes share: stored in ``app.extensions["laurel.verifier"]``."""

    resolver: DidResolver
    clock: Callable[[], dt.datetime]
    challenges: ChallengeBook
    domain: str | None = None
    status: StatusChecker | None = None
    anchors: ChainDirectory | None = None
    anchor_confirmations: int | None = None


def _state() -> ServiceState:
    state: ServiceState = current_app.extensions["laurel.verifier"]
    return state


def json_response(
    body: Mapping[str, Any], status: int = 200, *, mimetype: str = "application/json"
) -> Response:
    """A JSON response; ``<``, ``>`` and ``&`` are escaped so the body is inert as HTML."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Response(text, status=status, mimetype=mimetype)


def problem_response(
    status: int, title: str, detail: str, *, type_: str = "about:blank", **extra: JSONValue
) -> Response:
    """An RFC 9457 problem details response."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    body.update(extra)
    return json_response(body, status, mimetype=PROBLEM_JSON)


# --- request reading -------------------------------------------------------------------------


def _read_body() -> JSONObject:
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


def _member(body: JSONObject, name: str) -> JSONObject:
    value = body.get(name)
    if value is None:
        raise MalformedDocumentError(f"the request has no {name!r} member", code="missing_member")
    if not isinstance(value, dict):
        raise MalformedDocumentError(f"{name!r} must be a JSON object", code="not_an_object")
    return value


@dataclass(frozen=True, slots=True)
class _Options:
    challenge: str | None = None
    domain: str | None = None
    checks: tuple[str, ...] | None = None
    recipient: str | None = None

    def listed(self, check_id: str) -> bool:
        """Whether a passed check is listed in ``checks`` (the report only, never `verified`)."""
        if self.checks is None:
            return True
        return any(check_id == name or check_id.startswith(name + ".") for name in self.checks)


def _options(body: JSONObject) -> _Options:
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
    return _Options(
        strings["challenge"],
        strings["domain"],
        tuple(str(c) for c in checks) if isinstance(checks, list) else None,
        strings["recipient"].strip() if strings["recipient"] is not None else None,
    )


# --- response shaping ------------------------------------------------------------------------


def _problem_type(check: CheckResult) -> str:
    error = check.details.get("error")
    if isinstance(error, str) and _ERROR_NAME.fullmatch(error):
        return f"https://w3id.org/security#{error}"
    return PROBLEM_BASE + check.id


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
    problems: list[JSONValue] = []
    for index, check in flat:
        if check.status is not Status.FAILED:
            continue
        problem: dict[str, JSONValue] = {
            "type": _problem_type(check),
            "title": check.id,
            "detail": check.message,
        }
        if index is not None:
            problem["credentialIndex"] = index
        problems.append(problem)
    return {
        "verified": result.verified,
        "checks": _unique([c.id for _, c in flat if c.status is Status.PASSED and listed(c.id)]),
        "warnings": _unique([c.id for _, c in flat if c.status is Status.WARNING]),
        "errors": _unique([c.id for _, c in flat if c.status is Status.FAILED]),
        "problemDetails": problems,
        "verdict": verdict_json(result),
        "results": result.to_json(),
    }


def _verified_response(result: VerificationResult, options: _Options) -> Response:
    return json_response(verification_body(result, options.listed), 200 if result.verified else 422)


# --- routes ----------------------------------------------------------------------------------


@api.post("/credentials/verify")
def verify_credential() -> Response:
    """Verify ``{"verifiableCredential": {...}, "options": {...}}``: 200 verified, 422 not.

    The credential is a JSON object (Data Integrity, an EnvelopedVerifiableCredential
    holding a VC-JWT, an Open Badges 2.0 hosted assertion) or a compact JWS string (a
    VC-JWT, an Open Badges 2.0 signed assertion). ``options.recipient`` is who the
    badge should be awarded to, checked against its hashed recipient identity.
    """
    now = _state().clock()
    body = _read_body()
    options = _options(body)
    state = _state()
    policy = VerificationPolicy(
        now=now, anchor_confirmations=state.anchor_confirmations, recipient=options.recipient
    )
    given = body.get("verifiableCredential")
    if isinstance(given, str):
        from vc.formats.detect import detect

        if detect(given.encode("utf-8")).kind not in _JWS_KINDS:
            raise MalformedDocumentError(
                "'verifiableCredential' must be a JSON object, or a compact JWS string "
                "(a VC-JWT, an Open Badges 2.0 signed assertion)",
                code="not_an_object",
            )
        result = verify_bytes(
            given.encode("utf-8"),
            policy,
            resolver=state.resolver,
            status_checker=state.status,
            anchors=state.anchors,
        )
        return _verified_response(result, options)
    credential = _member(body, "verifiableCredential")
    if document_kind(credential) == "presentation":
        raise MalformedDocumentError(
            "verifiableCredential holds a presentation; use /presentations/verify",
            code="not_a_credential",
        )
    result = verify(
        credential,
        policy,
        resolver=state.resolver,
        status_checker=state.status,
        anchors=state.anchors,
    )
    return _verified_response(result, options)


_CHALLENGE_FAILURES = {
    "unknown": "this verifier never issued the challenge (or has forgotten it); ask for a new one",
    "reused": "the challenge was already used; each challenge is good for one presentation",
    "expired": "the challenge has expired; ask for a new one",
}


def verify_answer(
    state: ServiceState,
    presentation: JSONObject,
    challenge: str | None,
    now: dt.datetime,
    *,
    domain: str | None = None,
    caller_vouches: bool = False,
) -> VerificationResult:
    """Verify a presentation against a challenge, using up a challenge this service issued.

    A challenge this service issued is consumed on first use, whatever the
    verification then says, and is bound to the domain it was issued for, which
    then replaces `domain`; a used or expired one adds a failed
    ``presentation.challenge_*`` check (SECURITY.md P01, P04). A challenge it never
    issued fails as ``presentation.challenge_unknown`` (P10), unless
    `caller_vouches` and it is not shaped like this service's (a forgotten challenge
    of its own is never a caller's): a VC-API caller may pass its own challenge and domain, as
    ``laurel verify --challenge`` does, and the presentation must then carry exactly
    them. With no `challenge`, nothing is consumed.
    """
    extra: list[CheckResult] = []
    vouched = False
    if challenge is not None:
        taken = state.challenges.take(challenge, now)
        if taken.outcome == "ok":
            if taken.challenge is not None and taken.challenge.domain is not None:
                domain = taken.challenge.domain
        elif taken.outcome == "unknown" and caller_vouches and not issued_here(challenge):
            vouched = True
            extra.append(
                CheckResult.passed(
                    "presentation.challenge_vouched",
                    "the caller supplied the challenge (this verifier did not issue it, so it "
                    "is not checked for single use)",
                )
            )
        else:
            extra.append(
                CheckResult.failed(
                    f"presentation.challenge_{taken.outcome}",
                    _CHALLENGE_FAILURES[taken.outcome],
                    error="INVALID_CHALLENGE_ERROR",
                )
            )
    policy = VerificationPolicy(
        now=now,
        challenge=challenge,
        domain=domain,
        anchor_confirmations=state.anchor_confirmations,
        # VC DM 2.0 leaves holder = subject to the verifier's business rules: a caller
        # with its own challenge reads it as a warning; laurel's own requests hold it.
        holder_must_be_subject=False if vouched else None,
    )
    result = verify(
        presentation,
        policy,
        resolver=state.resolver,
        status_checker=state.status,
        anchors=state.anchors,
    )
    if extra:
        result = VerificationResult(
            (*extra, *result.checks),
            summary=result.summary,
            credentials=result.credentials,
            unreadable=result.unreadable,
        )
    return result


@api.post("/presentations/verify")
def verify_presentation() -> Response:
    """Verify a presentation; ``options.challenge``/``domain`` are the caller's or this service's.

    VC-API, "Verify Presentation": the caller passes the challenge and domain it
    expects. One this service issued (``POST /challenges``) is single-use; any other
    is the caller's to vouch for. A presentation without a proof is verified as
    unsigned (a warning, a failure when a challenge was asked for).
    """
    state = _state()
    now = state.clock()
    body = _read_body()
    presentation = _member(body, "verifiablePresentation")
    options = _options(body)
    if document_kind(presentation) != "presentation":
        raise MalformedDocumentError(
            "verifiablePresentation is not a VerifiablePresentation", code="not_a_presentation"
        )
    result = verify_answer(
        state,
        presentation,
        options.challenge,
        now,
        domain=options.domain,
        caller_vouches=True,
    )
    return _verified_response(result, options)


@api.post("/challenges")
def issue_challenge() -> Response:
    """Issue a fresh, single-use challenge (201) bound to the service's domain or the Host."""
    state = _state()
    now = state.clock()
    challenge = state.challenges.issue(now, domain=state.domain or request.host)
    return json_response(challenge.to_json(), 201)


@api.get("/1.0/identifiers/<path:did>")
def resolve_did(did: str) -> Response:
    """Resolve a DID or dereference a DID URL (DID Resolution, "HTTP(S) Binding")."""
    from verifier.resolution import did_from_path, resolve_request

    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    identifier = did_from_path(raw if isinstance(raw, str) else None, did)
    query = {key: value for key, value in request.args.items()}
    answer = resolve_request(
        identifier, query, request.headers.get("Accept", ""), _state().resolver
    )
    return json_response(answer.body, answer.status, mimetype=answer.content_type)


@api.get("/health")
def health() -> Response:
    """Liveness: ``{"status": "ok"}``."""
    return json_response({"status": "ok"})


@api.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of these routes."""
    return json_response(openapi_document())


def openapi_document() -> dict[str, Any]:
    """A small hand-written OpenAPI 3.1 document for the service."""
    problem = {"$ref": "#/components/responses/Problem"}
    verify_responses = {
        "200": {"$ref": "#/components/responses/Verified"},
        "422": {"$ref": "#/components/responses/NotVerified"},
        "400": problem,
        "413": problem,
    }

    def verify_op(summary: str, member: str, options: dict[str, Any]) -> dict[str, Any]:
        return {
            "summary": summary,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": [member],
                            "properties": {
                                member: {"type": ["object", "string"]}
                                if member == "verifiableCredential"
                                else {"type": "object"},
                                "options": {"type": "object", "properties": options},
                            },
                        }
                    }
                },
            },
            "responses": verify_responses,
        }

    checks_option = {
        "type": "array",
        "items": {"type": "string"},
        "description": "Narrows which passed checks are listed; never changes `verified`.",
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "laurel verifier", "version": "1.0.0"},
        "paths": {
            "/credentials/verify": {
                "post": verify_op(
                    "Verify a credential (JSON, or a VC-JWT / Open Badges 2.0 JWS as a string)",
                    "verifiableCredential",
                    {
                        "checks": checks_option,
                        "recipient": {
                            "type": "string",
                            "description": "Who the badge should be awarded to (an email, URL "
                            "or DID): checked against its hashed recipient identity.",
                        },
                    },
                )
            },
            "/presentations/verify": {
                "post": verify_op(
                    "Verify a presentation",
                    "verifiablePresentation",
                    {
                        "challenge": {
                            "type": "string",
                            "description": "One from POST /challenges (single use), or the "
                            "caller's own, which the caller vouches for.",
                        },
                        "domain": {"type": "string"},
                        "checks": checks_option,
                    },
                )
            },
            "/challenges": {
                "post": {
                    "summary": "Issue a single-use challenge (expires after 5 minutes)",
                    "responses": {
                        "201": {
                            "description": "A fresh challenge",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Challenge"}
                                }
                            },
                        }
                    },
                }
            },
            "/1.0/identifiers/{did}": {
                "get": {
                    "summary": "Resolve a DID (did:key, did:web) or dereference a DID URL's "
                    "fragment (DID Resolution, HTTP(S) binding)",
                    "parameters": [
                        {
                            "name": "did",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        code: {
                            "description": description,
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                        for code, description in (
                            ("200", "DID resolution result"),
                            ("400", "invalidDid"),
                            ("404", "notFound"),
                            ("501", "methodNotSupported"),
                        )
                    },
                }
            },
            "/health": {
                "get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}
            },
            "/openapi.json": {
                "get": {"summary": "This document", "responses": {"200": {"description": "ok"}}}
            },
        },
        "components": {
            "schemas": {
                "Challenge": {
                    "type": "object",
                    "required": ["challenge", "domain", "expires"],
                    "properties": {
                        "challenge": {"type": "string"},
                        "domain": {"type": "string"},
                        "expires": {"type": "string", "format": "date-time"},
                    },
                },
                "VerifyResponse": {
                    "type": "object",
                    "required": ["verified", "checks", "warnings", "errors", "problemDetails"],
                    "properties": {
                        "verified": {"type": "boolean"},
                        "checks": {"type": "array", "items": {"type": "string"}},
                        "warnings": {"type": "array", "items": {"type": "string"}},
                        "errors": {"type": "array", "items": {"type": "string"}},
                        "problemDetails": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Problem"},
                        },
                        "results": {"type": "object"},
                    },
                },
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                    },
                },
            },
            "responses": {
                "Verified": {
                    "description": "Verified",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/VerifyResponse"}
                        }
                    },
                },
                "NotVerified": {
                    "description": "Not verified; every failing check is named",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/VerifyResponse"}
                        }
                    },
                },
                "Problem": {
                    "description": "RFC 9457 problem details",
                    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                },
            },
        },
    }
