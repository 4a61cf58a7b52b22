"""Q05: one picture holding two QR codes, a genuine presentation and a forged one.

Each is decoded and reported on its own (the CLI), or the picture is refused as
ambiguous (the page); never the first one silently.
"""

from __future__ import annotations

import copy
import io

from PIL import Image

from tests.attacks.conftest import cli_verify
from tests.builders import badge, presentation
from vc.did import DidResolver
from vc.envelope import encode_envelope
from vc.qr import render_qr
from verifier.app import create_app


def _picture() -> bytes:
    genuine = presentation([badge()], challenge=None, domain=None)
    forged = copy.deepcopy(genuine)
    forged["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "Principal"
    images = [render_qr(encode_envelope(vp), box_size=4)[0] for vp in (genuine, forged)]
    width = sum(image.width for image in images) + 40
    canvas = Image.new("L", (width, max(image.height for image in images)), 255)
    canvas.paste(images[0], (0, 0))
    canvas.paste(images[1], (images[0].width + 40, 0))
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()


def test_q05_the_cli_reports_each_code_on_its_own() -> None:
    reports = cli_verify(_picture())
    assert len(reports) == 2
    verdicts = sorted(report["verified"] for report in reports)
    assert verdicts == [False, True]
    (forged,) = [r for r in reports if not r["verified"]]
    assert forged["input"].startswith("- (QR code ")
    # The forged badge inside the presentation fails its signature, by name.
    assert "proof.signature_invalid" in str(forged)


def test_q05_the_page_refuses_an_ambiguous_picture() -> None:
    client = create_app(resolver=DidResolver(), testing=True).test_client()
    response = client.post(
        "/", data={"file": (io.BytesIO(_picture()), "two.png")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "2 QR codes" in response.get_data(as_text=True)
