"""Baked badge images: PNG iTXt/zTXt chunks and SVG (defusedxml) extraction (vc/baking.py, vc/_baking_*.py)."""

from __future__ import annotations

from vc.baking import BakingError, bake_png, bake_svg, unbake

EXPECTED = (BakingError,)


def fuzz(data: bytes) -> None:
    """Extract the credential from a PNG or an SVG (sniffed, as `laurel verify` does)."""
    unbake(data)


def seeds() -> list[bytes]:
    """A baked PNG and a baked SVG."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    credential = '{"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":"did:key:z6Mk"}'
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
    return [bake_png(out.getvalue(), credential), bake_svg(svg, credential)]
