"""Badge images: fetched by the server through the fetch guard and inlined, never hot-linked.

A real HTTPS server on loopback (a throwaway CA, as in test_fetch) serves the images;
the real Fetcher fetches them.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import ssl
from typing import Any

import pytest
from PIL import Image

from tests.builders import sign, unsigned_badge
from tests.verifier import test_fetch
from tests.verifier.test_fetch import ALLOW, Dns, Server
from vc.did import DidResolver
from verifier.app import create_app
from verifier.fetch import Fetcher, FetchPolicy
from verifier.images import MAX_IMAGE_BYTES, SIDE, ImageInliner

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
# The loopback HTTPS server and its throwaway CA, as the fetch guard's tests make them.
pki = test_fetch.pki
client_tls = test_fetch.client_tls
server = test_fetch.server


def png(width: int = 400, height: int = 300, *, text: str | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (31, 78, 121))
    out = io.BytesIO()
    info = None
    if text is not None:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_itxt("openbadgecredential", text)
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def serve(server: Server, path: str, body: bytes, content_type: str = "image/png") -> str:
    def route(handler: Any, state: Server) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    server.routes[path] = route
    return server.url(path)


def inliner(tls: ssl.SSLContext, policy: FetchPolicy = ALLOW) -> ImageInliner:
    dns = Dns({"issuer.test": ["127.0.0.1"], "intranet.test": ["10.1.2.3"]})
    return ImageInliner(Fetcher(policy, resolve=dns, ssl_context=tls).fetch)


def decoded(uri: str) -> Image.Image:
    assert uri.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


def test_an_image_is_fetched_shrunk_and_inlined_once(server: Server, client_tls: Any) -> None:
    url = serve(server, "/badge.png", png())
    images = inliner(client_tls)
    first = images.inline(url)
    assert first is not None
    with decoded(first) as image:
        assert max(image.size) == SIDE
    assert images.inline(url) == first
    assert [path for path, _ in server.requests] == ["/badge.png"], "fetched once"
    assert server.requests[0][1]["accept"] == "image/png, image/jpeg"


def test_what_the_image_carries_besides_pixels_is_dropped(server: Server, client_tls: Any) -> None:
    url = serve(server, "/baked.png", png(text='{"a credential": "baked in"}'))
    found = inliner(client_tls).inline(url)
    assert found is not None
    assert b"openbadgecredential" not in base64.b64decode(found.split(",", 1)[1])


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image/svg+xml"),
        (b"<html>not an image</html>", "text/html"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),  # a PNG signature, then garbage
        (png()[:64] + b"\x00" * MAX_IMAGE_BYTES, "image/png"),
    ],
    ids=["svg_with_script", "html", "truncated_png", "oversized"],
)
def test_anything_but_a_png_or_jpeg_gives_no_image(
    server: Server, client_tls: Any, body: bytes, content_type: str
) -> None:
    url = serve(server, "/x", body, content_type)
    assert inliner(client_tls).inline(url) is None


def test_a_decompression_bomb_gives_no_image(server: Server, client_tls: Any) -> None:
    # A small file that claims 20,000 x 20,000 pixels.
    bomb = Image.new("1", (20_000, 20_000))
    out = io.BytesIO()
    bomb.save(out, format="PNG", optimize=True)
    assert len(out.getvalue()) < MAX_IMAGE_BYTES
    url = serve(server, "/bomb.png", out.getvalue())
    assert inliner(client_tls).inline(url) is None


def test_an_image_on_a_private_address_is_not_fetched(client_tls: Any) -> None:
    images = inliner(client_tls, FetchPolicy())  # the default policy: public addresses only
    assert images.inline("https://intranet.test/badge.png") is None


def test_the_page_shows_the_inlined_image_and_the_reader_fetches_nothing(
    server: Server, client_tls: Any
) -> None:
    url = serve(server, "/formative.png", png())
    app = create_app(resolver=DidResolver(), clock=lambda: NOW, testing=True)
    app.extensions["laurel.images"] = inliner(client_tls)
    doc = unsigned_badge()
    doc["credentialSubject"]["achievement"]["image"] = {
        "id": url,
        "type": "Image",
        "caption": "A laurel wreath",
    }
    response = app.test_client().post("/", data={"document": json.dumps(sign(doc))})
    html = response.get_data(as_text=True)
    sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', html)
    assert len(sources) == 1
    assert sources[0].startswith("data:image/png;base64,")
    assert 'alt="A laurel wreath"' in html
    assert url not in html.split("<textarea")[0], "no hot link"
