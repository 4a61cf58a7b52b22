"""Q08: a baked PNG whose visible text and metadata claim one issuer, holding a VC by another.

The verdict and the issuer shown come from the credential alone; nothing else in the
image is read.
"""

from __future__ import annotations

import io
import json

from PIL import Image, PngImagePlugin

from tests.attacks.conftest import cli_verify
from tests.builders import badge
from vc.baking import bake_png


def test_q08_only_the_credential_counts() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Harvard University")
    info.add_text("Description", "Issued by Harvard University: Doctor of Education")
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "crimson").save(out, "PNG", pnginfo=info)
    image = bake_png(out.getvalue(), json.dumps(badge()))
    (report,) = cli_verify(image)
    assert report["verified"] is True
    assert report["input"] == "- (baked)"
    assert report["credential"]["issuer"]["name"] == "Riverside School District"
    assert "Harvard" not in json.dumps(report)
