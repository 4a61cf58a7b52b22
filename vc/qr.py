"""QR codes for envelopes: render them (qrcode) and read them back from photos (zxing-cpp).

An ``LV2:`` payload (:mod:`vc.envelope`) is written in the QR alphanumeric mode, which
holds 5.5 bits per character: base45 was designed for exactly that alphabet.

Reading is for untrusted images: anything over :data:`MAX_IMAGE_PIXELS` is refused from
its header, before a pixel is decoded (SECURITY.md Q04), and every QR code found is
returned, so the caller can refuse an image holding two different codes (Q05) rather
than silently trusting the first.
"""

from __future__ import annotations

import io
import warnings
from typing import Final, Literal

import qrcode
import qrcode.constants
import qrcode.image.svg
import qrcode.util
import zxingcpp
from PIL import Image

from vc.errors import MalformedDocumentError

__all__ = [
    "QRImageError",
    "render_qr",
    "render_svg",
    "decode_qr_image",
    "is_alphanumeric",
    "ErrorCorrection",
    "MAX_IMAGE_PIXELS",
]

MAX_IMAGE_PIXELS: Final = 16_000_000
ALPHANUMERIC: Final = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")

ErrorCorrection = Literal["L", "M", "Q", "H"]
_LEVELS: Final = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


class QRImageError(MalformedDocumentError):
    """An image that cannot be read: not an image, or too large to decode safely.

    `code` is ``image_unreadable`` or ``image_too_large``.
    """

    hint = "Use a PNG or JPEG photo of the QR code, at most 16 megapixels."


def is_alphanumeric(payload: str) -> bool:
    """Whether `payload` fits the QR alphanumeric mode (digits, A-Z, `` $%*+-./:``).

    >>> is_alphanumeric("LV2:0A9 $%*+-./"), is_alphanumeric("lv1")
    (True, False)
    """
    return all(char in ALPHANUMERIC for char in payload)


def _code(payload: str, error_correction: ErrorCorrection, border: int = 4) -> qrcode.QRCode:
    if error_correction not in _LEVELS:
        raise ValueError(f"error correction must be one of L, M, Q, H, not {error_correction!r}")
    code = qrcode.QRCode(error_correction=_LEVELS[error_correction], border=border)
    if is_alphanumeric(payload):
        code.add_data(qrcode.util.QRData(payload.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM))
    else:
        code.add_data(payload)
    code.make(fit=True)
    return code


def render_qr(
    payload: str, *, error_correction: ErrorCorrection = "M", box_size: int = 10
) -> tuple[Image.Image, int]:
    """Render `payload` as a QR code; return the image (mode ``L``) and the QR version used.

    An alphanumeric payload (every envelope) is written in the alphanumeric mode.

    >>> image, version = render_qr("LV2:HELLO")
    >>> version, image.mode
    (1, 'L')
    """
    code = _code(payload, error_correction)
    code.box_size = box_size
    image = code.make_image().get_image().convert("L")
    return image, int(code.version)


def render_svg(payload: str, *, error_correction: ErrorCorrection = "M") -> bytes:
    """Render `payload` as a QR code in SVG (one path, no scripts, no external references).

    >>> render_svg("LV2:HELLO").startswith(b"<svg ")
    True
    """
    image = _code(payload, error_correction).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="utf-8")
    return svg if isinstance(svg, bytes) else str(svg).encode("utf-8")


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise QRImageError(
                f"the image is over {MAX_IMAGE_PIXELS:,} pixels", code="image_too_large"
            ) from None
        except (OSError, ValueError, SyntaxError) as exc:
            raise QRImageError(f"not a readable image: {exc}", code="image_unreadable") from None
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise QRImageError(
            f"the image is {width} x {height} pixels (limit {MAX_IMAGE_PIXELS:,})",
            code="image_too_large",
        )
    try:
        image.load()
        return image.convert("L")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise QRImageError(f"the image is damaged: {exc}", code="image_unreadable") from None


def decode_qr_image(data: bytes) -> list[str]:
    """Read every QR code in an image file (PNG, JPEG, ...); an image without one gives ``[]``.

    The texts come in zxing-cpp's reading order; they are all returned, never only the
    first.

    >>> image, _ = render_qr("LV2:HELLO")
    >>> png = io.BytesIO()
    >>> image.save(png, "PNG")
    >>> decode_qr_image(png.getvalue())
    ['LV2:HELLO']

    Raises:
        QRImageError: the data is not an image, or it is over :data:`MAX_IMAGE_PIXELS`.
    """
    image = _open(data)
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    return [str(barcode.text) for barcode in found if barcode.valid]
