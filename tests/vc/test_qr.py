"""QR rendering and reading: clean PNGs, SVGs, phone-like photos, no code, two codes, huge images."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
import qrcode.util
from PIL import Image, ImageFilter

from tests.builders import HOLDER, badge, presentation
from vc import proofs
from vc.envelope import decode_envelope, encode_envelope
from vc.qr import (
    MAX_IMAGE_PIXELS,
    ErrorCorrection,
    QRImageError,
    decode_qr_image,
    render_qr,
    render_svg,
)

VP_PAYLOAD = encode_envelope(presentation([badge()]))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _photo(image: Image.Image) -> Image.Image:
    """Degrade a clean code like a phone photo: 80 % scale, 7 degree turn, 0.8 px blur."""
    small = image.resize(
        (int(image.width * 0.8), int(image.height * 0.8)), Image.Resampling.LANCZOS
    )
    turned = small.rotate(7, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    canvas = Image.new("L", (turned.width + 120, turned.height + 120), 255)
    canvas.paste(turned, (60, 60))
    return canvas.filter(ImageFilter.GaussianBlur(0.8))


def test_envelopes_use_the_alphanumeric_mode() -> None:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(VP_PAYLOAD, optimize=0)  # qrcode's own choice for the whole string
    code.make(fit=True)
    assert code.data_list[0].mode == qrcode.util.MODE_ALPHA_NUM
    _, version = render_qr(VP_PAYLOAD)
    assert version == code.version


def test_error_correction_levels_change_the_version() -> None:
    levels: tuple[ErrorCorrection, ...] = ("L", "M", "Q", "H")
    versions = [render_qr(VP_PAYLOAD, error_correction=level)[1] for level in levels]
    assert versions == sorted(versions)
    assert versions[0] < versions[-1]
    with pytest.raises(ValueError, match="error correction"):
        render_qr(VP_PAYLOAD, error_correction="X")  # type: ignore[arg-type]


def test_a_rendered_png_decodes_back_and_verifies() -> None:
    image, _ = render_qr(VP_PAYLOAD)
    assert decode_qr_image(_png(image)) == [VP_PAYLOAD]
    vp = decode_envelope(VP_PAYLOAD)
    assert proofs.verify_signature(vp, proofs.proofs_of(vp)[-1], HOLDER.key.public_key).valid


def test_a_degraded_photo_still_decodes() -> None:
    image, _ = render_qr(VP_PAYLOAD, box_size=6)
    photo = _photo(image)
    jpeg = io.BytesIO()
    photo.convert("RGB").save(jpeg, "JPEG", quality=85)
    assert decode_qr_image(_png(photo)) == [VP_PAYLOAD]
    assert decode_qr_image(jpeg.getvalue()) == [VP_PAYLOAD]


def test_an_image_without_a_code_gives_nothing() -> None:
    blank = Image.new("RGB", (400, 300), (240, 240, 230))
    assert decode_qr_image(_png(blank)) == []


def test_two_codes_are_both_returned() -> None:
    forged = encode_envelope({"forged": True})
    first, _ = render_qr(VP_PAYLOAD, box_size=4)
    second, _ = render_qr(forged, box_size=4)
    sheet = Image.new("L", (first.width + second.width + 40, max(first.height, second.height)), 255)
    sheet.paste(first, (0, 0))
    sheet.paste(second, (first.width + 40, 0))
    assert sorted(decode_qr_image(_png(sheet))) == sorted([VP_PAYLOAD, forged])


def test_svg_is_plain_and_carries_the_code() -> None:
    svg = render_svg(VP_PAYLOAD)
    assert svg.startswith(b"<svg")
    assert b"<script" not in svg
    assert b"href" not in svg


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a size but holds (almost) no pixels: a decompression bomb's header."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(50_000, 50_000), (4001, 4000), (20_000, 1000)])
def test_huge_images_are_refused_before_decoding(width: int, height: int) -> None:
    assert width * height > MAX_IMAGE_PIXELS
    with pytest.raises(QRImageError) as caught:
        decode_qr_image(_png_header_only(width, height))
    assert caught.value.code == "image_too_large"


@pytest.mark.parametrize("data", [b"", b"not an image", _png_header_only(10, 10)[:40]])
def test_unreadable_images(data: bytes) -> None:
    with pytest.raises(QRImageError) as caught:
        decode_qr_image(data)
    assert caught.value.code == "image_unreadable"


def test_a_damaged_png_is_unreadable() -> None:
    with pytest.raises(QRImageError) as caught:
        decode_qr_image(_png_header_only(100, 100))
    assert caught.value.code == "image_unreadable"


def test_a_link_is_written_in_two_modes_and_reads_back_exactly() -> None:
    from vc.envelope import link_to

    link = link_to("https://verify.example/request/q2J4lCc1fq0Wb8vb3Hc3eA", VP_PAYLOAD)
    image, version = render_qr(link)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(link)
    code.make(fit=True)
    # The base URL (lower case, "#") in byte mode, the payload in the alphanumeric mode.
    assert [chunk.mode for chunk in code.data_list] == [
        qrcode.util.MODE_8BIT_BYTE,
        qrcode.util.MODE_ALPHA_NUM,
    ]
    assert version <= render_qr(VP_PAYLOAD)[1] + 2
    assert decode_qr_image(_png(image)) == [link]
    assert decode_qr_image(_png(_photo(image))) == [link]
