"""Rate limits per client and the bound on work in flight (verifier/limits.py, server.guard)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.builders import badge
from tests.service_tools import call
from vc.did import DidResolver
from verifier.app import create_app
from verifier.limits import LimitPolicy, install_limits
from verifier.server import ServeOptions, guard
from verifier.state import open_store


def _app(**policy: object) -> Flask:
    app = create_app(resolver=DidResolver(), testing=True)
    install_limits(app, LimitPolicy(**policy))  # type: ignore[arg-type]
    return app


def test_challenges_are_limited_per_client_with_retry_after() -> None:
    client = _app(route_limits={("POST", "/challenges"): (3, 60)}).test_client()
    assert [client.post("/challenges").status_code for _ in range(3)] == [201] * 3
    refused = client.post("/challenges")
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["status"] == 429
    # The 60 s window, from the first of the three requests, rounded up to whole seconds.
    assert int(refused.headers["Retry-After"]) in (60, 61)
    # Verification itself is not limited per client.
    ok = client.post("/credentials/verify", json={"verifiableCredential": badge()})
    assert ok.status_code == 200
    assert "Retry-After" not in ok.headers


def test_issuing_counts_only_refused_tokens() -> None:
    # Token guessing is slowed; the issuer with its token is not (a roster through the
    # VC-API, the W3C suite's hundred credentials a minute).
    app = create_app(resolver=DidResolver(), testing=True)

    @app.post("/credentials/issue")
    def issue() -> tuple[str, int]:
        from flask import request

        return ("", 201) if request.headers.get("Authorization") == "Bearer right" else ("", 401)

    install_limits(app, LimitPolicy(route_limits={("POST", "/credentials/issue"): (2, 60)}))
    client = app.test_client()
    good = {"Authorization": "Bearer right"}
    assert [client.post("/credentials/issue", headers=good).status_code for _ in range(5)] == [
        201
    ] * 5
    bad = {"Authorization": "Bearer guess"}
    assert [client.post("/credentials/issue", headers=bad).status_code for _ in range(3)] == [
        401,
        401,
        429,
    ]


def test_the_request_page_is_limited_too() -> None:
    client = _app(route_limits={("GET", "/request"): (2, 60)}).test_client()
    assert [client.get("/request").status_code for _ in range(3)] == [303, 303, 429]


def test_memory_counters_divide_the_limit_between_workers() -> None:
    # Each of 2 workers keeps its own counters: each lets half through, so a client
    # never gets more than the limit in all.
    client = _app(route_limits={("POST", "/challenges"): (5, 60)}, workers=2).test_client()
    assert [client.post("/challenges").status_code for _ in range(4)] == [201, 201, 201, 429]


def test_behind_a_proxy_each_forwarded_client_is_counted(tmp_path: Path) -> None:
    app = create_app(resolver=DidResolver(), testing=True)
    options = ServeOptions(workers=1, proxies=1)
    guard(app, open_store(f"sqlite:///{tmp_path / 's.db'}"), options)
    client = app.test_client()
    forwarded = [
        client.post("/challenges", headers={"X-Forwarded-For": f"203.0.113.{n % 2}"}).status_code
        for n in range(120)
    ]
    assert forwarded.count(201) == 120  # 60 a minute for each of the two clients


def test_without_proxies_a_forwarded_header_changes_nothing() -> None:
    client = _app(route_limits={("POST", "/challenges"): (2, 60)}).test_client()
    statuses = [
        client.post("/challenges", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]


held_app: dict[str, Flask] = {}


@pytest.fixture
def held(request: pytest.FixtureRequest) -> Iterator[tuple[int, threading.Event, threading.Event]]:
    """A real threaded server with in_flight=1 and a route that waits until released."""
    app = create_app(resolver=DidResolver(), testing=True)
    entered, release = threading.Event(), threading.Event()

    @app.get("/hold")
    def hold() -> str:
        entered.set()
        release.wait(30)
        return "done"

    install_limits(app, LimitPolicy(in_flight=1, queue=getattr(request, "param", 0)))
    held_app["app"] = app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port, entered, release
    finally:
        release.set()
        server.shutdown()
        thread.join(timeout=10)


def test_work_past_the_bound_is_refused_at_once_and_health_still_answers(
    held: tuple[int, threading.Event, threading.Event],
) -> None:
    port, entered, release = held
    first: list[int] = []
    holder = threading.Thread(target=lambda: first.append(call(port, "GET", "/hold")[0]))
    holder.start()
    assert entered.wait(10)
    status, body, headers = call(
        port, "POST", "/credentials/verify", {"verifiableCredential": badge()}
    )
    assert status == 503
    assert body["type"].endswith("/overloaded")
    assert headers["Retry-After"] == "1"
    assert call(port, "GET", "/health")[0] == 200  # never shed
    release.set()
    holder.join(timeout=10)
    assert first == [200]
    # The slot is free again.
    assert call(port, "POST", "/credentials/verify", {"verifiableCredential": badge()})[0] == 200


def test_a_refusal_is_made_before_flask_sees_the_request(
    held: tuple[int, threading.Event, threading.Event],
) -> None:
    # Past the peak most answers are refusals: each must cost a worker almost nothing
    # (no request context, no hooks), and still carry every header an answer carries.
    port, entered, release = held
    seen: list[str] = []
    held_app["app"].before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append("x"))
    holder = threading.Thread(target=lambda: call(port, "GET", "/hold"))
    holder.start()
    assert entered.wait(10)
    seen.clear()
    status, body, headers = call(port, "POST", "/credentials/verify", {"verifiableCredential": 1})
    release.set()
    holder.join(timeout=10)
    assert (status, seen) == (503, [])
    assert body == {
        "type": "https://laurel.dev/problems/overloaded",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "the verifier is at capacity; try again in a moment",
    }
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert len(headers["X-Request-Id"]) == 32


@pytest.mark.parametrize("held", [1], indirect=True)
def test_a_burst_waits_in_the_queue_and_past_it_is_refused(
    held: tuple[int, threading.Event, threading.Event],
) -> None:
    port, entered, release = held
    holder = threading.Thread(target=lambda: call(port, "GET", "/hold"))
    holder.start()
    assert entered.wait(10)
    queued: list[int] = []
    waiter = threading.Thread(
        target=lambda: queued.append(
            call(port, "POST", "/credentials/verify", {"verifiableCredential": badge()})[0]
        )
    )
    waiter.start()  # takes the one place in the queue...
    waiting = held_app["app"].extensions["laurel.waiting"]
    for _ in range(500):
        if waiting[0] == 1:
            break
        time.sleep(0.01)
    assert waiting[0] == 1
    status = call(port, "POST", "/credentials/verify", {"verifiableCredential": badge()})[0]
    assert status == 503  # ...so the next is refused at once
    release.set()
    waiter.join(timeout=10)
    holder.join(timeout=10)
    assert queued == [200]  # the queued one was served once a slot was free


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="in_flight"):
        LimitPolicy(in_flight=0)
    with pytest.raises(ValueError, match="workers"):
        LimitPolicy(workers=0)


def test_the_oid4vci_token_route_is_limited_under_any_base_path() -> None:
    app = create_app(resolver=DidResolver(), testing=True)

    @app.post("/district/oid4vci/token")
    def token() -> str:
        return "token"

    install_limits(app, LimitPolicy())
    client = app.test_client()
    statuses = [client.post("/district/oid4vci/token").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]  # PIN guessing: 10 tries a minute per client
