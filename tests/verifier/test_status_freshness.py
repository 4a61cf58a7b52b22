"""A revocation reaches a running verifier within the host's max-age, not the list's ttl.

A real HTTP server on loopback serves a signed status list with an ETag and a short
``Cache-Control: max-age``; the real Fetcher fetches it. Past max-age the checker asks
again with ``If-None-Match``: a 304 keeps the verified copy (nothing re-verified), a new
list is verified and used at once; a host that does not answer is bridged by the copy
only while the list's own ttl allows.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.builders import sign, unsigned_badge
from tests.verifier import test_fetch
from tests.verifier.test_fetch import ALLOW, Server
from tests.verifier.test_status import Clock, signed_list
from vc.did import DidResolver
from vc.status import status_entry
from verifier.check_context import CheckContext
from verifier.errors import FetchFailedError
from verifier.fetch import Fetcher
from verifier.fetched import _max_age
from verifier.policy import VerificationPolicy
from verifier.status import StatusChecker

plain_server = test_fetch.plain_server
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
INDEX = 4242


class Lists:
    """What the server serves: the current list, its ETag, and whether it answers at all."""

    def __init__(self) -> None:
        self.body = b""
        self.etag = '"v1"'
        self.max_age = 30
        self.down = False

    def route(self, handler: Any, state: Server) -> None:
        if self.down:
            handler.send_response(503)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if handler.headers.get("If-None-Match") == self.etag:
            handler.send_response(304)
            handler.send_header("ETag", self.etag)
            handler.send_header("Cache-Control", f"max-age={self.max_age}")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/vc+ld+json")
        handler.send_header("ETag", self.etag)
        handler.send_header("Cache-Control", f"public, max-age={self.max_age}")
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)


@pytest.fixture
def setup(plain_server: Server) -> tuple[Lists, StatusChecker, Clock, Any, Server]:
    url = f"http://127.0.0.1:{plain_server.port}/status/revocation/1"
    lists = Lists()
    lists.body = json.dumps(signed_list(url=url, ttl_ms=300_000)).encode()
    plain_server.routes["/status/revocation/1"] = lists.route
    clock = Clock()
    checker = StatusChecker(Fetcher(ALLOW).fetch, DidResolver(), clock=clock)
    badge = unsigned_badge()
    badge["credentialStatus"] = status_entry(list_url=url, index=INDEX, purpose="revocation")
    return lists, checker, clock, sign(badge), plain_server


def check(checker: StatusChecker, badge: Any) -> Any:
    ctx = CheckContext(policy=VerificationPolicy(now=NOW), resolver=DidResolver())
    (result,) = checker.check(badge, ctx)
    return result


def requests(server: Server) -> list[str | None]:
    return [headers.get("if-none-match") for _path, headers in server.requests]


def test_a_revocation_is_seen_after_max_age_not_after_the_ttl(setup: Any) -> None:
    lists, checker, clock, badge, server = setup
    assert check(checker, badge).id == "status.revocation"
    clock.now += 10
    assert check(checker, badge).details["cache_age_s"] == 10.0, "within max-age: the copy"
    assert requests(server) == [None]
    # The issuer revokes: a new list, a new ETag. Past max-age (30 s, the ttl is 300 s).
    lists.body = json.dumps(
        signed_list(
            url=json.loads(lists.body)["id"], set_bits={INDEX: 1}, valid_from="2026-05-20T08:00:00Z"
        )
    ).encode()
    lists.etag = '"v2"'
    clock.now += 25
    revoked = check(checker, badge)
    assert revoked.id == "status.revoked"
    assert revoked.details["listValidFrom"] == "2026-05-20T08:00:00Z"
    assert requests(server) == [None, '"v1"'], "asked again, with the ETag it had"


def test_an_unchanged_list_is_confirmed_by_a_304(setup: Any) -> None:
    _lists, checker, clock, badge, server = setup
    check(checker, badge)
    clock.now += 31
    confirmed = check(checker, badge)
    assert confirmed.id == "status.revocation"
    assert "cache_age_s" not in confirmed.details, "checked with the issuer just now"
    clock.now += 5
    assert check(checker, badge).details["cache_age_s"] == 5.0
    assert requests(server) == [None, '"v1"']


def test_a_host_that_does_not_answer_is_bridged_only_within_the_ttl(setup: Any) -> None:
    lists, checker, clock, badge, _server = setup
    check(checker, badge)
    lists.down = True
    clock.now += 100  # past max-age, within the list's 300 s ttl
    bridged = check(checker, badge)
    assert bridged.id == "status.revocation"
    assert bridged.details["cache_age_s"] == 100.0, "the page says how old the status is"
    clock.now += 250  # past the ttl
    refused = check(checker, badge)
    assert refused.id == "status.retrieval_failed"


def test_no_cache_means_ask_every_time(setup: Any) -> None:
    lists, checker, clock, badge, server = setup
    lists.max_age = 0
    check(checker, badge)
    clock.now += 1
    check(checker, badge)
    assert requests(server) == [None, '"v1"']


def test_a_304_that_was_not_asked_for_is_a_failure(plain_server: Server) -> None:
    def route(handler: Any, state: Server) -> None:
        handler.send_response(304)
        handler.end_headers()

    plain_server.routes["/x"] = route
    with pytest.raises(FetchFailedError, match="HTTP 304"):
        Fetcher(ALLOW).fetch(f"http://127.0.0.1:{plain_server.port}/x")


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("public, max-age=30", 30.0),
        ('max-age="45"', 45.0),
        ("no-cache", 0.0),
        ("max-age=600, no-store", 0.0),
        ("max-age=99999999", 86_400.0),
        ("max-age=-5", None),
        ("private", None),
        (None, None),
    ],
)
def test_cache_control_is_read_as_rfc_9111_says(header: str | None, seconds: float | None) -> None:
    assert _max_age(header) == seconds


def test_the_networked_checker_revalidates_too(setup: Any) -> None:
    """What `laurel verify` and `laurel serve` use: the lazily made guard passes the ETag on."""
    from verifier.verify import networked_status_checker

    _lists, _checker, _clock, badge, server = setup
    checker = networked_status_checker(allow_private_network=True)
    assert check(checker, badge).id == "status.revocation"
    fetch = checker._fetch
    assert fetch is not None
    url = badge["credentialStatus"]["statusListCredential"]
    assert fetch(url, max_bytes=1 << 20, if_none_match='"v1"').status == 304
    assert requests(server) == [None, '"v1"']


def test_a_warm_check_hands_back_the_result_it_made(setup: Any) -> None:
    # The same entry read from the same list at the same shown age: the same result,
    # not made again; a tenth of a second later, a new one that says so.
    _lists, checker, clock, badge, _server = setup
    check(checker, badge)
    clock.now += 2
    first = check(checker, badge)
    assert check(checker, badge) is first
    assert first.details["cache_age_s"] == 2.0
    assert "cached 2 s ago" in first.message
    clock.now += 0.1
    later = check(checker, badge)
    assert later is not first
    assert later.details["cache_age_s"] == 2.1
