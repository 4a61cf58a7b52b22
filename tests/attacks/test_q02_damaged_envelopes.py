"""Q02: a valid payload cut by one character, a flipped character, a wrong prefix, bad base45.

Each is format.envelope_malformed, naming the stage that failed (the EU DCC pattern).
"""

from __future__ import annotations

import pytest

from tests.attacks.conftest import cli_verify
from tests.builders import badge
from vc.envelope import encode_envelope

PAYLOAD = encode_envelope(badge())


def _flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


CASES = [
    ("truncated", PAYLOAD[:-1], "format.envelope_malformed", ("base45", "inflate")),
    (
        "flipped",
        _flip(PAYLOAD, len(PAYLOAD) // 2),
        "format.envelope_malformed",
        ("inflate", "cbor"),
    ),
    ("bad_base45", PAYLOAD[:-3] + "~~~", "format.envelope_malformed", ("base45",)),
    ("lowercase", PAYLOAD[:4] + PAYLOAD[4:].lower(), "format.envelope_malformed", ("base45",)),
]


@pytest.mark.parametrize(
    ("name", "payload", "check_id", "stages"), CASES, ids=[c[0] for c in CASES]
)
def test_q02_named_stage(name: str, payload: str, check_id: str, stages: tuple[str, ...]) -> None:
    (report,) = cli_verify(payload.encode())
    (failure,) = [c for c in report["checks"] if c["status"] == "failed"]
    assert failure["id"] == check_id
    assert any(f"stage: {stage}" in failure["message"] for stage in stages), failure["message"]


def test_q02_wrong_prefix_is_not_an_envelope() -> None:
    # "LX2:" is no prefix laurel knows: the text is read as JSON, and is not JSON.
    (report,) = cli_verify(("LX2:" + PAYLOAD[4:]).encode())
    assert [c["id"] for c in report["checks"] if c["status"] == "failed"] == ["format.invalid_json"]
