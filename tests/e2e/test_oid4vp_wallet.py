"""laurel's OID4VP verifier answered by a third-party wallet (the OWF libraries, Digital Bazaar, @sd-jwt).

The verifier runs as a real HTTP server on loopback; the wallet is a node process
that resolves the ``openid4vp://`` link, checks the signed request object, signs a
presentation and posts it (direct_post). SECURITY.md V02 cases are named for the attack.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.builders import sign, unsigned_badge
from tests.oid4vc_peers import run_peer
from vc.did import DidResolver, did_key_from_public_key
from vc.keys import Ed25519KeyPair
from verifier.app import create_app

pytestmark = pytest.mark.e2e

HOLDER_SEED = hashlib.sha256(b"node wallet holder").hexdigest()
HOLDER_DID = did_key_from_public_key(Ed25519KeyPair.from_seed(bytes.fromhex(HOLDER_SEED)).public_key)


@pytest.fixture(scope="module")
def verifier() -> Iterator[str]:
    app = create_app(resolver=DidResolver())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _post(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=10) as answer:
        assert answer.status == 201
        return json.loads(answer.read())


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def _badge() -> dict[str, Any]:
    return sign(unsigned_badge(subject=HOLDER_DID))


def test_owf_wallet_presents_a_laurel_badge_as_ldp_vc(verifier: str, tmp_path: Path) -> None:
    started = _post(f"{verifier}/oid4vp/requests")
    assert _get(started["status_uri"])["status"] == "pending"
    answer = run_peer(
        "wallet_present.mjs",
        {"request": started["request"], "format": "ldp_vc", "holder_seed": HOLDER_SEED, "credential": _badge()},
        tmp_path,
    )
    # The OWF library accepted laurel's request object: signed by the DID in the client id.
    assert answer["client_prefix"] == "decentralized_identifier"
    assert answer["signer"] == "did"
    assert answer["status"] == 200
    verdict = _get(started["status_uri"])
    assert verdict["status"] == "verified", json.dumps(verdict["result"]["problemDetails"])
    assert {"presentation.challenge", "presentation.domain", "presentation.query"} <= set(
        verdict["result"]["checks"]
    )
