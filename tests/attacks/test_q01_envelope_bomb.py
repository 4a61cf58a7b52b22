"""Q01: a 2 KB QR payload that inflates to 600 KB of spaces: format.envelope_too_large."""

from __future__ import annotations

import zlib

from tests.attacks.conftest import cli_failed, cli_verify
from vc.envelope import b45encode


def _bomb() -> bytes:
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw DEFLATE, as LV2 carries it
    raw = deflater.compress(b" " * 600_000) + deflater.flush()
    payload = "LV2:" + b45encode(raw + zlib.crc32(b" " * 600_000).to_bytes(4, "big"))
    assert len(payload) < 3000
    return payload.encode()


def test_q01_envelope_too_large_at_the_inflate_stage() -> None:
    assert cli_failed(_bomb()) == [["format.envelope_too_large"]]
    (report,) = cli_verify(_bomb())
    assert "inflate" in report["checks"][0]["message"]
