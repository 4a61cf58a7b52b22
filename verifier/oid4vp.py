"""OpenID for Verifiable Presentations 1.0: the verifier's routes (a Flask Blueprint).

``POST /oid4vp/requests`` starts a transaction and answers ``{"request":
"openid4vp://?client_id=…&request_uri=…", "status_uri": …, "expires": …}``; a wallet
fetches the signed request object at ``request_uri``, and posts its answer to the
``response_uri`` it names (``response_mode=direct_post``); ``GET status_uri`` says
``pending``, ``verified``, ``not_verified`` or ``expired``, with the usual report.

The client identifier is ``decentralized_identifier:<the verifier's DID>`` (OID4VP
1.0, "Defined Client Identifier Prefixes"): the request object is a JWT signed with
a key of that DID, and the wallet resolves the DID to check it, with no
certificate authority and no registration; docs/OID4VC.md says why. Each
presentation is then bound to the transaction as "Preventing Replay of
Verifiable Presentations" requires: ``nonce`` as the Data Integrity ``challenge``
(or the KB-JWT's/VP-JWT's ``nonce``), the client identifier as ``domain`` (or ``aud``).

The transaction is started by :mod:`verifier._oid4vp_transaction`, and a wallet's answer
checked by :mod:`verifier._oid4vp_answer`; this module holds the routes.

>>> from vc.did import DidResolver
>>> from verifier.app import create_app
>>> client = create_app(resolver=DidResolver(), testing=True).test_client()
>>> started = client.post("/oid4vp/requests").get_json()
>>> started["request"].startswith("openid4vp://?client_id=decentralized_identifier%3Adid%3Akey%3A")
True
>>> client.get(started["status_uri"]).get_json()["status"]
'pending'
"""

from __future__ import annotations

import datetime as dt
import urllib.parse

from flask import Blueprint, Response, request, url_for

from ui.i18n import LANGUAGES, Locale
from vc.results import CheckResult, VerificationResult
from vc.types import JSONObject
from verifier._oid4vp_answer import verify_vp_token
from verifier._oid4vp_transaction import (
    REQUEST_OBJECT_TYPE,
    REQUEST_TTL,
    Oid4vpState,
    VerifierIdentity,
    _states,
    page_transaction,
    start_transaction,
)
from verifier._oid4vp_transaction import SELF_ISSUED_AUDIENCE as SELF_ISSUED_AUDIENCE
from verifier.api_response import json_response, verification_body
from verifier.verdict import verdict_json

__all__ = [
    "REQUEST_OBJECT_TYPE",
    "REQUEST_TTL",
    "RESULT_TTL",
    "Oid4vpState",
    "VerifierIdentity",
    "oid4vp",
    "page_transaction",
    "start_transaction",
    "verify_vp_token",
]

#: How long a verdict can be read at its status URI.
RESULT_TTL = dt.timedelta(minutes=30)
_MAX_FORM_FIELDS = 16

oid4vp = Blueprint("laurel_oid4vp", __name__)


@oid4vp.post("/oid4vp/requests")
def create_request() -> Response:
    """Start a presentation request (201): the ``openid4vp://`` link and where to read its verdict."""
    service, _ = _states()
    return json_response(start_transaction(service.clock()), 201)


def _oauth_error(status: int, error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, status)


@oid4vp.get("/oid4vp/requests/<tid>")
def request_object(tid: str) -> Response:
    """The signed request object (``application/oauth-authz-req+jwt``; RFC 9101 by reference).

    404 once answered or expired: OID4VP 1.0, "Request URI Error Response".
    """
    service, state = _states()
    found = state.store.get(f"tx:{tid}", service.clock())
    if found is None or found.state != "live":
        return _oauth_error(
            404, "invalid_request_uri", "no such request, or it was answered or expired"
        )
    return Response(
        str(found.value["request_object"]), mimetype=f"application/{REQUEST_OBJECT_TYPE}"
    )


@oid4vp.get("/oid4vp/requests/<tid>/qr.svg")
def request_qr(tid: str) -> Response:
    """The ``openid4vp://`` link of a live request as a QR code (SVG)."""
    from vc.qr import render_svg

    service, state = _states()
    found = state.store.get(f"tx:{tid}", service.clock())
    if found is None or found.state != "live":
        return Response("no such request\n", status=404, mimetype="text/plain")
    query = urllib.parse.urlencode(
        {
            "client_id": str(found.value["client_id"]),
            "request_uri": url_for(".request_object", tid=tid, _external=True),
        }
    )
    return Response(render_svg(f"openid4vp://?{query}"), mimetype="image/svg+xml")


def _form() -> dict[str, str]:
    # OID4VP 1.0, "Response Mode direct_post": application/x-www-form-urlencoded, UTF-8.
    # Parsed here with limits, not by Flask's form parser (SECURITY.md X03).
    if request.mimetype != "application/x-www-form-urlencoded":
        return {}
    body = request.get_data(cache=False, parse_form_data=False)
    try:
        pairs = urllib.parse.parse_qsl(
            body.decode("utf-8"),
            strict_parsing=True,
            max_num_fields=_MAX_FORM_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        return {}
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            return {}
        form[name] = value
    return form


@oid4vp.post("/oid4vp/responses/<tid>")
def response(tid: str) -> Response:
    """The Response URI: take the transaction once, verify the ``vp_token``, record the verdict.

    OID4VP 1.0, "Response Mode direct_post" (200 with a JSON object once
    processed), "VP Token Validation", "Preventing Replay of Verifiable Presentations".
    """
    service, state = _states()
    now = service.clock()
    form = _form()  # an oversized body is refused (413) before the transaction is touched
    taken = state.store.take(f"tx:{tid}", now)
    if taken is None or taken.state != "live":
        reason = "unknown" if taken is None else taken.state
        return _oauth_error(
            400, "invalid_request", f"this request is {reason}: an answer is accepted once, in time"
        )
    record = taken.value
    sid = str(record["sid"])
    if "error" in form:
        checks = (
            CheckResult.failed(
                "presentation.wallet_error",
                f"the wallet answered {form['error'][:64]!r}: {form.get('error_description', '')[:200]}",
            ),
        )
        result = VerificationResult(checks)
    else:
        result = verify_vp_token(service, record, form, now)
    body: JSONObject = {
        "status": "verified" if result.verified else "not_verified",
        "result": verification_body(result),
        # The verdict in words, in each language the page speaks (its script picks its own).
        "verdicts": {
            language: verdict_json(result, locale=Locale(language, language))
            for language in LANGUAGES
        },
    }
    state.store.put(f"status:{sid}", body, now=now, ttl=RESULT_TTL)
    return json_response({})


@oid4vp.get("/oid4vp/status/<sid>")
def status(sid: str) -> Response:
    """``{"status": "pending" | "verified" | "not_verified" | "expired", "result": {…}}`` (404 unknown)."""
    service, state = _states()
    found = state.store.get(f"status:{sid}", service.clock())
    if found is None:
        return _oauth_error(404, "not_found", "no such request")
    if found.value.get("status") == "pending" and found.state == "expired":
        return json_response({"status": "expired", "result": None})
    return json_response({"result": None, **found.value})
