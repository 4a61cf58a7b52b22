"""laurel's OID4VCI issuer, redeemed by a third-party wallet (the OWF @openid4vc/openid4vci client).

A district's wallet serves its metadata, token, nonce and credential endpoints on
loopback; the node wallet receives an email-recipient badge, which becomes bound to
its did:key, then presents it to laurel's verifier (OID4VP). SECURITY.md V01 cases
are named for the attack.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.oid4vc_peers import run_peer
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from vc.did import DidResolver, did_key_from_public_key
from vc.keys import Ed25519KeyPair
from verifier.app import create_app
from verifier.policy import VerificationPolicy
from verifier.verify import verify
from wallet.home import Wallet
from wallet.issuer import IssueOptions, issue_badge, load_achievement
from wallet.keystore import KdfParams
from wallet.offers import OfferBook
from wallet.oid4vci import offer_uri, oid4vci_blueprint

pytestmark = pytest.mark.e2e

HOLDER_SEED = hashlib.sha256(b"owf wallet holder").hexdigest()
HOLDER_DID = did_key_from_public_key(
    Ed25519KeyPair.from_seed(bytes.fromhex(HOLDER_SEED)).public_key
)


@dataclass
class District:
    home: Path
    base: str
    badge_id: str

    def offer(
        self, configurations: tuple[str, ...] = ("OpenBadgeCredential_ldp_vc",)
    ) -> tuple[str, str]:
        with Wallet.open(self.home) as wallet:
            book = OfferBook(wallet.store.path)
        made = book.create(self.badge_id, list(configurations), now=dt.datetime.now(dt.UTC))
        return offer_uri(
            self.base, made.code, made.configurations, pin_length=len(made.pin)
        ), made.pin


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[District]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    home = tmp_path_factory.mktemp("district") / "wallet"
    with Wallet.create(
        home,
        name="Riverside School District",
        passphrase=PASSPHRASE,
        kdf=KdfParams.for_tests(),
        base_url=base,
    ) as wallet:
        stored = issue_badge(
            wallet,
            PASSPHRASE,
            load_achievement(json.dumps(ACHIEVEMENT).encode()),
            "ana@school.example",
            IssueOptions(now=dt.datetime.now(dt.UTC)),
        )
    app: Flask = create_app(resolver=DidResolver())
    app.register_blueprint(oid4vci_blueprint(home, passphrase=PASSPHRASE))
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield District(home, base, stored.id)
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _receive(district: District, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    offer, pin = district.offer()
    return run_peer(
        "wallet_receive.mjs",
        {"offer": offer, "pin": pin, "holder_seed": HOLDER_SEED, **extra},
        tmp_path,
    )


def test_owf_wallet_receives_an_email_badge_bound_to_its_did(
    district: District, tmp_path: Path
) -> None:
    answer = _receive(district, tmp_path)
    assert answer["ok"], answer
    credential = answer["value"]["credentials"][0]["credential"]
    assert credential["credentialSubject"]["id"] == HOLDER_DID
    # The email recipient's identifier is kept beside the DID.
    assert credential["credentialSubject"]["identifier"][0]["identityType"] == "emailAddress"
    result = verify(
        credential, VerificationPolicy(now=dt.datetime.now(dt.UTC)), resolver=DidResolver()
    )
    assert result.verified, [c.id for c in result.failures()]
