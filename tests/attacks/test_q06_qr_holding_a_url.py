"""Q06: a QR code holding `https://…` or `http://10.0.0.1/`: never fetched."""

from __future__ import annotations

import io

import pytest

from tests.attacks.conftest import cli_failed
from vc.qr import render_qr


@pytest.mark.parametrize(
    "text",
    [
        "https://issuer.example/badge.json",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data",
    ],
)
def test_q06_a_link_without_a_payload_is_refused_unfetched(
    text: str, connects: list[tuple[str, int]]
) -> None:
    image, _ = render_qr(text, box_size=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    for data in (text.encode(), out.getvalue()):
        (ids,) = cli_failed(data)
        assert ids == ["format.envelope_malformed"], ids
    assert connects == []
