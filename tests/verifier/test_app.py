"""The verifier service: VC-API routes, challenges, limits and problem details (SECURITY.md X01-X08, P01/P04/P10)."""

from __future__ import annotations

import copy
import datetime as dt
import http.client
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from tests.builders import MALLORY, badge, presentation
from tests.conftest import REPO
from vc.did import DidResolver
from verifier.app import MAX_CONTENT_LENGTH, create_app
from verifier.challenges import ChallengeStore

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
DOMAIN = "hiring.example"


class Clock:
    """A clock the test advances."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> Flask:
    return create_app(resolver=DidResolver(), clock=clock, testing=True, domain=DOMAIN)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def tampered() -> dict[str, Any]:
    doc = copy.deepcopy(badge())
    doc["credentialSubject"]["achievement"]["name"] = "Something Else Entirely"
    return doc


def challenge(client: FlaskClient) -> str:
    resp = client.post("/challenges")
    assert resp.status_code == 201
    value: str = resp.get_json()["challenge"]
    return value


def verify_vp(client: FlaskClient, vp: dict[str, Any], **options: Any) -> Any:
    return client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": options}
    )


# --- credentials --------------------------------------------------------------------------------


def test_verified_badge_is_200(client: FlaskClient) -> None:
    resp = client.post("/credentials/verify", json={"verifiableCredential": badge()})
    body = resp.get_json()
    assert resp.status_code == 200, body
    assert resp.mimetype == "application/json"
    assert body["verified"] is True
    assert body["errors"] == []
    assert body["problemDetails"] == []
    assert "proof.signature" in body["checks"]
    assert body["results"]["verified"] is True


def test_tampered_badge_is_422_with_problem_details(client: FlaskClient) -> None:
    resp = client.post("/credentials/verify", json={"verifiableCredential": tampered()})
    body = resp.get_json()
    assert resp.status_code == 422
    assert body["verified"] is False
    assert "proof.signature_invalid" in body["errors"]
    problem = next(p for p in body["problemDetails"] if p["title"] == "proof.signature_invalid")
    assert problem["type"] == "https://w3id.org/security#PROOF_VERIFICATION_ERROR"
    assert problem["detail"]


@pytest.mark.parametrize(
    "options",
    [
        {"checks": []},
        {"checks": ["format"]},
        {"checks": ["proof"], "verified": True, "skip": ["proof"], "policy": "lenient"},
    ],
)
def test_client_options_never_make_a_tampered_badge_verified(
    client: FlaskClient, options: dict[str, Any]
) -> None:
    # X06: options may narrow the listed checks, never `verified` or the errors.
    resp = client.post(
        "/credentials/verify", json={"verifiableCredential": tampered(), "options": options}
    )
    body = resp.get_json()
    assert resp.status_code == 422
    assert body["verified"] is False
    assert "proof.signature_invalid" in body["errors"]
    assert all(c.split(".")[0] in options["checks"] for c in body["checks"])


def test_checks_option_narrows_the_listed_checks_only(client: FlaskClient) -> None:
    resp = client.post(
        "/credentials/verify",
        json={"verifiableCredential": badge(), "options": {"checks": ["proof"]}},
    )
    body = resp.get_json()
    assert resp.status_code == 200
    assert body["checks"]
    assert all(c.startswith("proof") for c in body["checks"])


def test_presentation_on_the_credential_route_is_400(client: FlaskClient) -> None:
    vp = presentation([badge()])
    resp = client.post("/credentials/verify", json={"verifiableCredential": vp})
    assert resp.status_code == 400
    assert resp.get_json()["code"] == "not_a_credential"


# --- X02: unreadable requests ---------------------------------------------------------------------

VC_BYTES = json.dumps({"verifiableCredential": {"type": ["VerifiableCredential"]}}).encode()


@pytest.mark.parametrize(
    ("content_type", "data", "code"),
    [
        ("text/plain", VC_BYTES, "unsupported_media_type"),
        ("application/x-www-form-urlencoded", b"verifiableCredential=x", "unsupported_media_type"),
        ("multipart/form-data; boundary=x", b"--x--", "unsupported_media_type"),
        ("application/json", b"", "empty_body"),
        ("application/json", b"{not json", "invalid_json"),
        ("application/json", b"[1, 2]", "not_an_object"),
        ("application/json", b'{"options": {}}', "missing_member"),
        ("application/json", b'{"verifiableCredential": "eyJ..."}', "not_an_object"),
        (
            "application/json",
            b'{"verifiableCredential": {"id": "a", "id": "b"}}',
            "duplicate_key",
        ),
        (
            "application/json",
            b'{"verifiableCredential": ' + b"[" * 200 + b"]" * 200 + b"}",
            "too_deep",
        ),
        ("application/json", b'{"verifiableCredential": {}, "options": []}', "invalid_options"),
        (
            "application/json",
            b'{"verifiableCredential": {}, "options": {"checks": "proof"}}',
            "invalid_options",
        ),
    ],
)
def test_unreadable_requests_are_400_problem_json(
    client: FlaskClient, content_type: str, data: bytes, code: str
) -> None:
    resp = client.post("/credentials/verify", data=data, content_type=content_type)
    assert resp.status_code == 400
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["code"] == code
    assert body["type"] == "https://w3id.org/security#PARSING_ERROR"
    assert body["status"] == 400
    assert body["detail"]


def test_missing_presentation_member_is_400(client: FlaskClient) -> None:
    resp = client.post("/presentations/verify", json={"verifiableCredential": badge()})
    assert resp.status_code == 400
    assert resp.get_json()["code"] == "missing_member"


def test_body_over_the_limit_is_413(client: FlaskClient) -> None:
    data = b'{"verifiableCredential": "' + b"a" * MAX_CONTENT_LENGTH + b'"}'
    resp = client.post("/credentials/verify", data=data, content_type="application/json")
    assert resp.status_code == 413
    assert resp.mimetype == "application/problem+json"
    assert resp.get_json()["status"] == 413


def test_unknown_route_and_wrong_method_are_problem_json(client: FlaskClient) -> None:
    for resp, status in ((client.get("/nope"), 404), (client.get("/credentials/verify"), 405)):
        assert resp.status_code == status
        assert resp.mimetype == "application/problem+json"


# --- presentations and challenges -------------------------------------------------------------------


def test_challenge_is_128_bit_base64url_bound_to_the_domain(client: FlaskClient) -> None:
    resp = client.post("/challenges")
    body = resp.get_json()
    assert resp.status_code == 201
    assert body["challenge"].startswith("laurel_")
    assert len(body["challenge"]) == len("laurel_") + 22
    assert "=" not in body["challenge"]
    assert body["domain"] == DOMAIN
    assert body["expires"] == "2026-06-01T12:05:00Z"
    assert client.post("/challenges").get_json()["challenge"] != body["challenge"]


def test_challenge_domain_defaults_to_the_host(clock: Clock) -> None:
    client = create_app(resolver=DidResolver(), clock=clock, testing=True).test_client()
    resp = client.post("/challenges", headers={"Host": "verify.example:8443"})
    assert resp.get_json()["domain"] == "verify.example:8443"


def test_presentation_with_an_issued_challenge_is_200(client: FlaskClient) -> None:
    value = challenge(client)
    resp = verify_vp(
        client, presentation([badge()], challenge=value, domain=DOMAIN), challenge=value
    )
    body = resp.get_json()
    assert resp.status_code == 200, body["errors"]
    assert {"presentation.challenge", "presentation.domain"} <= set(body["checks"])


def test_p01_reused_challenge(client: FlaskClient) -> None:
    value = challenge(client)
    vp = presentation([badge()], challenge=value, domain=DOMAIN)
    assert verify_vp(client, vp, challenge=value).status_code == 200
    resp = verify_vp(client, vp, challenge=value)
    assert resp.status_code == 422
    assert "presentation.challenge_reused" in resp.get_json()["errors"]


def test_challenge_is_consumed_even_when_verification_fails(client: FlaskClient) -> None:
    value = challenge(client)
    forged = presentation([badge()], signer=MALLORY, challenge=value, domain=DOMAIN)
    assert verify_vp(client, forged, challenge=value).status_code == 422
    good = presentation([badge()], challenge=value, domain=DOMAIN)
    resp = verify_vp(client, good, challenge=value)
    assert resp.status_code == 422
    assert "presentation.challenge_reused" in resp.get_json()["errors"]


def test_p04_expired_challenge(client: FlaskClient, clock: Clock) -> None:
    value = challenge(client)
    clock.now += dt.timedelta(minutes=6)
    resp = verify_vp(
        client, presentation([badge()], challenge=value, domain=DOMAIN), challenge=value
    )
    body = resp.get_json()
    assert resp.status_code == 422
    assert "presentation.challenge_expired" in body["errors"]
    problem = next(
        p for p in body["problemDetails"] if p["title"] == "presentation.challenge_expired"
    )
    assert problem["type"] == "https://w3id.org/security#INVALID_CHALLENGE_ERROR"


def test_caller_supplied_challenge_is_vouched_for_by_the_caller(client: FlaskClient) -> None:
    # VC-API: the caller passes the challenge it expects, as `laurel verify
    # --challenge` does; this verifier did not issue it, so it is not single-use here.
    # (P10, a challenge replayed into laurel's own request flow, stays a failure:
    # tests/verifier/test_request_page.py.)
    value = "caller-7f3a9c2e-challenge"
    vp = presentation([badge()], challenge=value, domain=DOMAIN)
    for _ in range(2):
        resp = verify_vp(client, vp, challenge=value, domain=DOMAIN)
        body = resp.get_json()
        assert resp.status_code == 200, body["errors"]
        assert {"presentation.challenge_vouched", "presentation.challenge"} <= set(body["checks"])


def test_p06_holder_not_subject_is_the_callers_rule_with_its_own_challenge(
    client: FlaskClient,
) -> None:
    # VC DM 2.0 leaves "the holder is the subject" to the verifier's business rules (the
    # W3C suite presents another subject's credential and expects it verified). A caller
    # with its own challenge gets the warning, named, and decides; with a challenge laurel
    # issued (its own request flow) a stolen badge still fails.
    value = "caller-holder-rule-challenge"
    vp = presentation([badge()], holder=MALLORY, challenge=value, domain=DOMAIN)
    body = verify_vp(client, vp, challenge=value, domain=DOMAIN).get_json()
    assert body["verified"] is True
    assert "presentation.holder_not_subject" in body["warnings"]
    issued = challenge(client)
    vp = presentation([badge()], holder=MALLORY, challenge=issued, domain=DOMAIN)
    resp = verify_vp(client, vp, challenge=issued)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == ["presentation.holder_not_subject"]


def test_p10_a_forgotten_challenge_of_laurels_is_never_taken_for_the_callers(
    client: FlaskClient,
) -> None:
    # Issued by a laurel (this one before its store lost it, or another): its shape says
    # so, and it is unknown here, not vouched for (single use survives a lost store).
    value = ChallengeStore().issue(NOW).value
    vp = presentation([badge()], challenge=value, domain=DOMAIN)
    resp = verify_vp(client, vp, challenge=value, domain=DOMAIN)
    assert resp.status_code == 422
    assert "presentation.challenge_unknown" in resp.get_json()["errors"]


def test_a_presentation_replayed_to_a_caller_expecting_another_challenge_fails(
    client: FlaskClient,
) -> None:
    made_for = ChallengeStore().issue(NOW).value
    vp = presentation([badge()], challenge=made_for, domain=DOMAIN)
    resp = verify_vp(client, vp, challenge="the-callers-own-fresh-challenge", domain=DOMAIN)
    assert resp.status_code == 422
    assert "presentation.challenge_mismatch" in resp.get_json()["errors"]


def test_an_unsigned_presentation_fails_when_a_challenge_was_asked_for(
    client: FlaskClient,
) -> None:
    vp = presentation([badge()], challenge=None, domain=None)
    del vp["proof"]
    asked = verify_vp(client, vp, challenge="the-callers-challenge")
    assert asked.status_code == 422
    assert asked.get_json()["errors"] == ["presentation.unsigned"]
    not_asked = verify_vp(client, vp)
    assert not_asked.status_code == 200, not_asked.get_json()["errors"]
    assert "presentation.unsigned" in not_asked.get_json()["warnings"]


def test_challenge_is_bound_to_its_domain(client: FlaskClient) -> None:
    value = challenge(client)
    vp = presentation([badge()], challenge=value, domain="evil.example")
    resp = verify_vp(client, vp, challenge=value, domain="evil.example")
    assert resp.status_code == 422
    assert "presentation.domain_mismatch" in resp.get_json()["errors"]


def test_presentation_without_a_challenge_warns(client: FlaskClient) -> None:
    resp = verify_vp(client, presentation([badge()], challenge=None, domain=None))
    body = resp.get_json()
    assert resp.status_code == 200
    assert "presentation.challenge" in body["warnings"]


def test_tampered_credential_inside_a_presentation_is_named(client: FlaskClient) -> None:
    value = challenge(client)
    resp = verify_vp(
        client, presentation([tampered()], challenge=value, domain=DOMAIN), challenge=value
    )
    body = resp.get_json()
    assert resp.status_code == 422
    assert "proof.signature_invalid" in body["errors"]
    assert any(p.get("credentialIndex") == 0 for p in body["problemDetails"])


def test_challenge_store_is_bounded() -> None:
    store = ChallengeStore(max_size=10)
    first = store.issue(NOW)
    for _ in range(50):
        store.issue(NOW + dt.timedelta(minutes=10))
    assert len(store) <= 10
    assert store.consume(first.value, NOW) == "unknown"


def test_challenge_store_evicts_expired_first() -> None:
    store = ChallengeStore(max_size=3)
    store.issue(NOW)
    later = NOW + dt.timedelta(minutes=4)
    fresh = [store.issue(later) for _ in range(2)]
    store.issue(NOW + dt.timedelta(minutes=6))  # full: the first has expired and goes
    assert [store.consume(c.value, NOW + dt.timedelta(minutes=6)) for c in fresh] == ["ok", "ok"]


def test_challenge_store_is_thread_safe() -> None:
    store = ChallengeStore()
    value = store.issue(NOW).value
    outcomes: list[str] = []
    lock = threading.Lock()

    def use() -> None:
        outcome = store.consume(value, NOW)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=use) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["reused"] * 15


@pytest.mark.parametrize("kind", ["memory", "shared"])
def test_peek_reports_without_using_the_challenge(kind: str, tmp_path) -> None:
    from verifier.challenges import SharedChallengeStore

    store = ChallengeStore() if kind == "memory" else SharedChallengeStore(tmp_path / "c.db")
    issued = store.issue(NOW, domain="hiring.example")
    for _ in range(3):
        seen = store.peek(issued.value, NOW)
        assert seen.outcome == "ok"
        assert seen.challenge is not None
        assert seen.challenge.domain == "hiring.example"
    assert store.take(issued.value, NOW).outcome == "ok"
    assert store.peek(issued.value, NOW).outcome == "reused"
    assert store.peek(issued.value, NOW + dt.timedelta(minutes=5)).outcome == "expired"
    assert store.peek("never-issued", NOW).outcome == "unknown"
    assert store.take(issued.value, NOW).outcome == "reused"  # peeking never revived it


def test_challenge_store_rejects_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ChallengeStore().issue(dt.datetime(2026, 1, 1))


# --- DID resolution, health, OpenAPI ----------------------------------------------------------------


def test_did_resolution_of_a_did_key(client: FlaskClient) -> None:
    did = badge()["issuer"]["id"]
    resp = client.get(f"/1.0/identifiers/{did}")
    body = resp.get_json()
    assert resp.status_code == 200
    assert body["didDocument"]["id"] == did
    assert body["didResolutionMetadata"] == {"contentType": "application/did+ld+json"}
    assert body["didDocumentMetadata"] == {}


@pytest.mark.parametrize(
    ("did", "status", "error"),
    [
        ("not-a-did", 400, "invalidDid"),
        ("did:key:zNotBase58!!", 400, "invalidDid"),
        ("did:web:example.com", 404, "notFound"),  # the test app's resolver has no network
        ("did:example:123", 501, "methodNotSupported"),
    ],
)
def test_did_resolution_errors(client: FlaskClient, did: str, status: int, error: str) -> None:
    resp = client.get(f"/1.0/identifiers/{did}")
    assert resp.status_code == status
    assert resp.get_json()["didResolutionMetadata"]["error"] == error


def test_health(client: FlaskClient) -> None:
    resp = client.get("/health")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok"}


def test_openapi_document_describes_the_routes(client: FlaskClient) -> None:
    resp = client.get("/openapi.json")
    doc = json.loads(resp.get_data())
    assert doc["openapi"].startswith("3.1")
    assert {
        "/credentials/verify",
        "/presentations/verify",
        "/challenges",
        "/1.0/identifiers/{did}",
        "/health",
        "/openapi.json",
    } <= set(doc["paths"])


# --- X07, X08: failures and headers -------------------------------------------------------------------


def test_internal_error_is_problem_json_with_a_request_id(app: Flask) -> None:
    def boom() -> None:
        raise RuntimeError("secret-key-material /etc/passwd")

    app.view_functions["laurel_api.health"] = boom
    resp = app.test_client().get("/health")
    assert resp.status_code == 500
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["requestId"] == resp.headers["X-Request-Id"]
    text = resp.get_data(as_text=True)
    assert "Traceback" not in text
    assert "secret-key-material" not in text


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    responses = [
        client.get("/health"),
        client.get("/openapi.json"),
        client.post("/challenges"),
        client.get("/1.0/identifiers/not-a-did"),
        client.get("/nope"),
        client.post("/credentials/verify", json={"verifiableCredential": badge()}),
        client.post("/credentials/verify", json={"verifiableCredential": tampered()}),
        client.post("/credentials/verify", data=b"[]", content_type="application/json"),
    ]
    for resp in responses:
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Content-Security-Policy"] == "default-src 'self'"
        assert resp.headers["Cache-Control"] == "no-store"
        assert resp.headers["X-Request-Id"]


def test_script_in_a_document_is_escaped(client: FlaskClient) -> None:
    doc = badge()
    doc["name"] = "</script><script>alert(1)</script>"
    resp = client.post("/credentials/verify", json={"verifiableCredential": doc})
    assert b"<script>" not in resp.get_data()
    assert resp.get_json()["results"]["credential"] is not None


def test_clock_is_read_in_the_route() -> None:
    calls: list[dt.datetime] = []

    def clock() -> dt.datetime:
        calls.append(NOW)
        return NOW

    client = create_app(resolver=DidResolver(), clock=clock, testing=True).test_client()
    client.post("/credentials/verify", json={"verifiableCredential": badge()})
    assert len(calls) == 1


def test_verifier_service_does_not_import_wallet() -> None:
    code = (
        "import sys, verifier.app; "
        "sys.exit(any(m == 'wallet' or m.startswith('wallet.') for m in sys.modules))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# --- a real server on loopback ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    app = create_app(resolver=DidResolver(), clock=lambda: NOW, domain=DOMAIN)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", srv.server_port
    finally:
        srv.shutdown()
        thread.join(timeout=5)
        srv.server_close()


def _post(server: tuple[str, int], path: str, body: bytes) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection(*server, timeout=10)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read()
    finally:
        conn.close()


def test_real_server_verifies_badges(server: tuple[str, int]) -> None:
    status, ctype, data = _post(
        server, "/credentials/verify", json.dumps({"verifiableCredential": badge()}).encode()
    )
    assert (status, ctype) == (200, "application/json")
    assert json.loads(data)["verified"] is True

    status, _, data = _post(
        server, "/credentials/verify", json.dumps({"verifiableCredential": tampered()}).encode()
    )
    assert status == 422
    assert "proof.signature_invalid" in json.loads(data)["errors"]


def test_real_server_refuses_a_5_mib_body_and_keeps_serving(server: tuple[str, int]) -> None:
    size = 5 * 1024 * 1024
    conn = http.client.HTTPConnection(*server, timeout=10)
    try:
        conn.putrequest("POST", "/credentials/verify")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        chunk = b"a" * 65536
        try:
            for _ in range(size // len(chunk)):
                conn.send(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed without reading the rest
        resp = conn.getresponse()
        assert resp.status == 413
        assert resp.getheader("Content-Type") == "application/problem+json"
        assert json.loads(resp.read())["status"] == 413
    finally:
        conn.close()

    conn = http.client.HTTPConnection(*server, timeout=10)
    try:
        conn.request("GET", "/health")
        resp = conn.getresponse()
        assert resp.status == 200
        assert json.loads(resp.read()) == {"status": "ok"}
    finally:
        conn.close()


def test_shared_challenge_store_is_single_use_across_processes(tmp_path):
    import datetime as dt
    import multiprocessing

    from verifier.challenges import SharedChallengeStore

    path = tmp_path / "challenges.db"
    store = SharedChallengeStore(path)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    issued = store.issue(now, domain="hiring.example")
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        outcomes = pool.starmap(_take_in_child, [(str(path), issued.value)] * 8)
    assert sorted(outcomes) == ["ok"] + ["reused"] * 7
    assert store.take(issued.value, now + dt.timedelta(minutes=6)).outcome == "expired"
    assert store.take("never", now).outcome == "unknown"


def _take_in_child(path: str, value: str) -> str:
    import datetime as dt
    from pathlib import Path

    from verifier.challenges import SharedChallengeStore

    return (
        SharedChallengeStore(Path(path)).take(value, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).outcome
    )


def test_did_web_with_a_port_keeps_its_percent_encoding(tmp_path):
    import json as json_module

    from vc.did import DidResolver
    from verifier.app import create_app

    seen: list[str] = []

    def fetcher(url: str) -> bytes:
        seen.append(url)
        return json_module.dumps({"id": "did:web:issuer.example%3A8443"}).encode()

    app = create_app(resolver=DidResolver(web_fetcher=fetcher), testing=True)
    response = app.test_client().get(
        "/1.0/identifiers/did:web:issuer.example%3A8443",
        environ_overrides={"REQUEST_URI": "/1.0/identifiers/did:web:issuer.example%3A8443"},
    )
    assert response.status_code == 200, response.get_json()
    assert seen == ["https://issuer.example:8443/.well-known/did.json"]
