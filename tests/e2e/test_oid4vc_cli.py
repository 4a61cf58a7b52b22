"""The OpenID4VC commands end to end: `laurel offer`, `laurel serve --wallet`, `laurel receive`,
`laurel present --request openid4vp://…`, a district and a teacher, two real processes apart.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.service_tools import call, free_port, laurel_serve
from tests.wallet.conftest import PASSPHRASE
from wallet.home import Wallet
from wallet.keystore import KdfParams

pytestmark = pytest.mark.e2e

ENV = {"LAUREL_PASSPHRASE": PASSPHRASE}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def district(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    port = free_port()
    home = tmp_path / "district"
    Wallet.create(
        home,
        name="Riverside School District",
        passphrase=PASSPHRASE,
        kdf=KdfParams.for_tests(),
        base_url=f"http://127.0.0.1:{port}",
    ).close()
    with laurel_serve(
        "--workers", "2", "--wallet", str(home), "--allow-private-network", env=ENV, port=port
    ):
        yield home, port


def _issue(home: Path, achievement: Path, recipient: str) -> str:
    """A badge of `achievement` issued by the wallet at `home` to `recipient`: its id."""
    code, out, err = run(
        "issue", "--home", str(home), "--achievement", str(achievement), "--recipient", recipient
    )
    assert code == 0, err
    return out.strip().splitlines()[-1]


def _receive(offer: str, pin: str, teacher: Path) -> tuple[int, str, str]:
    """`laurel receive` of `offer` (a link or a photo of its QR code) into `teacher`."""
    return run("receive", offer, "--pin", pin, "--home", str(teacher), "--allow-private-network")


def _present(port: int, received_id: str, teacher: Path) -> dict:
    """`laurel present --request` to a new OID4VP request of the district: its verdict."""
    status, started, _ = call(port, "POST", "/oid4vp/requests")
    assert status == 201
    code, _, err = run(
        "present",
        received_id,
        "--request",
        started["request"],
        "--home",
        str(teacher),
        "--allow-private-network",
    )
    assert code == 0, err
    return call(port, "GET", "/" + started["status_uri"].split("/", 3)[3])[1]


def test_offer_receive_present_with_laurel_on_both_sides(
    district: tuple[Path, int], achievement: Path, tmp_path: Path
) -> None:
    home, port = district
    badge_id = _issue(home, achievement, "ana@school.example")
    qr = tmp_path / "offer.png"
    code, out, err = run("offer", badge_id, "--home", str(home), "--qr", str(qr), "--json")
    assert code == 0, err
    offered = json.loads(out)
    assert offered["offer"].startswith("openid-credential-offer://?credential_offer=")
    assert len(offered["pin"]) == 6
    assert offered["qr"] == str(qr)

    teacher = tmp_path / "teacher"
    Wallet.create(teacher, name="Ana", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()).close()
    # The teacher receives from a photo of the offer's QR code.
    code, out, err = _receive(str(qr), offered["pin"], teacher)
    assert code == 0, err
    received_id = out.strip().splitlines()[-1]
    with Wallet.open(teacher) as wallet:
        assert (
            wallet.store.get_credential(received_id).document["credentialSubject"]["id"]
            == wallet.identity.did
        )
    # The same offer again: refused by name.
    code, out, err = _receive(offered["offer"], offered["pin"], teacher)
    assert code == 1
    assert "invalid_grant" in err

    verdict = _present(port, received_id, teacher)
    assert verdict["status"] == "verified", verdict["result"]["errors"]


def test_present_refuses_an_openid4vp_request_at_a_private_address(tmp_path: Path) -> None:
    teacher = tmp_path / "teacher"
    Wallet.create(teacher, name="Ana", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()).close()
    link = "openid4vp://?client_id=decentralized_identifier%3Adid%3Akey%3Az6Mkx&request_uri=https%3A%2F%2F10.1.2.3%2Fr"
    code, _, err = run("present", "urn:uuid:x", "--request", link, "--home", str(teacher))
    assert code == 1
    assert "refused to fetch" in err


def test_offer_every_row_of_a_roster(achievement: Path, tmp_path: Path) -> None:
    home = tmp_path / "district"
    Wallet.create(
        home,
        name="Riverside",
        passphrase=PASSPHRASE,
        kdf=KdfParams.for_tests(),
        base_url="https://badges.riverside.example",
    ).close()
    roster = tmp_path / "cohort.csv"
    roster.write_text(
        "name,email\nAna,ana@school.example\nBo,bo@school.example\n", encoding="utf-8"
    )
    code, _, err = run(
        "issue",
        "--home",
        str(home),
        "--achievement",
        str(achievement),
        "--roster",
        str(roster),
        "--out-dir",
        str(tmp_path / "badges"),
    )
    assert code == 0, err
    code, out, err = run(
        "offer",
        "--roster",
        str(roster),
        "--achievement",
        str(achievement),
        "--home",
        str(home),
        "--qr",
        str(tmp_path / "offers"),
        "--json",
    )
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["email"] for r in rows] == ["ana@school.example", "bo@school.example"]
    assert len({r["offer"] for r in rows}) == 2
    assert all(Path(r["qr"]).is_file() for r in rows)
    offer = json.loads(
        urllib.parse.parse_qs(urllib.parse.urlsplit(rows[0]["offer"]).query)["credential_offer"][0]
    )
    assert offer["credential_issuer"] == "https://badges.riverside.example"
    assert (
        offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["tx_code"]["length"]
        == 6
    )


def test_offer_needs_a_base_url_and_an_issued_badge(tmp_path: Path) -> None:
    home = tmp_path / "teacher"
    Wallet.create(home, name="Ana", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()).close()
    code, _, err = run("offer", "urn:uuid:x", "--home", str(home))
    assert code == 1
    assert "--base-url" in err


def test_offer_format_jwt_receive_present_as_jwt_vc_json(
    district: tuple[Path, int], achievement: Path, tmp_path: Path
) -> None:
    home, port = district
    badge_id = _issue(home, achievement, "b@s.example")
    qr = tmp_path / "offer.svg"
    code, out, err = run(
        "offer", badge_id, "--format", "jwt", "--home", str(home), "--qr", str(qr), "--json"
    )
    assert code == 0, err
    offered = json.loads(out)
    assert "OpenBadgeCredential_jwt_vc_json" in urllib.parse.unquote(offered["offer"])
    assert "ldp_vc" not in urllib.parse.unquote(offered["offer"])

    teacher = tmp_path / "teacher"
    Wallet.create(teacher, name="Ben", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()).close()
    code, out, err = _receive(offered["offer"], offered["pin"], teacher)
    assert code == 0, err
    received_id = out.strip().splitlines()[-1]
    with Wallet.open(teacher) as wallet:
        original = wallet.store.original_of(received_id)
        assert original is not None
        assert original.format == "vc-jwt"

    verdict = _present(port, received_id, teacher)
    assert verdict["status"] == "verified", verdict["result"]["errors"]
    assert "format.vp_jwt" in verdict["result"]["checks"]
