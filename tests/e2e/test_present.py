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


def _teacher_with_badge(tmp_path: Path, *, anchored: bool = False) -> tuple[Path, str]:
    """A teacher wallet holding one badge from a district wallet, anchored on its chain if asked."""
    from wallet.ledger import anchor_pending

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
    if anchored:
        anchor_pending(district, PASSPHRASE)
        stored = district.store.get_credential(stored.id)
    teacher.store.add_credential(stored.document, origin="imported", text=stored.text)
    district.close()
    teacher.close()
    return tmp_path / "teacher", stored.id


@pytest.fixture
def teacher_with_badge(tmp_path: Path) -> tuple[Path, str]:
    return _teacher_with_badge(tmp_path)


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
        (b"LV2:%%%%", "format.envelope_malformed"),
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


# --- presentation requests and links --------------------------------------------------------


def _request(*, minutes: float = 5, challenge: str = "q2J4lCc1fq0Wb8vb3Hc3eA") -> str:
    import datetime as dt

    from vc.request import PresentationRequest

    expires = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    return PresentationRequest.for_badges(challenge, "hiring.example", expires).to_payload()


def _png_of(text: str) -> bytes:
    from vc.qr import render_qr

    image, _ = render_qr(text)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("form", ["text", "file", "png", "photo"])
def test_present_answers_a_request(teacher_with_badge, tmp_path, form):
    from PIL import Image, ImageFilter

    home, credential_id = teacher_with_badge
    payload = _request()
    if form == "text":
        source = payload
    elif form == "file":
        (tmp_path / "request.txt").write_text(payload + "\n")
        source = str(tmp_path / "request.txt")
    else:
        data = _png_of(payload)
        if form == "photo":
            image = Image.open(io.BytesIO(data)).convert("L").rotate(5, expand=True, fillcolor=255)
            out = io.BytesIO()
            image.filter(ImageFilter.GaussianBlur(0.7)).save(out, "JPEG", quality=80)
            data = out.getvalue()
        (tmp_path / "request.img").write_bytes(data)
        source = str(tmp_path / "request.img")
    vp = tmp_path / "vp.json"
    made = _run(
        "present", "--home", str(home), credential_id, "--request", source, "--out", str(vp)
    )
    assert made.exit_code == 0, made.output
    assert (
        "answering the request of hiring.example (challenge q2J4lCc1fq0Wb8vb3Hc3eA" in made.stderr
    )
    proof = json.loads(vp.read_text())["proof"]
    assert (proof["challenge"], proof["domain"]) == ("q2J4lCc1fq0Wb8vb3Hc3eA", "hiring.example")
    checked = _run(
        "verify", "--challenge", "q2J4lCc1fq0Wb8vb3Hc3eA", "--domain", "hiring.example", str(vp)
    )
    assert checked.exit_code == 0, checked.output


def _flipped(payload: str) -> str:
    from vc.envelope import b45decode, b45encode

    data = bytearray(b45decode(payload[4:]))
    data[len(data) // 2] ^= 0x10
    return payload[:4] + b45encode(bytes(data))


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda: _request()[:-2], "request_malformed, stage"),
        (lambda: _flipped(_request()), "request_malformed, stage inflate"),
        (lambda: "LR1:" + "0" * 4000, "request_too_large, stage unprefix"),
        (lambda: "LV2:" + _request()[4:], "request_wrong_prefix, stage unprefix"),
        (lambda: "HC1:6BFOXN", "request_wrong_prefix, stage unprefix"),
        (lambda: _request(minutes=-30), "request_expired, stage expiry"),
        (
            lambda: (
                '{"query": [{"type": "ZcapQuery"}], "challenge": "c", "expires": "2099-01-01T00:00:00Z"}'
            ),
            "request_unsupported, stage fields",
        ),
    ],
    ids=[
        "truncated",
        "bit-flipped",
        "oversized",
        "wrong-prefix",
        "foreign",
        "expired",
        "unsupported",
    ],
)
def test_hostile_requests_are_refused_by_name(teacher_with_badge, make, named):
    home, credential_id = teacher_with_badge
    result = _run("present", "--home", str(home), credential_id, "--request", make())
    assert result.exit_code == 2, result.output
    assert named in " ".join(result.stderr.split())
    assert "hint:" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_an_expired_request_says_so(teacher_with_badge):
    home, credential_id = teacher_with_badge
    result = _run("present", "--home", str(home), credential_id, "--request", _request(minutes=-30))
    assert "the presentation request expired at" in result.stderr
    assert "Ask the verifier for a new request" in " ".join(result.stderr.split())


def test_request_and_challenge_are_exclusive(teacher_with_badge):
    home, credential_id = teacher_with_badge
    result = _run(
        "present", "--home", str(home), credential_id, "--request", _request(), "--challenge", "c"
    )
    assert result.exit_code == 2
    assert "--request sets the challenge and domain" in result.output


def test_present_help_names_the_request_and_link_options():
    result = _run("present", "--help")
    assert result.exit_code == 0
    for text in ("--request REQUEST", "--link BASE_URL", "photo", "fragment"):
        assert text in result.output


def test_present_as_a_link_and_verify_the_link_or_its_qr_code(teacher_with_badge, tmp_path):
    from vc.qr import decode_qr_image

    home, credential_id = teacher_with_badge
    base = "https://verify.example/request/q2J4lCc1fq0Wb8vb3Hc3eA"
    image = tmp_path / "answer.png"
    made = _run(
        "present",
        "--home",
        str(home),
        credential_id,
        "--request",
        _request(),
        "--link",
        base,
        "--qr",
        str(image),
    )
    assert made.exit_code == 0, made.output
    link = made.stdout.strip()
    assert link.startswith(base + "#LV2:")
    assert f"a link of {len(link)} characters): {image}" in made.stderr
    assert "QR code version " in made.stderr
    assert decode_qr_image(image.read_bytes()) == [link]
    for source in (link, str(image)):
        checked = _run(
            "verify",
            "--json",
            "--challenge",
            "q2J4lCc1fq0Wb8vb3Hc3eA",
            "--domain",
            "hiring.example",
            source,
        )
        assert checked.exit_code == 0, checked.output
        line = json.loads(checked.stdout.splitlines()[0])
        assert line["verified"]
    assert json.loads(_run("verify", "--json", link).stdout)["input"] == base + "#…"


def test_link_in_the_terminal(teacher_with_badge):
    home, credential_id = teacher_with_badge
    made = _run(
        "present",
        "--home",
        str(home),
        credential_id,
        "--link",
        "http://127.0.0.1:8080/",
        "--qr-terminal",
    )
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith("http://127.0.0.1:8080/#LV2:")
    assert "▀" in made.stdout or "█" in made.stdout
    assert "QR code version" in made.stderr


@pytest.mark.parametrize(
    "base",
    ["ftp://verify.example/", "javascript:alert(1)", "verify.example", "https://a.example/#x"],
)
def test_link_base_must_be_http_or_https(teacher_with_badge, base):
    home, credential_id = teacher_with_badge
    result = _run("present", "--home", str(home), credential_id, "--link", base)
    assert result.exit_code == 2
    assert "Invalid value for '--link'" in result.output


def test_verify_reads_links_and_never_fetches_them():
    # Nothing listens on this port: a fetch would fail differently from a named refusal.
    result = _run("verify", "--json", "https://127.0.0.1:9/badge.json")
    assert result.exit_code == 2
    check = json.loads(result.stdout)["checks"][0]
    assert check["id"] == "format.envelope_malformed"
    assert "never fetches links" in check["message"]


def test_verify_refuses_a_request_by_name(tmp_path):
    path = tmp_path / "request.txt"
    path.write_text(_request())
    result = _run("verify", "--json", str(path))
    assert result.exit_code == 2
    assert json.loads(result.stdout)["checks"][0]["id"] == "format.envelope_is_request"


def test_a_missing_request_file(teacher_with_badge):
    home, credential_id = teacher_with_badge
    result = _run("present", "--home", str(home), credential_id, "--request", "request.png")
    assert result.exit_code == 2
    assert "there is no file 'request.png'" in result.output


@pytest.fixture
def teacher_with_anchored_badge(tmp_path: Path) -> tuple[Path, str, Path]:
    from wallet.ledger import embedded_chain_path

    home, credential_id = _teacher_with_badge(tmp_path, anchored=True)
    return home, credential_id, embedded_chain_path(tmp_path / "district")


def _decoded(image: Path) -> dict:
    from verifier.sources import documents_in

    ((_label, document),) = documents_in(image.read_bytes())
    return json.loads(document)


def test_present_no_anchor_leaves_the_anchor_proof_out_of_a_smaller_qr(
    teacher_with_anchored_badge, tmp_path
):
    home, credential_id, chain = teacher_with_anchored_badge
    ask = ["--challenge", "c-9", "--domain", "hiring.example"]
    whole, small = tmp_path / "whole.png", tmp_path / "small.png"
    made = _run("present", "--home", str(home), credential_id, *ask, "--qr", str(whole))
    assert made.exit_code == 0, made.output
    assert "--no-anchor" in made.output  # the hint: a large code, with an anchor proof
    lean = _run(
        "present", "--home", str(home), credential_id, *ask, "--no-anchor", "--qr", str(small)
    )
    assert lean.exit_code == 0, lean.output
    assert "--no-anchor" not in lean.output

    def version(output: str) -> int:
        return int(output.split("QR code version ")[1].split()[0])

    assert version(lean.output) < version(made.output)
    (with_anchor,) = _decoded(whole)["verifiableCredential"]
    (without,) = _decoded(small)["verifiableCredential"]
    assert [p["cryptosuite"] for p in with_anchor["proof"]] == [
        without["proof"]["cryptosuite"],
        "laurel-anchor-2026",
    ]
    assert {k: v for k, v in with_anchor.items() if k != "proof"} == {
        k: v for k, v in without.items() if k != "proof"
    }
    chain_args = ["--embedded-chain", str(chain), "--confirmations", "1"]
    both = _run("verify", "--json", *ask, *chain_args, str(whole))
    assert both.exit_code == 0, both.output
    (credential,) = json.loads(both.output.splitlines()[0])["credentials"]
    assert {c["id"]: c["status"] for c in credential["checks"]}["anchor.ledger"] == "passed"
    signed_only = _run("verify", "--json", *ask, str(small))
    assert signed_only.exit_code == 0, signed_only.output
    required = _run("verify", "--json", *ask, "--require-anchor", str(small))
    assert required.exit_code == 1
    assert "anchor.missing" in required.output
