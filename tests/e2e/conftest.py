"""Shared e2e fixtures: a district's wallet, on disk or serving OID4VCI on loopback; an achievement."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from tests.service_tools import free_port, serve_app
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from vc.did import DidResolver
from verifier.app import create_app
from verifier.verify import networked_status_checker
from wallet.home import Wallet
from wallet.issuer import IssueOptions, issue_badge, load_achievement
from wallet.keystore import KdfParams
from wallet.offers import OfferBook
from wallet.oid4vci import offer_uri, oid4vci_blueprint
from wallet.service import issuer_blueprint


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A district's wallet, without a base URL."""
    path = tmp_path / "district"
    Wallet.create(
        path, name="Riverside School District", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()
    ).close()
    return path


@pytest.fixture
def achievement(tmp_path: Path) -> Path:
    """The test achievement, in a file."""
    path = tmp_path / "achievement.json"
    path.write_text(json.dumps(ACHIEVEMENT), encoding="utf-8")
    return path


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


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[District]:
    port = free_port()
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
    app: Flask = create_app(
        resolver=DidResolver(), status_checker=networked_status_checker(allow_private_network=True)
    )
    app.register_blueprint(issuer_blueprint(home, passphrase=None, token=None))  # status lists
    app.register_blueprint(oid4vci_blueprint(home, passphrase=PASSPHRASE))
    with serve_app(app, port):
        yield District(home, base, stored.id)
