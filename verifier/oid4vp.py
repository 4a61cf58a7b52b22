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

import base64
import datetime as dt
import secrets
import urllib.parse
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request, url_for

from ui.i18n import LANGUAGES, Locale
from vc.did import did_key_from_public_key
from vc.jws import sign_jwt
from vc.keys import Ed25519KeyPair
from vc.model import document_kind
from vc.results import CheckResult, VerificationResult
from vc.types import JSONObject, JSONValue
from verifier.api_response import json_response, verification_body
from verifier.dcql import (
    OPEN_BADGE_TYPE,
    Presented,
    matches_open_badge_type,
    open_badge_query,
    read_vp_token,
)
from verifier.oid4vp_store import SqliteTransactionStore, TransactionStore
from verifier.policy import VerificationPolicy
from verifier.sdjwt import verify_sd_jwt_vc
from verifier.service import ServiceState
from verifier.verdict import verdict_json
from verifier.verify import verify
from verifier.vpjwt import VP_JWT_ALGORITHMS, presented_credentials, verify_vp_jwt

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

#: JAR media type and ``typ`` (RFC 9101; OID4VP 1.0, "Authorization Request").
REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt"
#: How long a wallet has to fetch the request and answer it.
REQUEST_TTL = dt.timedelta(minutes=10)
#: How long a verdict can be read at its status URI.
RESULT_TTL = dt.timedelta(minutes=30)
#: OID4VP 1.0, "aud of a Request Object": the audience under static discovery.
SELF_ISSUED_AUDIENCE = "https://self-issued.me/v2"
_MAX_FORM_FIELDS = 16

oid4vp = Blueprint("laurel_oid4vp", __name__)


@dataclass(frozen=True, slots=True)
class VerifierIdentity:
    """The verifier's DID and the key that signs its request objects."""

    key: Ed25519KeyPair
    did: str
    kid: str

    @classmethod
    def from_key(cls, key: Ed25519KeyPair) -> VerifierIdentity:
        """The did:key identity of `key`."""
        did = did_key_from_public_key(key.public_key)
        return cls(key, did, f"{did}#{did.removeprefix('did:key:')}")

    @classmethod
    def ephemeral(cls) -> VerifierIdentity:
        """A fresh did:key for this process (each transaction keeps the client_id it was made with)."""
        return cls.from_key(Ed25519KeyPair.generate())

    @property
    def client_id(self) -> str:
        """``decentralized_identifier:<DID>``, the full client identifier (prefix included)."""
        return f"decentralized_identifier:{self.did}"

    def __repr__(self) -> str:
        return f"VerifierIdentity(did={self.did!r})"


@dataclass(frozen=True, slots=True)
class Oid4vpState:
    """What the OID4VP routes share: ``app.extensions["laurel.oid4vp"]``."""

    identity: VerifierIdentity
    store: TransactionStore

    @classmethod
    def default(cls) -> Oid4vpState:
        """An ephemeral identity and an in-memory store (one process)."""
        return cls(VerifierIdentity.ephemeral(), SqliteTransactionStore(":memory:"))


def _states() -> tuple[ServiceState, Oid4vpState]:
    return current_app.extensions["laurel.verifier"], current_app.extensions["laurel.oid4vp"]


def _random() -> str:
    # 128 bits, base64url: "ASCII URL safe characters" (OID4VP 1.0, "Existing Parameters", nonce).
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode("ascii")


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _client_metadata() -> JSONObject:
    # OID4VP 1.0, "Verifier Metadata (Client Metadata)" and the formats' "Metadata" sections.
    return {
        "client_name": "laurel verifier",
        "vp_formats_supported": {
            "ldp_vc": {
                "proof_type_values": ["DataIntegrityProof", "Ed25519Signature2020"],
                "cryptosuite_values": ["eddsa-rdfc-2022", "eddsa-jcs-2022"],
            },
            "jwt_vc_json": {"alg_values": list(VP_JWT_ALGORITHMS)},
            "dc+sd-jwt": {
                "sd-jwt_alg_values": ["EdDSA"],
                "kb-jwt_alg_values": ["EdDSA", "ES256"],
            },
        },
    }


def start_transaction(now: dt.datetime) -> JSONObject:
    """Create a transaction and its signed request object; the ``POST /oid4vp/requests`` body.

    OID4VP 1.0, "Authorization Request" (signed by reference, JAR), "Response Mode
    direct_post" and "Digital Credentials Query Language (DCQL)".
    """
    _, state = _states()
    tid, sid = _random(), _random()
    identity = state.identity
    expires = now + REQUEST_TTL
    request_uri = url_for("laurel_oid4vp.request_object", tid=tid, _external=True)
    claims: JSONObject = {
        "aud": SELF_ISSUED_AUDIENCE,
        "client_id": identity.client_id,
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": url_for("laurel_oid4vp.response", tid=tid, _external=True),
        "nonce": _random(),
        "state": _random(),
        "dcql_query": open_badge_query(),
        "client_metadata": _client_metadata(),
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    jwt = sign_jwt(identity.key, claims, typ=REQUEST_OBJECT_TYPE, kid=identity.kid)
    record: JSONObject = {**claims, "request_object": jwt, "sid": sid}
    state.store.put(f"tx:{tid}", record, now=now, ttl=REQUEST_TTL)
    state.store.put(f"status:{sid}", {"status": "pending"}, now=now, ttl=REQUEST_TTL)
    query = urllib.parse.urlencode({"client_id": identity.client_id, "request_uri": request_uri})
    return {
        "request": f"openid4vp://?{query}",
        "status_uri": url_for("laurel_oid4vp.status", sid=sid, _external=True),
        "qr_uri": url_for("laurel_oid4vp.request_qr", tid=tid, _external=True),
        "expires": _stamp(expires),
    }


def page_transaction(challenge: str, now: dt.datetime) -> JSONObject:
    """The OID4VP request shown beside the page's request `challenge`: made once, then the same."""
    _, state = _states()
    found = state.store.get(f"page:{challenge}", now)
    if found is not None and found.state == "live":
        return found.value
    started = start_transaction(now)
    # The page loads only from its own origin, by path (its QR code, its status).
    for name in ("status_uri", "qr_uri"):
        started[name] = urllib.parse.urlsplit(str(started[name])).path
    state.store.put(f"page:{challenge}", started, now=now, ttl=REQUEST_TTL)
    return started


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


def verify_vp_token(
    service: ServiceState, record: JSONObject, form: dict[str, str], now: dt.datetime
) -> VerificationResult:
    """Verify a direct_post answer against its transaction `record` (its nonce, client_id, state, query).

    Each presentation goes through laurel's pipeline with the nonce as challenge
    and the client identifier as domain (audience); the problems of the token
    itself come first. Never raises for bad input.
    """
    problems: list[CheckResult] = []
    if form.get("state") != record.get("state"):
        problems.append(
            CheckResult.failed(
                "presentation.state_mismatch", "the answer's state is not this request's"
            )
        )
    token = form.get("vp_token")
    query = record.get("dcql_query")
    if token is None or not isinstance(query, dict):
        problems.append(
            CheckResult.failed("format.vp_token_missing", "the answer carries no vp_token")
        )
        return VerificationResult(tuple(problems))
    presented, token_problems = read_vp_token(token, query)
    problems.extend(token_problems)
    policy = VerificationPolicy(
        now=now,
        challenge=str(record["nonce"]),
        domain=str(record["client_id"]),
        anchor_confirmations=service.anchor_confirmations,
    )
    results = [_verify_one(service, item, policy) for item in presented]
    if len(results) == 1:
        only = results[0]
        return VerificationResult(
            (*problems, *only.checks), summary=only.summary, credentials=only.credentials
        )
    checks = problems or [CheckResult.failed("format.vp_token_count", "one presentation expected")]
    return VerificationResult(tuple(checks), credentials=tuple(results))


def _verify_one(
    service: ServiceState, item: Presented, policy: VerificationPolicy
) -> VerificationResult:
    if item.format == "dc+sd-jwt" and isinstance(item.presentation, str):
        return verify_sd_jwt_vc(
            item.presentation, policy, resolver=service.resolver, vct_values=(OPEN_BADGE_TYPE,)
        )
    if item.format == "jwt_vc_json" and isinstance(item.presentation, str):
        # OID4VP 1.0, "VC signed as a JWT, not using JSON-LD": a VP-JWT over nonce and aud.
        result = verify_vp_jwt(
            item.presentation,
            policy,
            resolver=service.resolver,
            status_checker=service.status,
            anchors=service.anchors,
        )
        return _with_query_check(
            result, {"verifiableCredential": presented_credentials(item.presentation)}
        )
    if item.format == "ldp_vc" and isinstance(item.presentation, dict):
        document = item.presentation
        if document_kind(document) != "presentation":
            return VerificationResult(
                (
                    CheckResult.failed(
                        "format.not_a_presentation",
                        "an ldp_vc answer must be a presentation signed over the nonce",
                    ),
                )
            )
        result = verify(
            document,
            policy,
            resolver=service.resolver,
            status_checker=service.status,
            anchors=service.anchors,
        )
        return _with_query_check(result, document)
    return VerificationResult(
        (
            CheckResult.failed(
                "format.unsupported",
                f"laurel does not verify {item.format} presentations yet",
            ),
        )
    )


def _with_query_check(result: VerificationResult, document: JSONObject) -> VerificationResult:
    # OID4VP 1.0, "VP Token Validation": the credentials must meet the query (type_values).
    embedded = document.get("verifiableCredential")
    items: list[JSONValue] = embedded if isinstance(embedded, list) else [embedded]
    badges = [c for c in items if isinstance(c, dict) and matches_open_badge_type(c)]
    if badges and len(badges) == len(items):
        check = CheckResult.passed(
            "presentation.query", "the credentials are Open Badges, as asked"
        )
    else:
        check = CheckResult.failed(
            "presentation.query_mismatch",
            "the presentation holds a credential that is not an Open Badge",
        )
    return VerificationResult(
        (*result.checks, check),
        summary=result.summary,
        credentials=result.credentials,
        unreadable=result.unreadable,
    )
