"""Presentation requests: LR1 payloads, JSON requests, pictures of QR codes (vc/request.py)."""

from __future__ import annotations

import datetime as dt

from vc.envelope import b45encode
from vc.request import PresentationRequest, RequestError

EXPECTED = (RequestError,)


def fuzz(data: bytes) -> None:
    """Byte 0 picks: what a user hands over (bytes), or the LR1 payload's inner bytes."""
    if not data:
        return
    if data[0] % 2 == 0:
        PresentationRequest.from_bytes(data[1:])
    else:
        asked = PresentationRequest.from_payload("LR1:" + b45encode(data[1:]))
        assert PresentationRequest.from_payload(asked.to_payload()) == asked


def seeds() -> list[bytes]:
    """A real request: payload, JSON, inner bytes."""
    import json

    from vc.envelope import b45decode

    asked = PresentationRequest.for_badges(
        "q1f2Yx9yQ0KJ3s5lGxWcVw", "hiring.example", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    payload = asked.to_payload()
    return [
        b"\x00" + payload.encode(),
        b"\x00" + json.dumps(asked.to_json()).encode(),
        b"\x01" + b45decode(payload[len("LR1:") :]),
    ]
