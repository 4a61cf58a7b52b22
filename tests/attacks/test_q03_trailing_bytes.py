"""Q03: a valid payload with bytes after the compressed stream: format.envelope_malformed."""

from __future__ import annotations

from tests.attacks.conftest import cli_verify
from tests.builders import badge
from vc.envelope import b45decode, b45encode, encode_envelope


def test_q03_trailing_bytes_are_refused() -> None:
    payload = encode_envelope(badge())
    raw = b45decode(payload[4:])
    for extra in (b"\x00", b"junk", raw[:8]):
        (report,) = cli_verify(("LV2:" + b45encode(raw + extra)).encode())
        (failure,) = [c for c in report["checks"] if c["status"] == "failed"]
        assert failure["id"] == "format.envelope_malformed", failure
