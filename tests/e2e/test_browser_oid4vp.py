""" "Request a badge" in a real headless browser answered by a third-party OpenID4VP wallet.

The page shows the openid4vp:// link and its QR code; the OWF wallet (node) answers it;
the verdict appears in the page's verdict element without a reload.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.builders import sign, unsigned_badge
from tests.e2e.test_browser import chromium
from tests.oid4vc_peers import run_peer
from tests.service_tools import serve_app
from vc.did import DidResolver, did_key_from_public_key
from vc.keys import Ed25519KeyPair
from verifier.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

HOLDER_SEED = hashlib.sha256(b"browser wallet holder").hexdigest()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve_app(create_app(resolver=DidResolver())) as url:
        yield url


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    with chromium(["--no-sandbox", "--disable-gpu"]) as browser:
        yield browser.new_context().new_page()


def test_the_verdict_appears_when_the_wallet_answers(
    page: Any, base_url: str, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base_url}/request")
    link = page.locator("#oid4vp-link").get_attribute("href")
    assert link.startswith("openid4vp://?client_id=decentralized_identifier")
    assert page.locator("#oid4vp img").evaluate("img => img.naturalWidth") > 0  # the QR loaded
    loaded = page.evaluate("performance.timeOrigin")
    holder = did_key_from_public_key(
        Ed25519KeyPair.from_seed(bytes.fromhex(HOLDER_SEED)).public_key
    )
    answer = run_peer(
        "wallet_present.mjs",
        {
            "request": link,
            "format": "ldp_vc",
            "holder_seed": HOLDER_SEED,
            "credential": sign(unsigned_badge(subject=holder)),
        },
        tmp_path,
    )
    assert answer["status"] == 200
    page.locator("#verdict").wait_for(timeout=15_000)
    assert page.locator("#verdict").inner_text() == "Verified"
    assert page.evaluate("performance.timeOrigin") == loaded, "the page reloaded"
    assert errors == []
