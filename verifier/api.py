"""The verifier service's VC-API routes (a Flask Blueprint; see :func:`verifier.app.create_app`).

Request bodies are read by :mod:`verifier.api_request` (raw bytes, never a form),
answers shaped by :mod:`verifier.api_response`. A failed verification answers 422
with the full result.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from vc.errors import MalformedDocumentError
from vc.model import document_kind
from vc.results import VerificationResult
from vc.types import JSONObject, JSONValue
from verifier.api_request import VerifyOptions, read_body, read_member, read_options
from verifier.api_response import json_response, verification_body
from verifier.openapi import openapi_document
from verifier.policy import VerificationPolicy
from verifier.service import ServiceState, service_state, verify_answer
from verifier.verify import verify, verify_bytes

__all__ = ["api", "credential_answer"]

# What a string verifiableCredential may be (vc.formats.detect kinds): verified, or
# refused by name (an SD-JWT VC, a JWE...).
_JWS_KINDS = frozenset({"vc-jwt", "ob2-signed", "sd-jwt-vc", "jwe", "jwt", "vp-jwt"})

api = Blueprint("laurel_api", __name__)


def _verified(
    result: VerificationResult, options: VerifyOptions
) -> tuple[int, dict[str, JSONValue]]:
    return 200 if result.verified else 422, verification_body(result, options.listed)


@api.post("/credentials/verify")
def verify_credential() -> Response:
    """Verify ``{"verifiableCredential": {...}, "options": {...}}``: 200 verified, 422 not.

    The credential is a JSON object (Data Integrity, an EnvelopedVerifiableCredential
    holding a VC-JWT, an Open Badges 2.0 hosted assertion) or a compact JWS string (a
    VC-JWT, an Open Badges 2.0 signed assertion). ``options.recipient`` is who the
    badge should be awarded to, checked against its hashed recipient identity.
    :class:`verifier.fast_route.FastVerifyRoute` answers the same requests without
    Flask's request machinery; this view answers what it passes on.
    """
    status, body = credential_answer(read_body(), service_state())
    return json_response(body, status)


def credential_answer(body: JSONObject, state: ServiceState) -> tuple[int, dict[str, JSONValue]]:
    """The status and VC-API body answering a ``/credentials/verify`` request `body`.

    Raises:
        MalformedDocumentError: the request is not one (a 400 problem).
    """
    now = state.clock()
    options = read_options(body)
    policy = VerificationPolicy(
        now=now,
        anchor_confirmations=state.anchor_confirmations,
        trusted_issuers=state.trust,
        recipient=options.recipient,
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
        return _verified(result, options)
    credential = read_member(body, "verifiableCredential")
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
    return _verified(result, options)


@api.post("/presentations/verify")
def verify_presentation() -> Response:
    """Verify a presentation; ``options.challenge``/``domain`` are the caller's or this service's.

    VC-API, "Verify Presentation": the caller passes the challenge and domain it
    expects. One this service issued (``POST /challenges``) is single-use; any other
    is the caller's to vouch for. A presentation without a proof is verified as
    unsigned (a warning, a failure when a challenge was asked for).
    """
    state = service_state()
    now = state.clock()
    body = read_body()
    presentation = read_member(body, "verifiablePresentation")
    options = read_options(body)
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
    status, answer = _verified(result, options)
    return json_response(answer, status)


@api.post("/challenges")
def issue_challenge() -> Response:
    """Issue a fresh, single-use challenge (201) bound to the service's domain or the Host."""
    state = service_state()
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
        identifier, query, request.headers.get("Accept", ""), service_state().resolver
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
