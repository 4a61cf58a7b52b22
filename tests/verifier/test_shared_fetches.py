"""Concurrent GETs of one URL share one exchange, against a real HTTP server on loopback.

The thundering herd: when a popular status list's cache runs out, every request naming
it asks at once. One exchange answers them all; its failure is theirs too; each waits
no longer than its own deadline; and a waiter holding the last work slot cannot
deadlock the request doing the fetch.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from verifier import budget, work_slots
from verifier.errors import FetchFailedError
from verifier.fetch import Fetcher, FetchPolicy
from verifier.host_slots import MAX_FETCHES_PER_HOST

ALLOW = FetchPolicy(allow_private_network=True)


@dataclass
class Host:
    port: int
    delay: float = 0.8  # long enough for every asker to arrive while it is in flight
    status: int = 200
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def host() -> Iterator[Host]:
    state = Host(port=0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state.lock:
                state.paths.append(self.path)
            time.sleep(state.delay)
            body = f'{{"path": "{self.path}"}}'.encode()
            with contextlib.suppress(OSError):
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _all_at_once(count: int, ask: Callable[[], object]) -> list[object]:
    """Run `ask()` in `count` threads released together; each outcome or exception."""
    start = threading.Barrier(count)

    def one() -> object:
        start.wait()
        try:
            return ask()
        except FetchFailedError as exc:
            return exc

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: one(), range(count)))


def test_thundering_herd_on_one_list_is_one_exchange(host: Host) -> None:
    # More askers than a host has fetch slots: unshared, the extra ones would fail as
    # if the host were down.
    fetcher = Fetcher(ALLOW)
    askers = MAX_FETCHES_PER_HOST + 5
    answers = _all_at_once(askers, lambda: fetcher.fetch(host.url("/status/1")).body)
    assert answers == [b'{"path": "/status/1"}'] * askers
    assert host.paths == ["/status/1"]


def test_a_failed_exchange_fails_every_asker_by_name(host: Host) -> None:
    host.status = 500
    fetcher = Fetcher(ALLOW)
    answers = _all_at_once(6, lambda: fetcher.fetch(host.url("/status/1")))
    assert all(isinstance(a, FetchFailedError) and "HTTP 500" in a.message for a in answers)
    assert host.paths == ["/status/1"]


def test_different_urls_and_conditional_gets_are_not_shared(host: Host) -> None:
    fetcher = Fetcher(ALLOW)
    asks = [
        lambda: fetcher.fetch(host.url("/status/1")),
        lambda: fetcher.fetch(host.url("/status/2")),
        lambda: fetcher.fetch(host.url("/status/1"), if_none_match='"v1"'),
    ]
    start = threading.Barrier(len(asks))

    def run(ask: Callable[[], object]) -> None:
        start.wait()
        ask()

    with concurrent.futures.ThreadPoolExecutor(len(asks)) as pool:
        list(pool.map(run, asks))
    assert sorted(host.paths) == ["/status/1", "/status/1", "/status/2"]


def test_an_answer_is_not_kept_once_its_exchange_has_landed(host: Host) -> None:
    host.delay = 0.0
    fetcher = Fetcher(ALLOW)
    fetcher.fetch(host.url("/status/1"))
    fetcher.fetch(host.url("/status/1"))
    assert host.paths == ["/status/1", "/status/1"]


def test_an_asker_waits_no_longer_than_its_own_budget(host: Host) -> None:
    host.delay = 2.0
    fetcher = Fetcher(ALLOW)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        leader = pool.submit(fetcher.fetch, host.url("/status/1"))
        time.sleep(0.2)  # the leader's exchange is in flight
        started = time.monotonic()
        with budget.network_budget(0.4), pytest.raises(FetchFailedError) as failed:
            fetcher.fetch(host.url("/status/1"))
        waited = time.monotonic() - started
        assert leader.result(timeout=10).status == 200
    assert waited < 1.5
    assert "took longer than" in failed.value.message
    assert host.paths == ["/status/1"]


def _serve_two(lendable: int, host: Host) -> list[object]:
    """Two requests in a worker of one work slot: the first fetches, the second asks meanwhile."""
    slots, lending = threading.BoundedSemaphore(1), threading.BoundedSemaphore(lendable)
    fetcher = Fetcher(ALLOW)
    leading = threading.Event()

    def request(leads: bool) -> object:
        if not leads:
            leading.wait(5)
            time.sleep(0.05)
        slots.acquire()  # the second gets the slot the first lent while it fetches
        work_slots.hold(slots, lending)
        try:
            if leads:
                leading.set()
            return fetcher.fetch(host.url("/status/1")).body
        except FetchFailedError as exc:
            return exc
        finally:
            work_slots.drop()
            slots.release()

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        asks = [pool.submit(request, True), pool.submit(request, False)]
        return [ask.result(timeout=10) for ask in asks]


def test_a_request_that_can_lend_its_slot_waits_for_the_shared_answer(host: Host) -> None:
    assert _serve_two(2, host) == [b'{"path": "/status/1"}'] * 2
    assert host.paths == ["/status/1"]


def test_a_request_that_would_wait_holding_its_slot_fails_at_once(host: Host) -> None:
    # None left to lend: waiting would hold the worker's only slot on a host that may
    # hang (X05), so the second request fails at once, by name, like one past D15.
    host.delay = 1.0
    started = time.monotonic()
    first, second = _serve_two(1, host)
    assert first == b'{"path": "/status/1"}'
    assert isinstance(second, FetchFailedError)
    assert "already being fetched" in second.message
    assert time.monotonic() - started < 1.0 + 0.8  # not queued behind the first
    assert host.paths == ["/status/1"]
