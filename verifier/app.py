"""The verifier service's Flask app factory (``laurel serve`` runs it under granian).

>>> app = create_app(resolver=DidResolver(), testing=True)
>>> app.test_client().get("/health").get_json()
{'status': 'ok'}
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g
from werkzeug.exceptions import HTTPException

from vc.did import DidResolver
from vc.errors import LaurelError, MalformedDocumentError
from verifier.api import api
from verifier.api_response import (
    DEFAULT_HEADERS,
    PARSING_ERROR,
    PROBLEM_BASE,
    PROBLEM_JSON,
    SECURITY_HEADERS,
    internal_error_body,
    json_response,
    problem_response,
)
from verifier.challenges import CHALLENGE_TTL, ChallengeBook, ChallengeStore
from verifier.fast_route import FastVerifyRoute
from verifier.oid4vp import Oid4vpState, oid4vp
from verifier.page import page
from verifier.request_page import request_page
from verifier.service import ServiceState
from verifier.state import StateUnavailableError
from verifier.status import StatusChecker
from verifier.trust import TrustRegistry

if TYPE_CHECKING:
    from anchor.directory import ChainDirectory

__all__ = ["MAX_CONTENT_LENGTH", "SECURITY_HEADERS", "create_app"]

#: Largest request body accepted (SECURITY.md §2): 413 above it.
MAX_CONTENT_LENGTH = 1024 * 1024

_log = logging.getLogger("laurel.verifier")
#: Functions :meth:`_VerifierApp.ensure_sync` remembers at most (the app's own hooks and
#: views: a few dozen).
_SYNC_MEMORY = 1024


class _VerifierApp(Flask):
    """Flask, deciding once per function rather than on every call whether it is async.

    Flask asks :func:`inspect.iscoroutinefunction` about each hook and the view on every
    request (nine times per verification here); the answer never changes.
    """

    def __init__(self, import_name: str) -> None:
        super().__init__(import_name)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """`func`, callable without an event loop (Flask's own answer, remembered)."""
        known = self._sync.get(func)
        if known is None:
            known = super().ensure_sync(func)
            if len(self._sync) < _SYNC_MEMORY:
                self._sync[func] = known
        return known


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_app(
    *,
    resolver: DidResolver | None = None,
    status_checker: StatusChecker | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    challenge_ttl: dt.timedelta = CHALLENGE_TTL,
    testing: bool = False,
    domain: str | None = None,
    challenges: ChallengeBook | None = None,
    anchors: ChainDirectory | None = None,
    anchor_confirmations: int | None = None,
    oid4vp_state: Oid4vpState | None = None,
    trust: TrustRegistry | None = None,
) -> Flask:
    """Build the verifier service.

    Args:
        resolver: the DID resolver; by default did:key locally and did:web through
            the fetch guard (:func:`verifier.verify.networked_resolver`).
        status_checker: fetches, verifies and caches status lists; by default
            through the fetch guard (:func:`verifier.verify.networked_status_checker`).
        clock: returns the current, timezone-aware time; read once per request, in
            the route. Defaults to UTC now.
        challenge_ttl: how long an issued challenge stays usable.
        testing: Flask's testing mode.
        domain: the domain challenges are bound to; by default the request's Host.
        challenges: where challenges are kept; by default in this process's memory
            (`laurel serve` shares one SQLite file between its workers).
        anchors: the chains anchor proofs are looked up on; without them an anchor's
            inclusion and binding are checked but not its record (a warning).
        anchor_confirmations: the depth an anchor needs on an RPC chain (default:
            the node's finalized block, else 64).
        oid4vp_state: the OID4VP verifier's identity and transaction store; by
            default a did:key made for this process and an in-memory store.
        trust: the recognized issuers (``laurel serve --trust``), checked by the API
            routes, the OID4VP answers and the page alike; without it every verdict
            says no registry is set up (a warning).

    Returns:
        The Flask application (a WSGI callable).
    """
    if resolver is None:
        from verifier.verify import networked_resolver

        resolver = networked_resolver()
    app = _VerifierApp(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        TESTING=testing,
        # Problem details are built here; Flask must not add its own debug pages.
        PROPAGATE_EXCEPTIONS=False,
        TRAP_HTTP_EXCEPTIONS=False,
    )
    if status_checker is None:
        from verifier.verify import networked_status_checker

        status_checker = networked_status_checker()
    app.extensions["laurel.verifier"] = ServiceState(
        resolver=resolver,
        status=status_checker,
        clock=clock or _utc_now,
        challenges=challenges if challenges is not None else ChallengeStore(ttl=challenge_ttl),
        domain=domain,
        anchors=anchors,
        anchor_confirmations=anchor_confirmations,
        trust=trust,
    )
    app.register_blueprint(api)
    app.register_blueprint(page)
    app.register_blueprint(request_page)
    app.extensions["laurel.oid4vp"] = oid4vp_state or Oid4vpState.default()
    app.register_blueprint(oid4vp)
    # The verify route's hot path, inside the in-flight bound `laurel serve` adds.
    app.wsgi_app = FastVerifyRoute(app.wsgi_app, app, MAX_CONTENT_LENGTH)  # type: ignore[method-assign]

    @app.before_request
    def _assign_request_id() -> None:
        g.request_id = secrets.token_hex(16)

    @app.after_request
    def _secure_headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        headers.extend(
            [(name, value) for low, name, value in DEFAULT_HEADERS if low not in present]
        )
        request_id = g.get("request_id")
        if request_id is not None:
            headers["X-Request-Id"] = request_id
        return response

    @app.errorhandler(StateUnavailableError)
    def _state_unavailable(exc: StateUnavailableError) -> Response:
        # Nothing single-use can be decided without the shared store: refuse, by name,
        # and say when to come back (plain credentials never reach the store).
        response = problem_response(
            503,
            "StateUnavailableError",
            exc.message,
            type_=PROBLEM_BASE + "state_unavailable",
            hint=exc.hint,
        )
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(LaurelError)
    def _laurel_error(exc: LaurelError) -> Response:
        if isinstance(exc, MalformedDocumentError):
            status = 413 if exc.code == "too_large" else 400
            return problem_response(
                status,
                "The request body cannot be read",
                exc.message,
                type_=PARSING_ERROR,
                code=exc.code,
                hint=exc.hint,
            )
        name = type(exc).__name__
        return problem_response(400, name, exc.message, type_=PROBLEM_BASE + name, hint=exc.hint)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        extra = {"code": "too_large"} if status == 413 else {}
        return problem_response(
            status, exc.name, exc.description or exc.name, type_="about:blank", **extra
        )

    @app.errorhandler(Exception)
    def _internal_error(exc: Exception) -> Response:
        request_id = g.get("request_id") or secrets.token_hex(16)
        _log.error("request %s failed", request_id, exc_info=exc)
        return json_response(internal_error_body(request_id), 500, mimetype=PROBLEM_JSON)

    return app
