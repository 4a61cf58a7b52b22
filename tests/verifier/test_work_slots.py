"""A request waiting on the network lends its work slot (verifier.work_slots, verifier.limits).

With one slot per worker, a verification held by a slow status host or chain node must
not make the next verification wait or be refused: it does no work while it waits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.builders import badge
from tests.service_tools import call, serving_in_a_thread
from vc.did import DidResolver
from verifier import limits, work_slots
from verifier.app import create_app
from verifier.limits import LimitPolicy, install_limits


class Waits:
    """A route that waits on 'the network' (inside work_slots.lent) until released."""

    def __init__(self) -> None:
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, Waits]]:
    monkeypatch.setattr(limits, "LENDABLE", 1)  # one request may wait off its slot
    app = create_app(resolver=DidResolver(), testing=True)
    waits = Waits()

    @app.get("/network")
    def network() -> str:
        with work_slots.lent():
            waits.entered.release()
            waits.release.wait(30)
        return "done"

    install_limits(app, LimitPolicy(in_flight=1, queue=0))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    with serving_in_a_thread(server):
        try:
            yield server.server_port, waits
        finally:
            waits.release.set()


def _in_background(port: int, path: str, answers: list[int]) -> threading.Thread:
    thread = threading.Thread(target=lambda: answers.append(call(port, "GET", path)[0]))
    thread.start()
    return thread


def test_a_request_waiting_on_the_network_lets_a_verification_work(
    service: tuple[int, Waits],
) -> None:
    port, waits = service
    answers: list[int] = []
    waiting = _in_background(port, "/network", answers)
    assert waits.entered.acquire(timeout=10)
    # The only slot is lent: this verification works at once instead of a 503.
    assert call(port, "POST", "/credentials/verify", {"verifiableCredential": badge()})[0] == 200
    waits.release.set()
    waiting.join(timeout=10)
    assert answers == [200]  # it took its slot back and finished


def test_lending_is_bounded_past_it_a_waiting_request_keeps_its_slot(
    service: tuple[int, Waits],
) -> None:
    port, waits = service
    answers: list[int] = []
    first = _in_background(port, "/network", answers)
    assert waits.entered.acquire(timeout=10)  # lent its slot (the one lending allowed)
    second = _in_background(port, "/network", answers)
    assert waits.entered.acquire(timeout=10)  # waits holding the slot
    status = call(port, "POST", "/credentials/verify", {"verifiableCredential": badge()})[0]
    assert status == 503  # no slot free, no queue: refused at once, not held
    waits.release.set()
    first.join(timeout=10)
    second.join(timeout=10)
    assert answers == [200, 200]
    assert call(port, "POST", "/credentials/verify", {"verifiableCredential": badge()})[0] == 200


def test_outside_the_service_lending_does_nothing() -> None:
    with work_slots.lent():
        pass  # no slot held (the CLI, a library caller): nothing to lend or take back


def test_holding_says_whether_a_wait_would_hold_a_slot() -> None:
    # verifier.shared_fetches lets a request wait on another's fetch only when it is not
    # holding a work slot meanwhile.
    assert not work_slots.holding()  # outside the service
    slots, lendable = threading.BoundedSemaphore(1), threading.BoundedSemaphore(1)
    slots.acquire()
    work_slots.hold(slots, lendable)
    try:
        assert work_slots.holding()
        with work_slots.lent():
            assert not work_slots.holding()  # lent: a wait here holds nothing
        assert work_slots.holding()
        lendable.acquire()  # another request lends the only one that may be lent
        with work_slots.lent():
            assert work_slots.holding()  # so this one keeps its slot while it waits
        lendable.release()
    finally:
        work_slots.drop()
        slots.release()
    assert not work_slots.holding()
