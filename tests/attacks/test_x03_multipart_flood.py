"""X03: a multipart body of thousands of parts (Werkzeug CVE-2023-25577).

The JSON API never parses a form (415-style 400 at once); the page, which takes a
form, caps its parts (413). Either way the service answers the next request.
"""

from __future__ import annotations

from tests.builders import badge
from vc.did import DidResolver
from verifier.app import create_app


def _multipart(parts: int) -> tuple[bytes, str]:
    boundary = "b0und4ry"
    piece = f'--{boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n'.encode()
    return piece * parts + f"--{boundary}--\r\n".encode(), boundary


def test_x03_api_never_parses_a_form() -> None:
    client = create_app(resolver=DidResolver(), testing=True).test_client()
    body, boundary = _multipart(15_000)
    assert len(body) < 1024 * 1024  # under the body limit: the parts are what is hostile
    response = client.post(
        "/credentials/verify",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "unsupported_media_type"
    ok = client.post("/credentials/verify", json={"verifiableCredential": badge()})
    assert ok.status_code == 200


def test_x03_the_page_caps_the_parts() -> None:
    client = create_app(resolver=DidResolver(), testing=True).test_client()
    body, boundary = _multipart(15_000)
    response = client.post("/", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert client.get("/health").status_code == 200
