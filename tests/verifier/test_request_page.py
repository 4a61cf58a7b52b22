"""The page's "Request a badge": a fresh challenge shown as a request, its answer verified once
(SECURITY.md P01-P04, P10)."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import shlex
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.builders import MALLORY, badge, presentation
from vc.did import DidResolver
from vc.envelope import encode_envelope, link_to
from vc.qr import render_qr, render_svg
from vc.request import PresentationRequest
from verifier.app import create_app

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
DOMAIN = "localhost"  # the test client's Host: challenges are bound to it


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> Flask:
    return create_app(resolver=DidResolver(), clock=clock, testing=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def new_request(client: FlaskClient) -> str:
    """Press "Request a badge": the path of the request made."""
    answer = client.get("/request")
    assert answer.status_code == 303
    location: str = answer.location
    assert re.fullmatch(r"/request/laurel_[A-Za-z0-9_-]{22}", location), location
    return location


def shown(response: TestResponse, element_id: str) -> str:
    text = response.get_data(as_text=True)
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', text)
    assert match is not None, f"no #{element_id}"
    return html.unescape(match.group(1))


def verdict(response: TestResponse) -> str:
    return shown(response, "verdict")


def failed_checks(response: TestResponse) -> list[str]:
    return re.findall(
        r'<tr class="row-failed">.*?<code>([^<]*)</code>', response.get_data(as_text=True), re.S
    )


def answer_for(path: str) -> dict[str, Any]:
    return presentation([badge()], challenge=path.rsplit("/", 1)[1], domain=DOMAIN)


def post(client: FlaskClient, path: str, document: Any) -> TestResponse:
    text = document if isinstance(document, str) else json.dumps(document)
    return client.post(path, data={"document": text})


# --- the request ------------------------------------------------------------------------


def test_each_press_makes_a_fresh_request(client: FlaskClient) -> None:
    assert new_request(client) != new_request(client)


def test_the_main_page_links_to_it(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/request">Request a badge</a>' in page


def test_the_request_shows_challenge_domain_expiry_qr_and_command(client: FlaskClient) -> None:
    path = new_request(client)
    challenge = path.rsplit("/", 1)[1]
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert shown(page, "challenge") == challenge
    assert shown(page, "domain") == DOMAIN
    assert shown(page, "expires") == "12:05:00 UTC"
    assert 'datetime="2026-06-01T12:05:00Z"' in text
    assert f'src="{path}/qr.svg"' in text
    payload = shown(page, "request-text")
    asked = PresentationRequest.from_payload(payload)
    assert (asked.challenge, asked.domain, asked.expires) == (
        challenge,
        DOMAIN,
        NOW + dt.timedelta(minutes=5),
    )
    # The commands paste into a shell as they are.
    assert shlex.split(shown(page, "command")) == ["laurel", "present", "ID", "--request", payload]
    assert shlex.split(shown(page, "link-command"))[4:] == [
        payload,
        "--link",
        f"http://localhost{path}",
        "--qr",
        "answer.png",
    ]
    assert f'action="{path}"' in text


def test_the_qr_code_is_the_request_served_from_this_origin(client: FlaskClient) -> None:
    path = new_request(client)
    payload = shown(client.get(path), "request-text")
    image = client.get(f"{path}/qr.svg")
    assert image.status_code == 200
    assert image.mimetype == "image/svg+xml"
    assert image.data == render_svg(payload)
    assert b"<script" not in image.data
    assert b"href" not in image.data
    assert image.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert render_qr(payload)[1] <= 7  # a small code, easy to photograph from a screen


def test_the_page_uses_only_local_assets(client: FlaskClient) -> None:
    page = client.get(new_request(client))
    text = page.get_data(as_text=True)
    assert "<style" not in text
    assert "style=" not in text
    assert re.search(r"<script(?![^>]*\ssrc=\"/)", text) is None, "inline script"
    for url in re.findall(r'(?:src|href|action)="([^"]*)"', text):
        if url.startswith("openid4vp://?"):
            continue  # a link a wallet opens (OID4VP), not something the page loads
        if url == "#main":  # the skip link
            continue
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self';")
    assert page.headers["Referrer-Policy"] == "no-referrer"


# --- answers ----------------------------------------------------------------------------


def test_p01_an_answer_is_verified_once_and_a_replay_refused(client: FlaskClient) -> None:
    path = new_request(client)
    vp = answer_for(path)
    first = post(client, path, vp)
    assert first.status_code == 200
    assert verdict(first) == "Verified"
    assert failed_checks(first) == []
    assert "presentation.challenge</code>" in first.get_data(as_text=True)
    assert "This request has been answered" in first.get_data(as_text=True)
    replay = post(client, path, vp)
    assert replay.status_code == 200
    assert verdict(replay) == "Not verified"
    assert failed_checks(replay) == ["presentation.challenge_reused"]
    again = client.get(path)
    assert "This request has been answered" in again.get_data(as_text=True)
    assert client.get(f"{path}/qr.svg").status_code == 200


@pytest.mark.parametrize("form", ["qr-upload", "link", "payload"])
def test_an_answer_as_a_qr_picture_a_link_or_a_payload(client: FlaskClient, form: str) -> None:
    path = new_request(client)
    payload = encode_envelope(answer_for(path))
    if form == "qr-upload":
        image, _ = render_qr(payload)
        png = io.BytesIO()
        image.save(png, "PNG")
        response = client.post(
            path,
            data={"file": (io.BytesIO(png.getvalue()), "answer.png")},
            content_type="multipart/form-data",
        )
    else:
        text = link_to(f"http://localhost{path}", payload) if form == "link" else payload
        response = post(client, path, text)
    assert verdict(response) == "Verified"


def test_p02_an_answer_to_another_challenge(client: FlaskClient) -> None:
    path = new_request(client)
    other = presentation([badge()], challenge="another-verifiers", domain=DOMAIN)
    response = post(client, path, other)
    assert verdict(response) == "Not verified"
    assert failed_checks(response) == ["presentation.challenge_mismatch"]
    # The challenge is used up even so: a correct answer now comes too late.
    assert failed_checks(post(client, path, answer_for(path))) == ["presentation.challenge_reused"]


def test_p03_an_answer_for_another_domain(client: FlaskClient) -> None:
    path = new_request(client)
    vp = presentation([badge()], challenge=path.rsplit("/", 1)[1], domain="evil.example")
    assert failed_checks(post(client, path, vp)) == ["presentation.domain_mismatch"]


def test_p04_an_answer_after_the_request_expired(client: FlaskClient, clock: Clock) -> None:
    path = new_request(client)
    clock.now = NOW + dt.timedelta(minutes=6)
    page = client.get(path)
    assert "This request expired at" in page.get_data(as_text=True)
    assert 'id="request-text"' not in page.get_data(as_text=True)
    assert client.get(f"{path}/qr.svg").status_code == 404
    response = post(client, path, answer_for(path))
    assert verdict(response) == "Not verified"
    assert failed_checks(response) == ["presentation.challenge_expired"]


def test_p06_a_stolen_badge_in_an_answer(client: FlaskClient) -> None:
    path = new_request(client)
    vp = presentation([badge()], MALLORY, challenge=path.rsplit("/", 1)[1], domain=DOMAIN)
    assert failed_checks(post(client, path, vp)) == ["presentation.holder_not_subject"]


def test_p10_a_request_this_verifier_never_made(client: FlaskClient) -> None:
    path = "/request/never-issued-here-000000"
    page = client.get(path)
    assert page.status_code == 404
    assert "This request is unknown here" in page.get_data(as_text=True)
    assert client.get(f"{path}/qr.svg").status_code == 404
    response = post(client, path, answer_for(path))
    assert verdict(response) == "Not verified"
    assert failed_checks(response) == ["presentation.challenge_unknown"]


@pytest.mark.parametrize(
    ("document", "error"),
    [
        (badge(), "This is not a presentation"),
        ("not json", "This is not a readable presentation: not valid JSON"),
        ("", "There is nothing to verify"),
        ("LR1:ABC", "presentation request, not a credential or presentation"),
        ("[1, 2]", "This is not a readable presentation"),
    ],
)
def test_unreadable_answers_leave_the_challenge_unused(
    client: FlaskClient, document: Any, error: str
) -> None:
    path = new_request(client)
    refused = post(client, path, document)
    assert refused.status_code == 400
    assert error in shown(refused, "error")
    assert verdict(post(client, path, answer_for(path))) == "Verified"


def test_script_in_the_path_is_escaped(client: FlaskClient) -> None:
    page = client.get("/request/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert page.status_code == 404
    assert "<script>alert" not in page.get_data(as_text=True)


def test_the_page_and_the_api_share_one_challenge_store(client: FlaskClient) -> None:
    # A request made on the page, answered through the API, is then used on the page too.
    path = new_request(client)
    vp = answer_for(path)
    options = {"challenge": path.rsplit("/", 1)[1], "domain": DOMAIN}
    api = client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": options}
    )
    assert api.status_code == 200
    assert failed_checks(post(client, path, vp)) == ["presentation.challenge_reused"]
    # And a challenge from POST /challenges has its page.
    issued = client.post("/challenges").get_json()
    page = client.get(f"/request/{issued['challenge']}")
    assert shown(page, "challenge") == issued["challenge"]


def test_the_page_offers_an_openid4vp_request_and_its_status(client: FlaskClient) -> None:
    text = client.get(new_request(client)).get_data(as_text=True)
    link = re.search(r'id="oid4vp-link" href="(openid4vp://\?[^"]+)"', text)
    assert link is not None
    assert "client_id=decentralized_identifier%3Adid%3Akey%3A" in link.group(1)
    status = re.search(r'data-status-uri="(/oid4vp/status/[^"]+)"', text)
    assert status is not None
    assert client.get(status.group(1)).get_json()["status"] == "pending"
    qr = re.search(r'src="(/oid4vp/requests/[^"]+/qr.svg)"', text)
    assert qr is not None
    assert client.get(qr.group(1)).mimetype == "image/svg+xml"
