"""Rate limits per client, and a bound on work in flight (shedding instead of queueing).

Two guards sit in front of the routes of `laurel serve`:

- **Per-client rate limits** (Flask-Limiter) on the routes that create state or
  guess secrets: ``POST /challenges``, ``GET /request``, the issuing routes and
  the OID4VCI token and credential routes (PIN guessing). Past a limit: ``429`` with
  ``Retry-After``. The counters live where the service's state lives: in Redis
  when the instances share one (every instance sees the same counts), otherwise
  in each worker's memory, with each limit divided by the number of workers (a
  client then never gets more than the limit in all, Flask-Limiter having no
  SQLite storage).
- **Work in flight**: each worker process works on at most `in_flight` requests at
  once (a semaphore, taken before Flask sees the request); a request waiting on a status host, a DID host or a chain node
  lends its slot meanwhile (:mod:`verifier.work_slots`). A burst past it waits, at most `queue` requests and at most
  `queue_wait` seconds each (longer than a verification's network budget, so a request
  held by a slow host delays others but never fails them); anything beyond that queue
  is answered ``503`` with ``Retry-After`` at once. ``queue=0`` sheds everything past
  the bound at once. ``/health`` is never queued or shed.

    >>> from vc.did import DidResolver
    >>> from verifier.app import create_app
    >>> app = create_app(resolver=DidResolver(), testing=True)
    >>> _ = install_limits(app, LimitPolicy(route_limits={("POST", "/challenges"): (2, 60)}))
    >>> client = app.test_client()
    >>> [client.post("/challenges").status_code for _ in range(3)]
    [201, 201, 429]
"""

from __future__ import annotations

import contextlib
import json
import math
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from verifier import work_slots
from verifier.api_response import DEFAULT_HEADERS, PROBLEM_BASE, PROBLEM_JSON

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "DEFAULT_IN_FLIGHT",
    "DEFAULT_QUEUE",
    "DEFAULT_QUEUE_WAIT",
    "DEFAULT_ROUTE_LIMITS",
    "GUESSING_ONLY",
    "LENDABLE",
    "OVERLOADED_BODY",
    "RETRY_AFTER",
    "LimitPolicy",
    "install_limits",
]

#: Requests one worker process works on at once. A request waiting on the network lends
#: its slot (verifier.work_slots), so this counts work. Measured with bench.shed and wrk
#: (2 workers, 2 cores shared with the client): at 2 the server's own p99 for a 503 at
#: c=200 fell from 24-37 ms to 2-17 ms, but honest requests waited longer in the tail
#: (one worker, wrk -c16: p99 91-99 ms against 37-46 ms at 4; a semaphore lets a newcomer
#: take a freed slot before a waiter, and a first-come-first-served gate cost 15-27 % of
#: the throughput of 2 workers). Honest traffic first: 4.
DEFAULT_IN_FLIGHT = 4
#: Requests of one worker that may wait on the network off their slot at once.
LENDABLE = 8
#: Requests one worker lets wait for a slot (a burst); one more is refused at once (503).
DEFAULT_QUEUE = 32
#: Longest wait for a slot (s): past the 8 s network budget of the request before it.
DEFAULT_QUEUE_WAIT = 10.0
#: Seconds a shed client is asked to wait.
RETRY_AFTER = 1
#: (method, URL rule) -> (requests, per seconds), per client, for the whole service.
DEFAULT_ROUTE_LIMITS: Mapping[tuple[str, str], tuple[int, int]] = {
    ("POST", "/challenges"): (60, 60),
    ("GET", "/request"): (30, 60),
    ("POST", "/credentials/issue"): (120, 60),
    ("POST", "/credentials/status"): (120, 60),
    # OID4VCI 1.0, "Token Endpoint": a pre-authorized code with a tx_code (PIN) must not
    # be guessable by repetition. "*" matches the end of a rule: the issuer's routes sit
    # under its base URL's path.
    ("POST", "*/oid4vci/token"): (10, 60),
    ("POST", "*/oid4vci/credential"): (60, 60),
    ("POST", "*/oid4vci/nonce"): (60, 60),
    # OID4VP: each request made is a transaction kept in the shared store.
    ("POST", "/oid4vp/requests"): (60, 60),
}
#: Routes behind the issuer's bearer token: only refused tokens count against the limit,
#: so a caller guessing the token is slowed and the issuer itself (a roster, the W3C
#: suite's hundred credentials a minute) is not; the in-flight bound still caps its work.
GUESSING_ONLY: frozenset[tuple[str, str]] = frozenset(
    {("POST", "/credentials/issue"), ("POST", "/credentials/status")}
)
# Never shed: a load balancer must see the worker alive while it is busy.
_NEVER_SHED = frozenset({"laurel_api.health", "static"})


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    """How much each client may ask, and how much work a worker takes on at once."""

    route_limits: Mapping[tuple[str, str], tuple[int, int]] = field(
        default_factory=lambda: dict(DEFAULT_ROUTE_LIMITS)
    )
    in_flight: int = DEFAULT_IN_FLIGHT
    queue: int = DEFAULT_QUEUE
    queue_wait: float = DEFAULT_QUEUE_WAIT
    #: Worker processes sharing one machine's memory-held counters (limits divide by it).
    workers: int = 1
    #: Flask-Limiter storage: ``memory://`` or the shared Redis URI.
    storage_uri: str = "memory://"

    def __post_init__(self) -> None:
        if self.in_flight < 1:
            raise ValueError("in_flight must be at least 1")
        if self.queue < 0 or self.queue_wait < 0:
            raise ValueError("queue and queue_wait must not be negative")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")


def _limit_text(amount: int, seconds: int, share: int) -> str:
    return f"{max(1, math.ceil(amount / share))} per {seconds} second"


def install_limits(app: Flask, policy: LimitPolicy | None = None) -> Limiter:
    """Guard `app`'s routes with `policy` (call after every blueprint is registered).

    Routes named in ``policy.route_limits`` that the app does not have are ignored,
    so one table serves the verifier alone and the verifier with an issuer.
    """
    policy = policy or LimitPolicy()
    _install_shedding(app, policy.in_flight, policy.queue, policy.queue_wait)
    shared = not policy.storage_uri.startswith("memory://")
    share = 1 if shared else policy.workers
    wanted = {
        (method, rule): _limit_text(amount, seconds, share)
        for (method, rule), (amount, seconds) in policy.route_limits.items()
    }
    limited: set[str] = set()
    limiter = Limiter(
        get_remote_address,
        storage_uri=policy.storage_uri,
        # Flask-Limiter would put Retry-After on every limited response; only a 429 gets it.
        headers_enabled=False,
        strategy="moving-window",
        # When Redis goes away the counters fall back to this worker's memory
        # instead of failing the request, and return to Redis when it is back.
        in_memory_fallback_enabled=shared,
        swallow_errors=shared,
        key_prefix="laurel-limits",
    )
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods or ()):
            text = _limit_for(wanted, method, rule.rule)
            if text is None:
                continue
            limited.add(rule.endpoint)
            view: Any = app.view_functions[rule.endpoint]
            deduct = _refused_token if (method, rule.rule) in GUESSING_ONLY else None
            app.view_functions[rule.endpoint] = limiter.limit(
                text, methods=[method], deduct_when=deduct
            )(view)
    with _only_on(app, limited):
        limiter.init_app(app)

    @app.after_request
    def _retry_after(response: Response) -> Response:
        if response.status_code == 429 and "Retry-After" not in response.headers:
            breached = limiter.current_limit
            wait = RETRY_AFTER
            if breached is not None:
                # Read from the limiter in use (its memory fallback while Redis is down).
                wait = max(RETRY_AFTER, math.ceil(breached.reset_at - time.time()))
            response.headers["Retry-After"] = str(wait)
        return response

    return limiter


@contextlib.contextmanager
def _only_on(app: Flask, endpoints: set[str]) -> Iterator[None]:
    """Run the request hooks registered in the block only for requests to `endpoints`.

    Flask-Limiter's hooks look up a request's limits and exemptions on every request
    (about 10 % of the service's own cost of a verification, measured with callgrind);
    with no default or application-wide limit they find nothing to do on any route
    it does not limit.
    """
    tables: tuple[dict[Any, list[Any]], ...] = (
        app.before_request_funcs,
        app.after_request_funcs,
        app.teardown_request_funcs,
    )
    before = [list(table.get(None, ())) for table in tables]
    yield
    hooks = [table.setdefault(None, []) for table in tables]
    gates: tuple[Callable[[Any, set[str]], Any], ...] = (
        _gate_before,
        _gate_after,
        _gate_teardown,
    )
    for known, funcs, gate in zip(before, hooks, gates, strict=True):
        funcs[:] = [f if f in known else gate(f, endpoints) for f in funcs]


def _gate_before(hook: Callable[[], Any], endpoints: set[str]) -> Callable[[], Any]:
    def gated() -> Any:
        return hook() if request.endpoint in endpoints else None

    return gated


def _gate_after(
    hook: Callable[[Response], Response], endpoints: set[str]
) -> Callable[[Response], Response]:
    def gated(response: Response) -> Response:
        return hook(response) if request.endpoint in endpoints else response

    return gated


def _gate_teardown(
    hook: Callable[[BaseException | None], None], endpoints: set[str]
) -> Callable[[BaseException | None], None]:
    def gated(exc: BaseException | None) -> None:
        if request.endpoint in endpoints:
            hook(exc)

    return gated


def _refused_token(response: Response) -> bool:
    return response.status_code in (401, 403)


def _limit_for(wanted: Mapping[tuple[str, str], str], method: str, rule: str) -> str | None:
    exact = wanted.get((method, rule))
    if exact is not None:
        return exact
    for (want_method, pattern), text in wanted.items():
        if want_method == method and pattern.startswith("*") and rule.endswith(pattern[1:]):
            return text
    return None


def _install_shedding(app: Flask, in_flight: int, queue: int, queue_wait: float) -> None:
    never_shed = frozenset(
        rule.rule for rule in app.url_map.iter_rules() if rule.endpoint in _NEVER_SHED
    )
    static = (app.static_url_path or "/static") + "/"
    admission = _Admission(
        app.wsgi_app,
        in_flight=in_flight,
        queue=queue,
        queue_wait=queue_wait,
        exempt=lambda path: path in never_shed or path.startswith(static),
    )
    app.extensions["laurel.in_flight"] = in_flight
    app.extensions["laurel.waiting"] = admission.waiting
    app.wsgi_app = admission  # type: ignore[method-assign]


class _Admission:
    """WSGI middleware: at most `in_flight` requests work at once, a burst waits, the rest is refused.

    It sits outside Flask so that a refusal costs the GIL a few microseconds (no request
    context, no hooks): past the peak, refusals are most of what a worker answers, and
    each waits its turn for the GIL behind the verifying threads.
    """

    def __init__(
        self,
        app: WSGIApplication,
        *,
        in_flight: int,
        queue: int,
        queue_wait: float,
        exempt: Callable[[str], bool],
    ) -> None:
        self._app = app
        self._slots = threading.BoundedSemaphore(in_flight)
        self._lendable = threading.BoundedSemaphore(LENDABLE)
        self._queue = queue
        self._queue_wait = queue_wait
        self._exempt = exempt
        self.waiting = [0]  # requests waiting for a slot now
        self._waiting_lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self._exempt(environ.get("PATH_INFO", "")):
            return self._app(environ, start_response)
        slots = self._slots
        if not slots.acquire(blocking=False) and not self._wait_for_slot():
            return _refuse(start_response)
        work_slots.hold(slots, self._lendable)
        try:
            return self._app(environ, start_response)
        finally:
            # Flask has run the view and its teardown by now: the body is built.
            work_slots.drop()
            slots.release()

    def _wait_for_slot(self) -> bool:
        with self._waiting_lock:
            if self.waiting[0] >= self._queue:
                return False  # the queue is full: refuse now rather than wait
            self.waiting[0] += 1
        try:
            return self._slots.acquire(timeout=self._queue_wait)
        finally:
            with self._waiting_lock:
                self.waiting[0] -= 1


#: The body of a 503 refusal (RFC 9457), the front's too (verifier/front.py).
OVERLOADED_BODY = json.dumps(
    {
        "type": PROBLEM_BASE + "overloaded",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "the verifier is at capacity; try again in a moment",
    },
    separators=(",", ":"),
).encode()
_OVERLOADED_HEADERS = [
    ("Content-Type", PROBLEM_JSON),
    ("Content-Length", str(len(OVERLOADED_BODY))),
    ("Retry-After", str(RETRY_AFTER)),
    *((name, value) for _, name, value in DEFAULT_HEADERS),
]


def _refuse(start_response: StartResponse) -> Iterable[bytes]:
    start_response(
        "503 SERVICE UNAVAILABLE",
        [*_OVERLOADED_HEADERS, ("X-Request-Id", secrets.token_hex(16))],
    )
    return [OVERLOADED_BODY]
