"""The LV2/LV1 QR envelope: base45, CRC, raw DEFLATE with a dictionary, CBOR (vc/envelope.py)."""

from __future__ import annotations

from vc.envelope import EnvelopeError, b45encode, decode_envelope, encode_envelope
from vc.types import JSONObject

EXPECTED = (EnvelopeError,)


def fuzz(data: bytes) -> None:
    """Byte 0 picks: the payload as text, or the bytes after the prefix and base45."""
    if not data:
        return
    if data[0] % 2 == 0:
        decode_envelope(data[1:].decode("utf-8", "replace"))
    else:
        prefix = "LV2:" if data[0] % 4 == 1 else "LV1:"
        document = decode_envelope(prefix + b45encode(data[1:]))
        # What decodes must encode again to a payload that decodes to the same object.
        assert decode_envelope(encode_envelope(document)) == document


def _sample() -> JSONObject:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "challenge": "abc",
            "domain": "hiring.example",
            "proofValue": "z" + "3" * 86,
        },
    }


def seeds() -> list[bytes]:
    """A real payload, as text and as its inner bytes."""
    from vc.envelope import b45decode

    payload = encode_envelope(_sample())
    return [b"\x00" + payload.encode(), b"\x01" + b45decode(payload[len("LV2:") :])]
