"""The verification page (GET/POST /): verdict, badge card, checks, escaping (SECURITY.md M11, X08)."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse, stream_encode_multipart

from tests.builders import HOLDER, badge, presentation, sign, unsigned_badge
from vc.did import DidResolver
from verifier.app import MAX_CONTENT_LENGTH, create_app
from verifier.page import MAX_FORM_PARTS, BadgeCard, image_source, safe_link

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
SCRIPT = "<script>alert(1)</script>"
PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


@pytest.fixture
def app() -> Flask:
    return create_app(resolver=DidResolver(), clock=lambda: NOW, testing=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def tampered() -> dict[str, Any]:
    doc = copy.deepcopy(badge())
    doc["credentialSubject"]["achievement"]["name"] = "Something Else Entirely"
    return doc


def badge_with(**achievement: Any) -> dict[str, Any]:
    """A validly signed badge whose achievement was edited before signing."""
    doc = unsigned_badge()
    doc["credentialSubject"]["achievement"].update(achievement)
    return sign(doc)


def xss_badge() -> dict[str, Any]:
    """SECURITY.md M11: script in the name, a javascript: image."""
    return badge_with(name=SCRIPT, image={"id": "javascript:alert(1)", "type": "Image"})


def post(client: FlaskClient, document: Any) -> TestResponse:
    text = document if isinstance(document, str) else json.dumps(document)
    return client.post("/", data={"document": text})


def verdict(response: TestResponse) -> str:
    match = re.search(r'<h2 id="verdict"[^>]*>([^<]*)</h2>', response.get_data(as_text=True))
    assert match is not None, "no verdict heading"
    return match.group(1)


def sentence(response: TestResponse) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'<p id="verdict-sentence"[^>]*>(.*?)</p>', html, re.DOTALL)
    assert match is not None, "no verdict sentence"
    return re.sub(r"<[^>]+>", "", match.group(1))


def images(response: TestResponse) -> list[str]:
    return re.findall(r'<img[^>]*\ssrc="([^"]*)"', response.get_data(as_text=True))


# --- the form ---------------------------------------------------------------------------------


def test_get_renders_the_labelled_form(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert '<html lang="en">' in html
    assert '<meta name="viewport"' in html
    assert '<label for="document">' in html
    assert '<textarea id="document" name="document"' in html
    assert '<label for="file">' in html
    assert 'id="file" name="file" type="file"' in html
    assert 'enctype="multipart/form-data"' in html
    assert ">Verify</button>" in html
    assert 'id="verdict"' not in html


def test_page_uses_only_local_assets(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "<style" not in html
    assert "style=" not in html
    assert re.search(r"<script(?![^>]*\ssrc=\"/)", html) is None, "inline script"
    assert "//" not in "".join(re.findall(r'(?:src|href)="([^"]*)"', html))
    for asset, mimetype in [
        ("/assets/page.css", "text/css"),
        ("/assets/page.js", "text/javascript"),
    ]:
        assert f'"{asset}"' in html
        with client.get(asset) as response:
            assert response.status_code == 200
            assert response.mimetype == mimetype
            assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("method", ["get", "post"])
def test_page_security_headers(client: FlaskClient, method: str) -> None:
    response = getattr(client, method)("/", data={"document": json.dumps(badge())})
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self';")
    assert "script-src" not in csp, "scripts fall back to default-src 'self'"
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_api_headers_unchanged(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.headers["Content-Security-Policy"] == "default-src 'self'"
    assert "Referrer-Policy" not in response.headers


# --- results ----------------------------------------------------------------------------------


def test_valid_badge_is_verified_with_its_card(client: FlaskClient) -> None:
    response = post(client, badge())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert verdict(response) == "Verified"
    assert html.index('id="verdict"') < html.index("Formative Assessment in Practice")
    assert "Designs and uses formative assessment to adjust instruction." in html
    assert "Three annotated lesson plans scored proficient on the district rubric." in html
    assert "Riverside School District" in html
    assert HOLDER.did in html
    assert '<time datetime="2026-01-01T00:00:00Z" data-format="date">Jan 1, 2026</time>' in html
    assert "<code>proof.signature</code>" in html
    assert "Passed" in html
    assert "Issued by Riverside School District on" in sentence(response)


def test_every_check_is_listed_with_status_id_and_message(client: FlaskClient) -> None:
    from verifier.policy import VerificationPolicy
    from verifier.verify import verify

    result = verify(badge(), VerificationPolicy(now=NOW), resolver=DidResolver())
    html = post(client, badge()).get_data(as_text=True)
    rows = re.findall(r'<tr class="row-(\w+)">.*?<code>([^<]+)</code>', html, re.DOTALL)
    assert rows == [(c.status.value, c.id) for c in result.checks]
    for check in result.checks:
        assert check.message.replace("'", "&#39;") in html


def test_tampered_badge_is_not_verified_and_names_the_check(client: FlaskClient) -> None:
    response = post(client, tampered())
    html = response.get_data(as_text=True)
    assert response.status_code == 200, "the page answers 200 even when not verified"
    assert verdict(response) == "Not verified"
    assert re.search(
        r'<tr class="row-failed">\s*<td>.*?</td>\s*<td>.*?<code>proof\.signature_invalid', html
    )
    assert sentence(response) == "Altered after it was issued: the signature does not match."
    assert "Something Else Entirely" in html


def test_a_failing_badge_is_dimmed_and_never_the_headline(client: FlaskClient) -> None:
    html = post(client, tampered()).get_data(as_text=True)
    assert 'class="card badge card-dimmed card-unverified"' in html
    assert "Unverified: what the document claims" in html
    headings = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, re.DOTALL)
    assert not [h for h in headings if "Something Else Entirely" in h], "the claim is no heading"
    assert '<p class="card-title achievement claimed">Something Else Entirely</p>' in html
    assert html.index('id="verdict"') < html.index("Something Else Entirely")


def test_the_rubric_level_evidence_and_alignment_are_shown(client: FlaskClient) -> None:
    doc = unsigned_badge()
    achievement = doc["credentialSubject"]["achievement"]
    achievement["resultDescription"] = [
        {
            "id": "urn:uuid:rubric",
            "type": ["ResultDescription"],
            "name": "District rubric",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                {"id": "urn:uuid:l1", "type": ["RubricCriterionLevel"], "name": "developing"},
                {
                    "id": "urn:uuid:l2",
                    "type": ["RubricCriterionLevel"],
                    "name": "distinguished",
                    "description": "Adapts instruction from evidence every week.",
                },
            ],
        }
    ]
    achievement["alignment"] = [
        {
            "type": ["Alignment"],
            "targetName": "InTASC Standard 6: Assessment",
            "targetUrl": "https://ccsso.example/intasc/6",
            "targetFramework": "InTASC",
            "targetCode": "6",
        }
    ]
    doc["credentialSubject"]["result"] = [
        {"type": ["Result"], "resultDescription": "urn:uuid:rubric", "achievedLevel": "urn:uuid:l2"}
    ]
    doc["evidence"] = [
        {
            "id": "https://portfolio.example/ana/unit-3",
            "type": ["Evidence"],
            "name": "Unit 3 plans",
            "narrative": "Three lesson plans with exit tickets.",
        }
    ]
    response = post(client, sign(doc))
    html = response.get_data(as_text=True)
    assert verdict(response) == "Verified"
    assert '<strong class="level">distinguished</strong>' in html
    assert "(District rubric)" in html
    assert "Adapts instruction from evidence every week." in html
    assert (
        '<a href="https://ccsso.example/intasc/6" rel="noopener noreferrer nofollow">InTASC Standard 6: Assessment</a>'
        in html
    )
    assert "(InTASC, 6)" in html
    assert "Unit 3 plans</a>" in html
    assert "Three lesson plans with exit tickets." in html


def test_presentation_shows_each_embedded_credential(client: FlaskClient) -> None:
    vp = presentation([badge(), tampered()])
    response = post(client, vp)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert verdict(response) == "Not verified", "one embedded credential is tampered"
    assert "Presentation checks" in html
    assert HOLDER.did in html
    # The presentation as a whole is refused: no embedded badge reads as a pass.
    assert re.search(r'<h3 id="credential-1"[^>]*>Not accepted</h3>', html)
    assert re.search(r'<h3 id="credential-2"[^>]*>Not verified</h3>', html)
    assert "verdict-verified" not in html
    assert "Formative Assessment in Practice" in html
    assert "Something Else Entirely" in html
    assert "Checks of badge 2" in html
    assert sentence(response) == (
        "1 of the badges presented is not verified: "
        "Altered after it was issued: the signature does not match."
    )


def test_valid_presentation_is_verified(client: FlaskClient) -> None:
    response = post(client, presentation([badge()], challenge=None, domain=None))
    assert verdict(response) == "Verified"
    assert re.search(r'<h3 id="credential-1"[^>]*>Verified</h3>', response.get_data(as_text=True))
    assert "Badge 1 of 1" in response.get_data(as_text=True)


def test_upload_via_file_field(client: FlaskClient) -> None:
    data = {"file": (io.BytesIO(json.dumps(badge()).encode()), "badge.json", "application/json")}
    response = client.post("/", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert verdict(response) == "Verified"
    assert "Formative Assessment in Practice" in response.get_data(as_text=True)


def test_uploaded_file_wins_over_pasted_text(client: FlaskClient) -> None:
    data = {
        "document": json.dumps(tampered()),
        "file": (io.BytesIO(json.dumps(badge()).encode()), "badge.json"),
    }
    response = client.post("/", data=data, content_type="multipart/form-data")
    assert verdict(response) == "Verified"


def test_empty_file_falls_back_to_pasted_text(client: FlaskClient) -> None:
    data = {"document": json.dumps(badge()), "file": (io.BytesIO(b""), "")}
    response = client.post("/", data=data, content_type="multipart/form-data")
    assert verdict(response) == "Verified"


# --- SECURITY.md M11 / X08 -----------------------------------------------------------------


def test_script_in_badge_is_escaped_and_javascript_image_not_rendered(client: FlaskClient) -> None:
    response = post(client, xss_badge())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert SCRIPT not in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert images(response) == []
    assert "javascript:" not in html.split("<textarea", 1)[0]
    assert not re.search(r"(src|href)=\"\s*javascript:", html, re.IGNORECASE)


def test_reflected_script_in_pasted_text_is_escaped(client: FlaskClient) -> None:
    response = post(client, '{"x": "</textarea></script><script>alert(1)</script>"}')
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "</textarea></script>" not in html
    assert "&lt;/textarea&gt;&lt;/script&gt;&lt;script&gt;" in html


def test_reflected_script_in_unreadable_text_is_escaped(client: FlaskClient) -> None:
    response = post(client, "</textarea><script>alert(1)</script>")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<script>alert" not in html


@pytest.mark.parametrize(
    "image",
    [
        "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+",
        {"id": "data:image/svg+xml,<svg onload=alert(1)>", "type": "Image"},
        "http://example.org/badge.png",
        " javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "https:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    ],
)
def test_unsafe_image_schemes_are_not_rendered(client: FlaskClient, image: Any) -> None:
    response = post(client, badge_with(image=image))
    assert images(response) == []
    assert "badge-placeholder" in response.get_data(as_text=True)


def test_an_inline_png_image_is_rendered(client: FlaskClient) -> None:
    response = post(client, badge_with(image={"id": PNG, "type": "Image", "caption": "A laurel"}))
    assert images(response) == [PNG]
    assert 'alt="A laurel"' in response.get_data(as_text=True)


def test_an_https_image_is_never_hot_linked(app: Flask, client: FlaskClient) -> None:
    from verifier.images import ImageInliner

    app.extensions["laurel.images"] = ImageInliner(None)  # nothing may be fetched here
    response = post(client, badge_with(image="https://example.org/badge.png"))
    assert images(response) == []
    assert (
        "https://example.org/badge.png" not in response.get_data(as_text=True).split("<textarea")[0]
    )
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]


def test_evidence_links_only_if_https(client: FlaskClient) -> None:
    doc = unsigned_badge()
    doc["evidence"] = [
        {"id": "https://example.org/lesson-plans", "type": ["Evidence"], "name": "Lesson plans"},
        {"id": "javascript:alert(1)", "type": ["Evidence"], "name": "Click me"},
    ]
    html = post(client, sign(doc)).get_data(as_text=True)
    assert '<a href="https://example.org/lesson-plans" rel="noopener noreferrer nofollow">' in html
    assert "Click me" in html
    assert "javascript:" not in html.split("<textarea", 1)[0]


def test_card_reads_language_maps_and_hashed_recipients() -> None:
    card = BadgeCard.from_credential(
        {
            "issuer": {
                "id": "did:example:issuer",
                "name": [{"@value": "Issuer", "@language": "en"}],
            },
            "credentialSubject": {
                "identifier": [{"identityType": "emailAddress", "hashed": True}],
                "achievement": {"name": {"@value": "Name"}, "criteria": {"id": "http://x.example"}},
            },
        }
    )
    assert (card.issuer_name, card.issuer_id, card.achievement) == (
        "Issuer",
        "did:example:issuer",
        "Name",
    )
    assert (card.recipient, card.recipient_hashed) == ("emailAddress", True)
    assert card.criteria_link is None
    assert card.image is None


def test_image_and_link_filters() -> None:
    assert image_source({"id": PNG}) == PNG
    assert image_source("data:image/jpeg;base64,/9j/4AAQ") == "data:image/jpeg;base64,/9j/4AAQ"
    assert image_source(["https://example.org/a.png"]) is None
    assert safe_link("https://") is None
    assert safe_link('https://example.org/"onmouseover="x') is None
    assert safe_link(42) is None


# --- unreadable input: a 400 page, never a 500 --------------------------------------------


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("not json at all", "not valid JSON"),
        ("[1, 2, 3]", "expected a JSON object"),
        ('{"a": 1, "a": 2}', "not a readable credential"),
        ("[" * 500 + "]" * 500, "not a readable credential"),
    ],
)
def test_garbage_gives_a_400_page_with_an_error(
    client: FlaskClient, body: str, needle: str
) -> None:
    response = post(client, body)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert 'role="alert"' in html
    assert needle in html
    assert 'id="verdict"' not in html
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_nothing_to_verify_is_a_400_page(client: FlaskClient) -> None:
    response = client.post("/", data={"document": "   "})
    assert response.status_code == 400
    assert "There is nothing to verify" in response.get_data(as_text=True)


def test_binary_upload_is_a_400_page(client: FlaskClient) -> None:
    # A broken JPEG is read as a photo of a QR code, and refused as an unreadable image.
    data = {"file": (io.BytesIO(b"\xff\xd8\xff\xe0\x00\x10JFIF"), "photo.jpg")}
    response = client.post("/", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "image" in response.get_data(as_text=True)
    data = {"file": (io.BytesIO(b"\xff\xfe not text"), "badge.json")}
    response = client.post("/", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not UTF-8" in response.get_data(as_text=True)


def test_too_many_form_parts_is_a_413_page(client: FlaskClient) -> None:
    data = {f"field{i}": "x" for i in range(MAX_FORM_PARTS + 1)}
    response = client.post("/", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "too large" in response.get_data(as_text=True)


def test_body_over_the_limit_is_a_413_page(client: FlaskClient) -> None:
    response = client.post("/", data={"document": "x" * (MAX_CONTENT_LENGTH + 1)})
    assert response.status_code == 413
    assert "1024 KiB" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_pasted_text_may_use_the_whole_body_limit(client: FlaskClient, content_type: str) -> None:
    doc = badge()
    doc["notes"] = ["x" * 60_000] * 10  # over werkzeug's default 500 kB form-field cap
    if content_type == "multipart/form-data":
        # Encoded in memory: the test client would spool this body to an unclosed temp file.
        stream, _, boundary = stream_encode_multipart(
            {"document": json.dumps(doc)}, use_tempfile=False
        )
        body: Any = stream.getvalue()
        content_type = f"{content_type}; boundary={boundary}"
    else:
        body = {"document": json.dumps(doc)}
    response = client.post("/", data=body, content_type=content_type)
    assert response.status_code == 200
    assert verdict(response) == "Not verified", "the notes were added after signing"


def test_garbage_multipart_is_a_400_page(client: FlaskClient) -> None:
    response = client.post(
        "/", data=b"--x\r\ngarbage", content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_upload_a_photo_of_a_qr_code_or_a_baked_badge():
    import io

    from tests.builders import badge, presentation
    from vc.baking import bake_png
    from vc.envelope import encode_envelope
    from vc.qr import render_qr
    from verifier.app import create_app

    client = create_app(testing=True).test_client()
    image, _ = render_qr(encode_envelope(presentation([badge()], challenge=None, domain=None)))
    png = io.BytesIO()
    image.save(png, format="PNG")
    answer = client.post(
        "/",
        data={"file": (io.BytesIO(png.getvalue()), "qr.png")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    assert b"Verified" in answer.data
    from PIL import Image

    plain = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(plain, format="PNG")
    baked = bake_png(plain.getvalue(), json.dumps(badge()))
    answer = client.post(
        "/", data={"file": (io.BytesIO(baked), "badge.png")}, content_type="multipart/form-data"
    )
    assert answer.status_code == 200
    assert b"Formative Assessment in Practice" in answer.data
    blank = io.BytesIO()
    Image.new("L", (64, 64), 255).save(blank, format="PNG")
    answer = client.post(
        "/",
        data={"file": (io.BytesIO(blank.getvalue()), "blank.png")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400


def test_command_line_advice_never_reaches_the_page() -> None:
    from vc.results import CheckResult, VerificationResult
    from verifier.report import Report

    result = VerificationResult(
        (
            CheckResult.passed("proof.signature", "ok"),
            CheckResult.warning(
                "anchor.unavailable",
                "the anchor on chain 1 was not looked up: no chain is configured (pass --rpc URL)",
            ),
        ),
        summary={"issuer": {"id": "did:web:lakeshore.example", "name": "Lakeshore USD"}},
    )
    report = Report.build(result, badge())
    assert [row.message for row in report.rows][1] == (
        "the anchor on chain 1 was not looked up: no chain is configured"
    )
    assert "--rpc" not in " ".join((*report.verdict.note_texts, report.verdict.sentence))
    assert "Its blockchain record was not looked up here." in report.verdict.note_texts
