"""laurel's CLI as the wallet of third-party servers: it receives a badge from an OWF
OpenID4VCI issuer (the badge signed by Digital Bazaar's vc) and answers an OWF OpenID4VP
verifier (which checks the presentation with Digital Bazaar's vc).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.oid4vc_peers import PeerServer
from tests.wallet.conftest import PASSPHRASE
from vc.qr import render_qr
from wallet.home import Wallet
from wallet.keystore import KdfParams

pytestmark = pytest.mark.e2e

ENV = {"LAUREL_PASSPHRASE": PASSPHRASE}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def teacher(tmp_path: Path) -> Path:
    home = tmp_path / "teacher"
    Wallet.create(home, name="Ana", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()).close()
    return home


@pytest.fixture
def owf_issuer(tmp_path: Path) -> Iterator[dict]:
    server = PeerServer(
        "issuer_server.mjs", {"issuer_seed": hashlib.sha256(b"owf issuer").hexdigest()}, tmp_path
    )
    try:
        yield server.info
    finally:
        server.stop()


@pytest.fixture
def owf_verifier(tmp_path: Path) -> Iterator[dict]:
    server = PeerServer(
        "verifier_server.mjs",
        {"verifier_seed": hashlib.sha256(b"owf verifier").hexdigest()},
        tmp_path,
    )
    try:
        yield server.info
    finally:
        server.stop()


def _result(base: str) -> dict:
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", "/result")
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def test_laurel_receives_from_an_owf_issuer_and_answers_an_owf_verifier(
    teacher: Path, owf_issuer: dict, owf_verifier: dict
) -> None:
    code, out, err = run(
        "receive",
        owf_issuer["offer"],
        "--pin",
        owf_issuer["pin"],
        "--home",
        str(teacher),
        "--allow-private-network",
    )
    assert code == 0, err
    badge_id = out.strip().splitlines()[-1]
    with Wallet.open(teacher) as wallet:
        stored = wallet.store.get_credential(badge_id)
        assert stored.document["issuer"]["id"] == owf_issuer["issuer"]
        assert stored.document["credentialSubject"]["id"] == wallet.identity.did
        holder = wallet.identity.did
    # The verifier's request as a photo of its QR code.
    photo = teacher.parent / "request.png"
    render_qr(owf_verifier["request"])[0].save(photo, format="PNG")
    code, out, err = run(
        "present",
        badge_id,
        "--request",
        str(photo),
        "--home",
        str(teacher),
        "--allow-private-network",
    )
    assert code == 0, err
    verdict = _result(owf_verifier["base"])
    assert verdict == {
        "received": True,
        "state_ok": True,
        "verified": True,
        "error": None,
        "holder": holder,
    }


def test_laurel_refuses_a_wrong_pin_from_an_owf_issuer_by_its_error(
    teacher: Path, owf_issuer: dict
) -> None:
    wrong = "000000" if owf_issuer["pin"] != "000000" else "111111"
    code, _, err = run(
        "receive",
        owf_issuer["offer"],
        "--pin",
        wrong,
        "--home",
        str(teacher),
        "--allow-private-network",
    )
    assert code == 1
    assert "token endpoint refused" in err
