"""Presentation requests (VPR shape, LR1 payloads): round trips, and every hostile request by name."""

from __future__ import annotations

import datetime as dt
import io
import json
import zlib

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.builders import badge, presentation
from vc.envelope import (
    ZDICT_V1,
    EnvelopeError,
    b45decode,
    b45encode,
    decode_envelope,
    encode_envelope,
    encode_payload,
)
from vc.errors import MalformedDocumentError
from vc.qr import render_qr
from vc.request import (
    EXPIRY_LEEWAY,
    MAX_QUERIES,
    MAX_REQUEST_BYTES,
    MAX_REQUEST_CHARS,
    REQUEST_PREFIX,
    PresentationRequest,
    RequestError,
)

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
EXPIRES = NOW + dt.timedelta(minutes=5)
REQUEST = PresentationRequest.for_badges("q2J4lCc1fq0Wb8vb3Hc3eA", "hiring.example", EXPIRES)
GOOD = REQUEST.to_payload()


def _png(payload: str) -> bytes:
    image, _ = render_qr(payload)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _refused(data: bytes | str) -> tuple[str, str]:
    """The (code, stage) a request is refused with; the message carries both."""
    raw = data.encode() if isinstance(data, str) else data
    with pytest.raises(RequestError) as caught:
        PresentationRequest.from_bytes(raw)
    error = caught.value
    assert f"({error.code}, stage {error.stage})" in error.message
    assert isinstance(error, MalformedDocumentError)
    return error.code, error.stage


def _wrap(document: object) -> str:
    """A payload holding any CBOR item, the way the encoder writes one."""
    compressor = zlib.compressobj(level=9, zdict=ZDICT_V1)
    return REQUEST_PREFIX + b45encode(
        compressor.compress(cbor2.dumps(document)) + compressor.flush()
    )


# --- the format ---------------------------------------------------------------------------


def test_the_request_is_a_vpr_with_an_expiry() -> None:
    assert REQUEST.to_json() == {
        "query": [
            {
                "type": "QueryByExample",
                "credentialQuery": [
                    {
                        "example": {
                            "@context": [
                                "https://www.w3.org/ns/credentials/v2",
                                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                            ],
                            "type": "OpenBadgeCredential",
                        }
                    }
                ],
            }
        ],
        "challenge": "q2J4lCc1fq0Wb8vb3Hc3eA",
        "domain": "hiring.example",
        "expires": "2026-06-01T12:05:00Z",
    }


def test_payload_round_trips_and_is_a_small_alphanumeric_qr() -> None:
    assert GOOD.startswith("LR1:")
    assert PresentationRequest.from_payload(GOOD) == REQUEST
    assert len(GOOD) < 200
    assert render_qr(GOOD)[1] <= 7


@pytest.mark.parametrize("form", ["payload", "json", "wrapped", "padded", "png", "jpeg"])
def test_every_form_a_holder_may_hold_reads_the_same(form: str) -> None:
    if form == "payload":
        data = GOOD.encode()
    elif form == "json":
        data = json.dumps(REQUEST.to_json()).encode()
    elif form == "wrapped":  # a VC API exchange answer
        data = json.dumps({"verifiablePresentationRequest": REQUEST.to_json()}).encode()
    elif form == "padded":
        data = f"\n  {GOOD}\r\n".encode()
    else:
        image = Image.open(io.BytesIO(_png(GOOD))).convert("RGB")
        out = io.BytesIO()
        image.save(out, "PNG" if form == "png" else "JPEG", quality=80)
        data = out.getvalue()
    assert PresentationRequest.from_bytes(data) == REQUEST


def test_microseconds_are_dropped_as_the_request_is_written() -> None:
    precise = PresentationRequest.for_badges("c", None, EXPIRES + dt.timedelta(microseconds=7))
    assert precise.expires == EXPIRES
    assert "domain" not in precise.to_json()
    assert PresentationRequest.from_payload(precise.to_payload()) == precise


def test_a_request_and_a_presentation_are_never_confused() -> None:
    vp = encode_envelope(presentation([badge()]))
    assert _refused(vp) == ("request_wrong_prefix", "unprefix")
    with pytest.raises(EnvelopeError) as caught:
        decode_envelope(GOOD)
    assert caught.value.stage == "unprefix"
    # The same bytes under the other prefix are refused too: the prefix is the kind.
    assert _refused("LR1:" + vp[4:])[0] == "request_malformed"


def test_expiry_with_leeway() -> None:
    REQUEST.require_unexpired(EXPIRES)  # a holder's clock may run a little ahead
    REQUEST.require_unexpired(EXPIRES + EXPIRY_LEEWAY - dt.timedelta(seconds=1))
    assert REQUEST.is_expired(EXPIRES + EXPIRY_LEEWAY)


def test_naive_expiry_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PresentationRequest("c", None, dt.datetime(2026, 1, 1), ())


# --- hostile requests, each refused by name ----------------------------------------------


def test_expired() -> None:
    late = EXPIRES + dt.timedelta(minutes=20)
    with pytest.raises(RequestError) as caught:
        PresentationRequest.from_payload(GOOD).require_unexpired(late)
    assert (caught.value.code, caught.value.stage) == ("request_expired", "expiry")
    assert "expired at 2026-06-01T12:05:00Z (20 min ago)" in caught.value.message
    assert "new request" in caught.value.hint


def test_truncated() -> None:
    for cut in (1, 2, 3, 10):
        code, stage = _refused(GOOD[:-cut])
        assert code == "request_malformed"
        assert stage in {"base45", "inflate"}


def test_truncated_by_one_byte() -> None:
    data = b45decode(GOOD[4:])
    assert _refused(REQUEST_PREFIX + b45encode(data[:-1])) == ("request_malformed", "inflate")


def test_no_bit_flip_is_read_as_another_request() -> None:
    data = b45decode(GOOD[4:])
    outcomes: set[tuple[str, str]] = set()
    for position in range(len(data)):
        for bit in range(8):
            flipped = bytearray(data)
            flipped[position] ^= 1 << bit
            try:
                read = PresentationRequest.from_payload(REQUEST_PREFIX + b45encode(bytes(flipped)))
            except RequestError as error:
                outcomes.add((error.code, error.stage))
            else:
                assert read == REQUEST, (position, bit)  # DEFLATE's padding bits only
    assert outcomes == {("request_malformed", "inflate")}


def test_bad_base45_character() -> None:
    assert _refused(GOOD[:-3] + "a" + GOOD[-2:]) == ("request_malformed", "base45")


def test_oversized_payload() -> None:
    assert _refused("LR1:" + "0" * MAX_REQUEST_CHARS) == ("request_too_large", "unprefix")


def test_oversized_json() -> None:
    big = json.dumps({**REQUEST.to_json(), "padding": "x" * MAX_REQUEST_BYTES})
    assert _refused(big) == ("request_too_large", "read")


def test_zip_bomb_under_the_length_limit() -> None:
    bomb = _wrap({"query": [{"type": "QueryByExample"}], "challenge": "c", "pad": " " * 200_000})
    assert len(bomb) < MAX_REQUEST_CHARS
    assert _refused(bomb) == ("request_too_large", "inflate")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("LV1:ABC", "LV2:"),
        ("LV2:ABC", "LV2:"),
        ("HC1:ABC", "'HC1'"),
        ("lr1:ABC", "'lr1'"),
        ("request.png", "'request.'"),
    ],
)
def test_wrong_prefix(text: str, shown: str) -> None:
    with pytest.raises(RequestError) as caught:
        PresentationRequest.from_bytes(text.encode())
    assert (caught.value.code, caught.value.stage) == ("request_wrong_prefix", "unprefix")
    assert shown in caught.value.message


def test_trailing_bytes_after_the_stream() -> None:
    data = b45decode(GOOD[4:]) + b"\x00"
    assert _refused(REQUEST_PREFIX + b45encode(data)) == ("request_malformed", "inflate")


def test_not_the_encoders_own_cbor() -> None:
    # An indefinite-length map: the same document in another encoding.
    data = b"\xbf" + cbor2.dumps(REQUEST.to_json())[1:] + b"\xff"
    compressor = zlib.compressobj(level=9, zdict=ZDICT_V1)
    payload = REQUEST_PREFIX + b45encode(compressor.compress(data) + compressor.flush())
    assert _refused(payload)[1] in {"cbor", "parse"}


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        ({"challenge": None}, "has no 'challenge'"),
        ({"challenge": ""}, "'challenge' must be"),
        ({"challenge": "a b"}, "'challenge' must be"),
        ({"challenge": "\x1b[2J"}, "'challenge' must be"),
        ({"challenge": "c" * 257}, "'challenge' must be"),
        ({"challenge": 7}, "'challenge' must be"),
        ({"domain": "evil\x1b]0;title\x07"}, "'domain' must be"),
        ({"expires": None}, "does not say when it expires"),
        ({"expires": "2026-06-01T12:05:00"}, "'expires' is not a date"),
        ({"expires": "tomorrow"}, "'expires' is not a date"),
        ({"query": None}, "has no 'query'"),
        ({"query": []}, "has no 'query'"),
        ({"query": ["QueryByExample"]}, "must be an object"),
        ({"query": [{"type": 3}]}, "must be an object"),
        ({"query": [{"type": "QueryByExample"}] * (MAX_QUERIES + 1)}, "queries (limit"),
    ],
)
def test_malformed_members(edit: dict[str, object], fragment: str) -> None:
    document = {**REQUEST.to_json(), **edit}
    document = {k: v for k, v in document.items() if v is not None}
    for data in (json.dumps(document).encode(), encode_payload(document, prefix="LR1:").encode()):
        with pytest.raises(RequestError) as caught:
            PresentationRequest.from_bytes(data)
        assert (caught.value.code, caught.value.stage) == ("request_malformed", "fields")
        assert fragment in caught.value.message


def test_a_query_laurel_cannot_answer() -> None:
    document = {**REQUEST.to_json(), "query": [{"type": "ZcapQuery"}]}
    assert _refused(json.dumps(document)) == ("request_unsupported", "fields")


def test_a_single_query_object_is_one_query() -> None:
    document = {**REQUEST.to_json(), "query": {"type": "DIDAuthentication"}}
    read = PresentationRequest.from_bytes(json.dumps(document).encode())
    assert read.query == ({"type": "DIDAuthentication"},)


@pytest.mark.parametrize(
    "text", ['{"query": [}', '{"challenge": "a", "challenge": "b"}', "[1, 2]", '{"a": NaN}']
)
def test_broken_json(text: str) -> None:
    code, stage = _refused(text if text.startswith("{") else "{" + text)
    assert (code, stage) == ("request_malformed", "parse")


def test_not_text() -> None:
    assert _refused(b"\xff\xfe LR1:") == ("request_malformed", "read")


def test_images_without_exactly_one_request() -> None:
    blank = io.BytesIO()
    Image.new("L", (120, 120), 255).save(blank, "PNG")
    assert _refused(blank.getvalue()) == ("request_malformed", "image")
    assert _refused(b"\x89PNG\r\n\x1a\nbroken") == ("request_malformed", "image")
    first = Image.open(io.BytesIO(_png(GOOD)))
    other = PresentationRequest.for_badges("another", "evil.example", EXPIRES).to_payload()
    second = Image.open(io.BytesIO(_png(other)))
    both = Image.new("L", (first.width + second.width, max(first.height, second.height)), 255)
    both.paste(first, (0, 0))
    both.paste(second, (first.width, 0))
    out = io.BytesIO()
    both.save(out, "PNG")
    with pytest.raises(RequestError) as caught:
        PresentationRequest.from_bytes(out.getvalue())
    assert (caught.value.code, caught.value.stage) == ("request_malformed", "image")
    assert "2 different QR codes" in caught.value.message


def test_a_picture_of_a_presentation_is_no_request() -> None:
    assert _refused(_png(encode_envelope(badge()))) == ("request_wrong_prefix", "unprefix")


@settings(max_examples=300)
@given(
    st.binary(max_size=300)
    | st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:").map(
        lambda t: ("LR1:" + t).encode()
    )
)
def test_arbitrary_input_is_read_or_refused_by_name(data: bytes) -> None:
    code = None
    try:
        PresentationRequest.from_bytes(data)
    except RequestError as error:
        code = error.code
    assert code in {
        None,
        "request_malformed",
        "request_too_large",
        "request_wrong_prefix",
        "request_unsupported",
    }
