"""The status check against real signed status lists (SECURITY.md S01-S17).

Lists are built with vc.status and signed with the fixture keys; they are served by
an injected fetch function (a dict of URL -> list) or, once, by a real http.server
on loopback through the real Fetcher.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import gzip
import http.server
import json
import pathlib
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from tests.builders import ISSUER, MALLORY, Party, sign, unsigned_badge
from tests.service_tools import serving_in_a_thread
from vc.did import DidResolver
from vc.results import CheckResult, Status
from vc.status import Bitstring, build_list_credential, status_entry
from vc.types import JSONObject
from verifier.check_context import CheckContext
from verifier.errors import FetchBlockedError, FetchFailedError
from verifier.fetch import Fetcher, FetchPolicy
from verifier.fetched import FetchedDocument
from verifier.policy import VerificationPolicy
from verifier.status import StatusChecker
from verifier.verify import verify

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
POLICY = VerificationPolicy(now=NOW)
LIST_URL = "https://issuer.example/status/1"
INDEX = 94567


def signed_list(
    *,
    url: str = LIST_URL,
    purpose: str = "revocation",
    set_bits: dict[int, int] | None = None,
    signer: Party = ISSUER,
    issuer: str | None = None,
    valid_from: str = "2026-05-01T00:00:00Z",
    valid_until: str | None = None,
    ttl_ms: int | None = 300_000,
    entries: int = 131_072,
    status_size: int = 1,
) -> JSONObject:
    bits = Bitstring.new(entries, status_size)
    for index, value in (set_bits or {}).items():
        bits.set(index, value)
    unsigned = build_list_credential(
        list_url=url,
        issuer=issuer or signer.did,
        purpose=purpose,
        bitstring=bits,
        valid_from=valid_from,
        ttl_ms=ttl_ms,
        valid_until=valid_until,
    )
    return sign(unsigned, signer)


def badge_with_status(*entries: JSONObject) -> JSONObject:
    badge = unsigned_badge()
    found = list(entries) or [status_entry(list_url=LIST_URL, index=INDEX, purpose="revocation")]
    badge["credentialStatus"] = found[0] if len(found) == 1 else list(found)
    return sign(badge)


class FakeHost:
    """A fetch function serving lists from a dict; a missing URL refuses the connection."""

    def __init__(self) -> None:
        self.lists: dict[str, JSONObject | bytes | Exception] = {}
        self.calls: list[str] = []

    def __call__(self, url: str, *, max_bytes: int | None = None) -> FetchedDocument:
        self.calls.append(url)
        served = self.lists.get(url)
        if isinstance(served, Exception):
            raise served
        if served is None:
            raise FetchFailedError(f"{url}: connection refused")
        body = served if isinstance(served, bytes) else json.dumps(served).encode()
        if max_bytes is not None and len(body) > max_bytes:
            raise FetchFailedError(f"{url}: too large")
        return FetchedDocument(
            final_url=url, status=200, content_type="application/json", body=body
        )


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def host() -> FakeHost:
    return FakeHost()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def checker(host: FakeHost, clock: Clock) -> StatusChecker:
    return StatusChecker(host, DidResolver(), clock=clock)


def run(
    checker: StatusChecker, credential: JSONObject, policy: VerificationPolicy = POLICY
) -> list[CheckResult]:
    return checker.check(credential, CheckContext(policy=policy, resolver=DidResolver()))


def only(results: list[CheckResult]) -> CheckResult:
    assert len(results) == 1, results
    return results[0]


# --------------------------------------------------------------------------- pass / revoked


def test_full_verify_passes_with_an_unset_bit(host: FakeHost, checker: StatusChecker) -> None:
    host.lists[LIST_URL] = signed_list(set_bits={INDEX + 1: 1})
    result = verify(badge_with_status(), POLICY, status_checker=checker)
    assert result.verified, result.failures()
    check = result.check("status.revocation")
    assert check is not None
    assert check.status is Status.PASSED
    assert "not revoked" in check.message
    assert host.calls == [LIST_URL]


def test_s01_revoked_fails_with_the_purpose_and_message(
    host: FakeHost, checker: StatusChecker
) -> None:
    host.lists[LIST_URL] = signed_list(set_bits={INDEX: 1})
    entry = status_entry(list_url=LIST_URL, index=INDEX, purpose="revocation")
    entry["statusMessage"] = [
        {"status": "0x0", "message": "valid"},
        {"status": "0x1", "message": "revoked by the district"},
    ]
    result = verify(badge_with_status(entry), POLICY, status_checker=checker)
    assert not result.verified
    check = result.check("status.revoked")
    assert check is not None
    assert check.status is Status.FAILED
    assert "revoked" in check.message
    assert "revoked by the district" in check.message
    assert check.details["purpose"] == "revocation"


def test_s02_suspended_then_unsuspended(
    host: FakeHost, checker: StatusChecker, clock: Clock
) -> None:
    entry = status_entry(list_url=LIST_URL, index=INDEX, purpose="suspension")
    badge = badge_with_status(entry)
    host.lists[LIST_URL] = signed_list(purpose="suspension", set_bits={INDEX: 1})
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.suspended", Status.FAILED)
    assert "suspended" in check.message
    host.lists[LIST_URL] = signed_list(purpose="suspension", valid_from="2026-05-02T00:00:00Z")
    clock.now += 301  # past the list's 5 min ttl
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.suspension", Status.PASSED)
    assert "not suspended" in check.message


def test_two_entries_give_two_results(host: FakeHost, checker: StatusChecker) -> None:
    other = "https://issuer.example/status/2"
    host.lists[LIST_URL] = signed_list()
    host.lists[other] = signed_list(url=other, purpose="suspension", set_bits={7: 1})
    badge = badge_with_status(
        status_entry(list_url=LIST_URL, index=7, purpose="revocation"),
        status_entry(list_url=other, index=7, purpose="suspension"),
    )
    ids = [(c.id, c.status) for c in run(checker, badge)]
    assert ids == [("status.revocation", Status.PASSED), ("status.suspended", Status.FAILED)]


# --------------------------------------------------------------------------- the list's trust


def test_s03_list_signed_by_another_issuer(host: FakeHost, checker: StatusChecker) -> None:
    host.lists[LIST_URL] = signed_list(signer=MALLORY)
    check = only(run(checker, badge_with_status()))
    assert (check.id, check.status) == ("status.issuer_mismatch", Status.FAILED)
    assert check.details["error"] == "STATUS_VERIFICATION_ERROR"


def test_s03_list_naming_the_issuer_but_signed_by_mallory(
    host: FakeHost, checker: StatusChecker
) -> None:
    host.lists[LIST_URL] = signed_list(signer=MALLORY, issuer=ISSUER.did)
    check = only(run(checker, badge_with_status()))
    assert check.status is Status.FAILED
    assert check.id in {"status.list_invalid", "status.issuer_mismatch"}


def test_s03_trusted_status_issuer_may_sign_lists(host: FakeHost, checker: StatusChecker) -> None:
    host.lists[LIST_URL] = signed_list(signer=MALLORY)
    policy = VerificationPolicy(now=NOW, trusted_status_issuers=frozenset({MALLORY.did}))
    check = only(run(checker, badge_with_status(), policy))
    assert (check.id, check.status) == ("status.revocation", Status.PASSED)


def test_s04_tampered_list_fails_closed(host: FakeHost, checker: StatusChecker) -> None:
    tampered = signed_list()
    subject = tampered["credentialSubject"]
    assert isinstance(subject, dict)
    encoded = subject["encodedList"]
    assert isinstance(encoded, str)
    middle = len(encoded) // 2
    flipped = "B" if encoded[middle] != "B" else "C"
    subject["encodedList"] = encoded[:middle] + flipped + encoded[middle + 1 :]
    host.lists[LIST_URL] = tampered
    result = verify(badge_with_status(), POLICY, status_checker=checker)
    assert not result.verified
    check = result.check("status.list_invalid")
    assert check is not None
    assert check.details["error"] == "STATUS_VERIFICATION_ERROR"
    assert checker.cached_urls() == []


def test_s04_unsigned_list_fails_closed(host: FakeHost, checker: StatusChecker) -> None:
    unsigned = signed_list()
    del unsigned["proof"]
    host.lists[LIST_URL] = unsigned
    check = only(run(checker, badge_with_status()))
    assert (check.id, check.status) == ("status.list_invalid", Status.FAILED)


def test_s04_expired_list_is_invalid(host: FakeHost, checker: StatusChecker) -> None:
    host.lists[LIST_URL] = signed_list(valid_until="2026-05-31T00:00:00Z")
    check = only(run(checker, badge_with_status()))
    assert (check.id, check.status) == ("status.list_invalid", Status.FAILED)
    assert "expired" in check.message


def test_s05_list_too_short(host: FakeHost, checker: StatusChecker) -> None:
    # 1 KiB of zeros: 8,192 entries, a valid encoding, correctly signed.
    short = build_list_credential(
        list_url=LIST_URL,
        issuer=ISSUER.did,
        purpose="revocation",
        bitstring=Bitstring.new(),
        valid_from="2026-05-01T00:00:00Z",
    )
    subject = short["credentialSubject"]
    assert isinstance(subject, dict)
    small = gzip.compress(bytes(1024), mtime=0)
    subject["encodedList"] = "u" + base64.urlsafe_b64encode(small).rstrip(b"=").decode()
    host.lists[LIST_URL] = sign(short)
    check = only(run(checker, badge_with_status()))
    assert (check.id, check.status) == ("status.list_too_short", Status.FAILED)
    assert check.details["error"] == "STATUS_LIST_LENGTH_ERROR"


def test_s06_index_out_of_range(host: FakeHost, checker: StatusChecker) -> None:
    host.lists[LIST_URL] = signed_list()
    badge = badge_with_status(status_entry(list_url=LIST_URL, index=131_072, purpose="revocation"))
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.range", Status.FAILED)
    assert check.details["error"] == "RANGE_ERROR"


def test_s07_purpose_mismatch(host: FakeHost, checker: StatusChecker) -> None:
    host.lists[LIST_URL] = signed_list(purpose="suspension", set_bits={INDEX: 1})
    check = only(run(checker, badge_with_status()))
    assert (check.id, check.status) == ("status.purpose_mismatch", Status.FAILED)
    assert check.details["error"] == "STATUS_VERIFICATION_ERROR"


def test_s14_list_served_for_another_url_is_read_and_named_never_cached(
    host: FakeHost, checker: StatusChecker
) -> None:
    # Issue #13 (docs/STATUS-LISTS.md): a hygiene rule. The badge names the URL and the
    # list is still the badge issuer's (S03), so its bit is read and reported, with a
    # named warning; it is never cached under a URL it does not claim (X09).
    host.lists[LIST_URL] = signed_list(url="https://issuer.example/status/9", set_bits={INDEX: 1})
    results = run(checker, badge_with_status())
    assert [(r.id, r.status) for r in results] == [
        ("status.list_id_mismatch", Status.WARNING),
        ("status.revoked", Status.FAILED),
    ]
    assert checker.cached_urls() == []
    host.lists[LIST_URL] = signed_list(url="https://issuer.example/status/9")
    assert [r.id for r in run(checker, badge_with_status())] == [
        "status.list_id_mismatch",
        "status.revocation",
    ]
    assert host.calls == [LIST_URL, LIST_URL]


def test_s15_an_older_list_after_a_newer_one_is_a_rollback(
    host: FakeHost, checker: StatusChecker, clock: Clock
) -> None:
    old = signed_list(valid_from="2026-05-01T00:00:00Z")
    host.lists[LIST_URL] = signed_list(set_bits={INDEX: 1}, valid_from="2026-05-20T00:00:00Z")
    badge = badge_with_status()
    assert only(run(checker, badge)).id == "status.revoked"
    host.lists[LIST_URL] = old
    clock.now += 301
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.list_rollback", Status.FAILED)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"id": LIST_URL}, id="entry-id-is-the-list-url"),
        pytest.param({"statusPurpose": None}, id="no-statusPurpose"),
        pytest.param({"statusSize": 0}, id="statusSize-0"),
        pytest.param({"statusListIndex": 5}, id="index-not-a-string"),
    ],
)
def test_s16_malformed_entries(
    host: FakeHost, checker: StatusChecker, change: dict[str, object]
) -> None:
    host.lists[LIST_URL] = signed_list()
    entry = status_entry(list_url=LIST_URL, index=INDEX, purpose="revocation")
    for key, value in change.items():
        if value is None:
            del entry[key]
        else:
            entry[key] = value  # type: ignore[assignment]
    badge = unsigned_badge()
    badge["credentialStatus"] = entry
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.malformed", Status.FAILED)
    assert check.details["error"] == "MALFORMED_VALUE_ERROR"
    assert host.calls == []


def test_a_warm_checker_reads_each_entry_by_its_content(
    host: FakeHost, checker: StatusChecker
) -> None:
    """Parses are kept by the entry's members: an entry changed in place is read anew."""
    host.lists[LIST_URL] = signed_list(set_bits={INDEX + 1: 1})
    badge = unsigned_badge()
    entry = status_entry(list_url=LIST_URL, index=INDEX, purpose="revocation")
    badge["credentialStatus"] = entry
    assert only(run(checker, badge)).status == Status.PASSED
    assert only(run(checker, badge)).status == Status.PASSED  # from the kept parse
    entry["statusListIndex"] = str(INDEX + 1)
    assert only(run(checker, badge)).id == "status.revoked"
    entry["statusListIndex"] = "0" + str(INDEX)
    assert only(run(checker, badge)).id == "status.malformed"
    entry["statusListIndex"] = str(INDEX)
    entry["type"] = ["ExampleStatusEntry"]
    assert only(run(checker, badge)).id == "status.unsupported"
    entry["type"] = "BitstringStatusListEntry"
    assert only(run(checker, badge)).status == Status.PASSED
    assert host.calls == [LIST_URL]


@pytest.mark.parametrize("size", [True, 1.0], ids=["true", "1.0"])
def test_s18_a_kept_parse_never_stands_for_an_entry_equal_only_in_python(
    host: FakeHost, checker: StatusChecker, size: object
) -> None:
    """1 == True == 1.0 in Python, not in JSON: the entry with 1 reads, the others are malformed."""
    host.lists[LIST_URL] = signed_list()
    badge = unsigned_badge()
    entry = status_entry(list_url=LIST_URL, index=INDEX, purpose="revocation")
    badge["credentialStatus"] = entry
    entry["statusSize"] = 1  # type: ignore[assignment]
    assert only(run(checker, badge)).status == Status.PASSED
    entry["statusSize"] = size  # type: ignore[assignment]
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.malformed", Status.FAILED)


def test_an_entry_that_is_not_an_object_is_malformed(checker: StatusChecker) -> None:
    badge = unsigned_badge()
    badge["credentialStatus"] = ["https://issuer.example/status/1"]
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.malformed", Status.FAILED)


# --------------------------------------------------------------------------- retrieval, cache


def test_s10_unreachable_fails_closed(host: FakeHost, checker: StatusChecker) -> None:
    host.lists[LIST_URL] = FetchFailedError(f"{LIST_URL}: connection refused")
    result = verify(badge_with_status(), POLICY, status_checker=checker)
    assert not result.verified
    check = result.check("status.retrieval_failed")
    assert check is not None
    assert check.status is Status.FAILED
    assert check.details["error"] == "STATUS_RETRIEVAL_ERROR"
    assert "could not confirm" in check.message
    assert "try again" in check.message
    assert "revoked" not in check.message


def test_s10_unreachable_with_warn_policy_verifies(host: FakeHost, checker: StatusChecker) -> None:
    policy = VerificationPolicy(now=NOW, status_unreachable="warn")
    result = verify(badge_with_status(), policy, status_checker=checker)
    assert result.verified, result.failures()
    check = result.check("status.retrieval_failed")
    assert check is not None
    assert check.status is Status.WARNING


def test_s10_warn_policy_does_not_soften_a_tampered_list(
    host: FakeHost, checker: StatusChecker
) -> None:
    host.lists[LIST_URL] = signed_list(signer=MALLORY)
    policy = VerificationPolicy(now=NOW, status_unreachable="warn")
    assert only(run(checker, badge_with_status(), policy)).status is Status.FAILED


def test_s12_blocked_fetch(host: FakeHost, checker: StatusChecker) -> None:
    host.lists[LIST_URL] = FetchBlockedError("10.0.0.1 is a private address")
    check = only(run(checker, badge_with_status()))
    assert (check.id, check.status) == ("status.fetch_blocked", Status.FAILED)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/status", "file:///etc/passwd", "https://10.0.0.1/status"],
)
def test_s12_the_real_guard_blocks_without_a_socket(url: str) -> None:
    checker = StatusChecker(Fetcher(FetchPolicy()).fetch, DidResolver())
    badge = badge_with_status(status_entry(list_url=url, index=1, purpose="revocation"))
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.fetch_blocked", Status.FAILED)


def test_s13_stale_cache_is_refused_when_the_host_is_down(
    host: FakeHost, checker: StatusChecker, clock: Clock
) -> None:
    host.lists[LIST_URL] = signed_list(ttl_ms=60_000)
    badge = badge_with_status()
    assert only(run(checker, badge)).status is Status.PASSED
    del host.lists[LIST_URL]
    clock.now += 61
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.retrieval_failed", Status.FAILED)
    assert host.calls == [LIST_URL, LIST_URL]


def test_s13_cache_past_the_lists_valid_until_is_refused(
    host: FakeHost, checker: StatusChecker
) -> None:
    host.lists[LIST_URL] = signed_list(valid_until="2026-06-01T12:30:00Z")
    badge = badge_with_status()
    assert only(run(checker, badge)).status is Status.PASSED
    del host.lists[LIST_URL]
    later = VerificationPolicy(now=NOW + dt.timedelta(hours=1))
    check = only(run(checker, badge, later))
    assert (check.id, check.status) == ("status.retrieval_failed", Status.FAILED)


def test_s13_cache_is_never_older_than_a_day(host: FakeHost, clock: Clock) -> None:
    checker = StatusChecker(host, DidResolver(), clock=clock)
    host.lists[LIST_URL] = signed_list(ttl_ms=10 * 24 * 3600 * 1000)
    badge = badge_with_status()
    run(checker, badge)
    clock.now += 24 * 3600
    run(checker, badge)
    assert host.calls == [LIST_URL, LIST_URL]


def test_s17_fresh_cache_while_the_host_is_down_makes_no_call(
    host: FakeHost, checker: StatusChecker, clock: Clock
) -> None:
    host.lists[LIST_URL] = signed_list()
    badge = badge_with_status()
    run(checker, badge)
    host.lists[LIST_URL] = FetchFailedError("down")
    calls = len(host.calls)
    clock.now += 120
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.revocation", Status.PASSED)
    assert "cached 120 s ago" in check.message
    assert check.details["cache_age_s"] == 120.0
    assert len(host.calls) == calls


def test_cache_is_bounded(host: FakeHost, clock: Clock) -> None:
    checker = StatusChecker(host, DidResolver(), clock=clock, max_lists=2)
    urls = [f"https://issuer.example/status/{n}" for n in range(3)]
    for url in urls:
        host.lists[url] = signed_list(url=url)
        run(checker, badge_with_status(status_entry(list_url=url, index=1, purpose="revocation")))
    assert checker.cached_urls() == urls[1:]


def test_without_a_fetch_function_an_uncached_list_is_not_confirmed() -> None:
    checker = StatusChecker(None, DidResolver())
    check = only(run(checker, badge_with_status()))
    assert (check.id, check.status) == ("status.retrieval_failed", Status.FAILED)


# --------------------------------------------------------------------------- other status types


def test_r03_only_an_unknown_status_type_fails_never_a_silent_pass(checker: StatusChecker) -> None:
    # SECURITY.md R03: the issuer wanted its status checked; laurel cannot check any entry.
    badge = unsigned_badge()
    badge["credentialStatus"] = {"id": "https://issuer.example/s/1", "type": "UnknownStatus2030"}
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.unsupported", Status.FAILED)
    assert "not checked" in check.message
    assert "no entry laurel knows remains" in check.message


def test_an_unknown_entry_beside_a_known_one_is_a_warning(
    host: FakeHost, checker: StatusChecker
) -> None:
    host.lists[LIST_URL] = signed_list()
    badge = unsigned_badge()
    badge["credentialStatus"] = [
        status_entry(list_url=LIST_URL, index=INDEX, purpose="revocation"),
        {"id": "https://issuer.example/s/1", "type": "UnknownStatus2030"},
    ]
    results = run(checker, badge)
    assert [(r.id, r.status) for r in results] == [
        ("status.revocation", Status.PASSED),
        ("status.unsupported", Status.WARNING),
    ]


def test_d14_too_many_status_entries_are_refused_unfetched(
    host: FakeHost, checker: StatusChecker
) -> None:
    badge = unsigned_badge()
    badge["credentialStatus"] = [
        status_entry(list_url=f"https://slow.example/{i}", index=i, purpose="revocation")
        for i in range(10)
    ]
    check = only(run(checker, badge))
    assert (check.id, check.status) == ("status.too_many_entries", Status.FAILED)
    assert host.calls == []


def test_without_a_checker_status_is_skipped(host: FakeHost) -> None:
    result = verify(badge_with_status(), POLICY)
    check = result.check("status")
    assert check is not None
    assert check.status is Status.SKIPPED
    assert host.calls == []


def test_no_credential_status_is_skipped(checker: StatusChecker) -> None:
    check = only(run(checker, unsigned_badge()))
    assert (check.id, check.status) == ("status", Status.SKIPPED)


# --------------------------------------------------------------------------- a real HTTP server


@contextlib.contextmanager
def serving(routes: dict[str, bytes]) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = routes.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/vc+ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving_in_a_thread(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as base:
        yield base


def test_through_the_real_fetcher_on_loopback() -> None:
    routes: dict[str, bytes] = {}
    with serving(routes) as base:
        url = f"{base}/status/1"
        routes["/status/1"] = json.dumps(signed_list(url=url, set_bits={INDEX: 1})).encode()
        fetcher = Fetcher(FetchPolicy(allow_private_network=True))
        checker = StatusChecker(fetcher.fetch, DidResolver())
        revoked = badge_with_status(status_entry(list_url=url, index=INDEX, purpose="revocation"))
        kept = badge_with_status(status_entry(list_url=url, index=INDEX + 1, purpose="revocation"))
        result = verify(revoked, POLICY, status_checker=checker)
        assert not result.verified
        assert result.check("status.revoked") is not None
        assert verify(kept, POLICY, status_checker=checker).verified
        assert checker.cached_urls() == [url]


def test_the_badge_fixture_is_unchanged_by_checking() -> None:
    badge = badge_with_status()
    before = copy.deepcopy(badge)
    StatusChecker(None, DidResolver()).check(badge, CheckContext(POLICY, DidResolver()))
    assert badge == before


@pytest.mark.parametrize(("option", "exit_code"), [("fail", 1), ("warn", 0)])
def test_cli_status_unreachable_option(tmp_path: pathlib.Path, option: str, exit_code: int) -> None:
    from cli import cli

    with serving({}) as base:  # every path answers 404: the list cannot be retrieved
        url = f"{base}/status/1"
        badge = badge_with_status(status_entry(list_url=url, index=INDEX, purpose="revocation"))
        path = tmp_path / "badge.json"
        path.write_text(json.dumps(badge), encoding="utf-8")
        result = CliRunner().invoke(
            cli,
            [
                "verify",
                "--json",
                "--allow-private-network",
                "--status-unreachable",
                option,
                str(path),
            ],
        )
    assert result.exit_code == exit_code, result.output
    report = json.loads(result.output)
    checks = {c["id"]: c["status"] for c in report["checks"]}
    assert checks["status.retrieval_failed"] == ("failed" if option == "fail" else "warning")
