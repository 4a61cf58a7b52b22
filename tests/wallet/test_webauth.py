"""Who may use the wallet's pages: cookies, CSRF tokens, origins, hosts, failed logins."""

from __future__ import annotations

import pytest

from wallet.webauth import MAX_FAILED_PER_MINUTE, SESSION_SECONDS, Gate


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gate(clock: Clock) -> Gate:
    return Gate(secret=b"s" * 32, loopback=True, clock=clock)


def test_a_session_cookie_works_in_every_worker_and_expires(gate: Gate, clock: Clock) -> None:
    session = gate.open_session(None, "passphrase")
    cookie = gate.cookie_value(session)
    other_worker = Gate(secret=b"s" * 32, loopback=True, clock=clock)
    found = other_worker.session_of(cookie)
    assert found is not None
    assert (found.sid, found.via, found.keystore) == (session.sid, "passphrase", None)
    clock.now += SESSION_SECONDS + 1
    assert gate.session_of(cookie) is None


@pytest.mark.parametrize(
    "forge",
    [
        lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"),  # the signature edited
        lambda c: c.replace(".passphrase.", ".token."),  # how it logged in, edited
        lambda c: "x" + c,  # the session id edited
        lambda c: "",
        lambda c: "a.b.c.d",
    ],
    ids=["signature", "via", "sid", "empty", "garbage"],
)
def test_a_forged_cookie_is_no_session(gate: Gate, forge: object) -> None:
    cookie = gate.cookie_value(gate.open_session(None, "passphrase"))
    assert gate.session_of(forge(cookie)) is None  # type: ignore[operator]


def test_a_cookie_signed_with_another_secret_is_refused(gate: Gate, clock: Clock) -> None:
    stranger = Gate(secret=b"t" * 32, loopback=True, clock=clock)
    assert gate.session_of(stranger.cookie_value(stranger.open_session(None, "x"))) is None


def test_logging_out_forgets_the_keystore_and_the_cookie(gate: Gate) -> None:
    session = gate.open_session(object(), "passphrase")  # type: ignore[arg-type]
    cookie = gate.cookie_value(session)
    assert gate.session_of(cookie).keystore is not None  # type: ignore[union-attr]
    gate.close_session(session)
    assert gate.session_of(cookie) is None


def test_csrf_tokens_are_bound_to_the_session_and_the_form(gate: Gate) -> None:
    one, two = gate.open_session(None, "p"), gate.open_session(None, "p")
    token = gate.csrf_token(one, "revoke")
    assert gate.csrf_ok(one, "revoke", token)
    assert not gate.csrf_ok(two, "revoke", token), "another session"
    assert not gate.csrf_ok(one, "suspend", token), "another form"
    assert not gate.csrf_ok(one, "revoke", None)
    assert not gate.csrf_ok(one, "revoke", "")


@pytest.mark.parametrize(
    ("origin", "fetch_site", "allowed"),
    [
        ("http://127.0.0.1:8080", "same-origin", True),
        (None, None, True),  # a script without browser headers still needs the CSRF token
        ("https://evil.example", None, False),
        ("null", None, False),
        ("http://127.0.0.1:8080", "cross-site", False),
        (None, "same-site", False),
    ],
)
def test_posts_from_another_site_are_refused(
    origin: str | None, fetch_site: str | None, allowed: bool
) -> None:
    assert Gate.same_origin(origin, fetch_site, "127.0.0.1:8080") is allowed


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8080", True),
        ("localhost:8080", True),
        ("[::1]:8080", True),
        ("rebind.evil.example:8080", False),
        ("127.0.0.1.evil.example", False),
        ("", False),
    ],
)
def test_dns_rebinding_hosts_are_refused_on_loopback(gate: Gate, host: str, allowed: bool) -> None:
    assert gate.host_allowed(host) is allowed


def test_failed_logins_are_limited(gate: Gate, clock: Clock) -> None:
    for _ in range(MAX_FAILED_PER_MINUTE):
        assert gate.may_try()
        gate.failed()
    assert not gate.may_try()
    clock.now += 61
    assert gate.may_try()


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Gate(secret=b"short", loopback=True)
