"""What baking a PNG and baking an SVG share: `BakingError` and the image size cap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, TypeVar

from vc.errors import LaurelError

__all__ = ["MAX_IMAGE_BYTES", "BakingError", "only_credential"]

T = TypeVar("T")

MAX_IMAGE_BYTES: Final = 16 * 1024 * 1024
"""The largest image, PNG or SVG, that is baked or unbaked."""


class BakingError(LaurelError):
    """An image cannot be baked or unbaked.

    `code` is a stable reason: ``not_png``, ``not_svg``, ``unsupported``, ``too_large``,
    ``too_many_chunks``, ``truncated``, ``bad_crc``, ``no_iend``, ``malformed``,
    ``bomb``, ``unsafe_xml``, ``not_xml_text``, ``already_baked``, ``not_baked``,
    ``ambiguous`` or ``ob2`` (the image carries an Open Badges 2.0 assertion, not a 3.0
    credential).
    """

    hint = "Use a PNG or SVG badge image baked with one Open Badges 3.0 credential."

    def __init__(self, message: str, *, code: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


def _check_size(data: bytes) -> None:
    if len(data) > MAX_IMAGE_BYTES:
        raise BakingError(
            f"the image is {len(data)} bytes, over the {MAX_IMAGE_BYTES}-byte limit",
            code="too_large",
        )


def only_credential(found: Sequence[T], has_ob2: bool, image: str) -> T:
    """The one Open Badges 3.0 payload an image (`image`: ``PNG`` or ``SVG``) carries.

    Raises:
        BakingError: ``ambiguous`` (an OB 2.0 and an OB 3.0 payload, or several
            credentials), ``ob2`` (only an OB 2.0 assertion) or ``not_baked`` (none).
    """
    if found and has_ob2:
        raise BakingError(
            f"the {image} carries both an Open Badges 2.0 and an Open Badges 3.0 payload",
            code="ambiguous",
        )
    if not found and has_ob2:
        raise BakingError(
            f"the {image} carries an Open Badges 2.0 assertion, not an Open Badges 3.0 credential",
            code="ob2",
        )
    if not found:
        raise BakingError(f"the {image} carries no Open Badges credential", code="not_baked")
    if len(found) > 1:
        raise BakingError(f"the {image} carries several credentials", code="ambiguous")
    return found[0]
