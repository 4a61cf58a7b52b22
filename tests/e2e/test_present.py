"""Presenting by QR code: `laurel present --qr`, then `laurel verify` reads the image."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from wallet.home import Wallet
from wallet.issuer import IssueOptions, issue_badge, load_achievement
from wallet.keystore import KdfParams

ENV = {"LAUREL_PASSPHRASE": PASSPHRASE}


@pytest.fixture
def teacher_with_badge(tmp_path: Path) -> tuple[Path, str]:
    district = Wallet.create(
        tmp_path / "district", name="Riverside", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()
    )
    teacher = Wallet.create(
        tmp_path / "teacher", name="Ana", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()
    )
    stored = issue_badge(
        district,
        PASSPHRASE,
        load_achievement(json.dumps(ACHIEVEMENT).encode()),
        teacher.identity.did,
        IssueOptions(),
    )
    teacher.store.add_credential(stored.document, origin="imported", text=stored.text)
    district.close()
    teacher.close()
    return tmp_path / "teacher", stored.id


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), env=ENV)


def test_present_as_qr_png_and_verify_from_the_image(teacher_with_badge, tmp_path):
    home, credential_id = teacher_with_badge
    image = tmp_path / "vp.png"
    made = _run(
        "present",
        "--home",
        str(home),
        credential_id,
        "--challenge",
        "c-77",
        "--domain",
        "hiring.example",
        "--qr",
        str(image),
    )
    assert made.exit_code == 0, made.output
    assert "QR code version" in made.output
    ok = _run("verify", "--json", "--challenge", "c-77", "--domain", "hiring.example", str(image))
    assert ok.exit_code == 0, ok.output
    line = json.loads(ok.output.splitlines()[0])
    assert line["verified"]
    assert len(line["credentials"]) == 1
    replayed = _run(
        "verify", "--json", "--challenge", "another", "--domain", "hiring.example", str(image)
    )
    assert replayed.exit_code == 1
    assert "presentation.challenge_mismatch" in replayed.output


def test_a_photo_of_the_qr_code_verifies(teacher_with_badge, tmp_path):
    from PIL import Image, ImageFilter

    home, credential_id = teacher_with_badge
    image = tmp_path / "vp.png"
    assert _run("present", "--home", str(home), credential_id, "--qr", str(image)).exit_code == 0
    original = Image.open(image).convert("L")
    scaled = original.resize((int(original.width * 0.8), int(original.height * 0.8)))
    photo = scaled.rotate(7, expand=True, fillcolor=255).filter(ImageFilter.GaussianBlur(0.8))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=85)
    (tmp_path / "photo.jpg").write_bytes(buffer.getvalue())
    result = _run("verify", "--json", str(tmp_path / "photo.jpg"))
    assert result.exit_code == 0, result.output


def test_present_prints_json_and_draws_in_the_terminal(teacher_with_badge):
    home, credential_id = teacher_with_badge
    printed = _run("present", "--home", str(home), credential_id)
    assert json.loads(printed.output)["type"] == ["VerifiablePresentation"]
    drawn = _run("present", "--home", str(home), credential_id, "--qr-terminal")
    assert drawn.exit_code == 0
    assert "█" in drawn.output or "▀" in drawn.output


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"LV1:%%%%", "format.envelope_malformed"),
        (b"LV9:ABC", "format.envelope_malformed"),
    ],
)
def test_broken_payloads_are_unreadable_not_crashes(tmp_path, content, reason):
    path = tmp_path / "payload.txt"
    path.write_bytes(content)
    result = _run("verify", "--json", str(path))
    assert result.exit_code == 2
    assert json.loads(result.output)["checks"][0]["id"] == reason


def test_an_image_without_a_code(tmp_path):
    from PIL import Image

    path = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(path)
    result = _run("verify", "--json", str(path))
    assert result.exit_code == 2
    assert json.loads(result.output)["checks"][0]["id"] == "format.image_no_code"


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_bake_then_verify_and_import_the_image(teacher_with_badge, tmp_path, kind):
    from PIL import Image

    home, credential_id = teacher_with_badge
    picture = tmp_path / f"badge.{kind}"
    if kind == "png":
        Image.new("RGB", (64, 64), (30, 80, 160)).save(picture)
    else:
        picture.write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle r="30" cx="32" cy="32"/></svg>'
        )
    baked = tmp_path / f"baked.{kind}"
    made = _run(
        "bake", "--home", str(home), credential_id, "--image", str(picture), "--out", str(baked)
    )
    assert made.exit_code == 0, made.output
    verified = _run("verify", "--json", str(baked))
    assert verified.exit_code == 0, verified.output
    other = tmp_path / "other"
    Wallet.create(other, name="Employer", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()).close()
    imported = _run("import", "--home", str(other), str(baked))
    assert imported.exit_code == 0, imported.output
    assert credential_id in imported.output
    # The credential inside the image edited: the signature no longer matches.
    tampered = baked.read_bytes().replace(
        b"Formative Assessment in Practice", b"Formative Assessment in Practicf", 1
    )
    (tmp_path / f"tampered.{kind}").write_bytes(tampered)
    if kind == "png":
        # iTXt has a CRC: an edited chunk is refused before any verification.
        result = _run("verify", "--json", str(tmp_path / f"tampered.{kind}"))
        assert result.exit_code == 2
        assert json.loads(result.output)["checks"][0]["id"] == "format.baked_bad_crc"
    else:
        result = _run("verify", "--json", str(tmp_path / f"tampered.{kind}"))
        assert result.exit_code == 1
        assert "proof.signature_invalid" in result.output


def test_hostile_svg_is_refused(tmp_path):
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><svg xmlns="http://www.w3.org/2000/svg">&lol2;</svg>'
    path = tmp_path / "bomb.svg"
    path.write_bytes(bomb)
    result = _run("verify", "--json", str(path))
    assert result.exit_code == 2
    assert json.loads(result.output)["checks"][0]["id"].startswith("format.baked_")
