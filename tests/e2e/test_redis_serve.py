"""Two `laurel serve` instances sharing one real Redis (`--store redis://`), on loopback.

What several machines behind a load balancer need: a challenge issued by one
instance is answered once and only once across all of them, even when answers race;
the per-client rate limits count across instances; when Redis goes away,
presentations are refused by name (503 ``state_unavailable``) while plain
credentials keep verifying, and everything works again when it returns.
"""

from __future__ import annotations

import concurrent.futures
import json
from collections.abc import Iterator

import pytest

from tests.builders import badge, presentation
from tests.service_tools import LaurelServe, RedisServer, call, laurel_serve

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pair(redis: RedisServer) -> Iterator[tuple[LaurelServe, LaurelServe]]:
    # One instance takes the store from --store, the other from LAUREL_STORE.
    with (
        laurel_serve("--workers", "2", "--store", redis.uri, "--domain", "hiring.example") as a,
        laurel_serve(
            "--workers", "2", "--domain", "hiring.example", env={"LAUREL_STORE": redis.uri}
        ) as b,
    ):
        yield a, b


def _answer(port: int, vp: dict, challenge: str) -> tuple[int, dict]:
    status, body, _ = call(
        port,
        "POST",
        "/presentations/verify",
        {
            "verifiablePresentation": vp,
            "options": {"challenge": challenge, "domain": "hiring.example"},
        },
    )
    return status, body


def test_a_challenge_from_one_instance_is_answered_once_across_both(
    pair: tuple[LaurelServe, LaurelServe],
) -> None:
    a, b = pair
    for _ in range(3):
        status, issued, _ = call(a.port, "POST", "/challenges", {})
        assert status == 201
        vp = presentation([badge()], challenge=issued["challenge"], domain="hiring.example")
        # Eight answers race, four at each instance: one is accepted, seven replays refused.
        ports = [a.port, b.port] * 4
        with concurrent.futures.ThreadPoolExecutor(len(ports)) as pool:
            answers = list(pool.map(_answer, ports, [vp] * 8, [issued["challenge"]] * 8))
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200] + [422] * 7, answers
        for status, body in answers:
            if status == 422:
                assert body["errors"] == ["presentation.challenge_reused"], body


def test_the_other_instance_knows_a_challenge_it_did_not_issue(
    pair: tuple[LaurelServe, LaurelServe],
) -> None:
    a, b = pair
    _, issued, _ = call(b.port, "POST", "/challenges", {})
    vp = presentation([badge()], challenge=issued["challenge"], domain="hiring.example")
    assert _answer(a.port, vp, issued["challenge"])[0] == 200
    status, body = _answer(b.port, vp, issued["challenge"])
    assert (status, body["errors"]) == (422, ["presentation.challenge_reused"])


def test_rate_limits_are_shared_between_instances(redis: RedisServer) -> None:
    # Fresh counters: 60 challenges a minute per client in all (the default), asked
    # alternately of the two instances.
    redis.flush()
    with (
        laurel_serve("--workers", "2", "--store", redis.uri) as a,
        laurel_serve("--workers", "2", "--store", redis.uri) as b,
    ):
        statuses = [call(port, "POST", "/challenges", {})[0] for port in [a.port, b.port] * 35]
        assert statuses.count(201) == 60
        assert statuses.count(429) == 10
        assert statuses[:60] == [201] * 60
        for port in (a.port, b.port):
            status, body, headers = call(port, "POST", "/challenges", {})
            assert status == 429
            assert body["status"] == 429
            assert int(headers["Retry-After"]) >= 1
        # Verifying is not limited per client: it is bounded by work in flight only.
        assert (
            call(a.port, "POST", "/credentials/verify", {"verifiableCredential": badge()})[0] == 200
        )


def test_without_redis_presentations_are_refused_by_name_and_credentials_still_verify(
    redis: RedisServer, pair: tuple[LaurelServe, LaurelServe]
) -> None:
    a, b = pair
    redis.flush()  # the counters of the test before
    _, issued, _ = call(a.port, "POST", "/challenges", {})
    vp = presentation([badge()], challenge=issued["challenge"], domain="hiring.example")
    redis.stop()
    try:
        for port in (a.port, b.port):
            status, body, headers = call(
                port, "POST", "/credentials/verify", {"verifiableCredential": badge()}
            )
            assert (status, body["verified"]) == (200, True)
            status, body = _answer(port, vp, issued["challenge"])
            assert status == 503, body
            assert body["type"].endswith("/state_unavailable")
            assert "Redis" in body["detail"]
            status, body, headers = call(port, "POST", "/challenges", {})
            assert status == 503
            assert headers["Retry-After"] == "5"
            assert call(port, "GET", "/health")[0] == 200
    finally:
        redis.start()
    # Back (and empty: the old challenge is gone, so it is unknown, not accepted).
    status, body = _answer(b.port, vp, issued["challenge"])
    assert (status, body["errors"]) == (422, ["presentation.challenge_unknown"])
    _, fresh, _ = call(b.port, "POST", "/challenges", {})
    vp = presentation([badge()], challenge=fresh["challenge"], domain="hiring.example")
    assert _answer(a.port, vp, fresh["challenge"])[0] == 200
    assert json.dumps(_answer(b.port, vp, fresh["challenge"])[1]).count("challenge_reused") >= 1
