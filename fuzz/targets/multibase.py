"""Multibase base58btc values and Ed25519 Multikey public keys (vc/keys.py)."""

from __future__ import annotations

from vc.errors import LaurelError
from vc.keys import Ed25519PublicKey, MultibaseError, decode_multibase_btc, encode_multibase_btc

EXPECTED = (MultibaseError, LaurelError)


def fuzz(data: bytes) -> None:
    """Decode the text as multibase (round trip), then as a Multikey."""
    text = data.decode("utf-8", "replace")
    raw = decode_multibase_btc(text)
    assert decode_multibase_btc(encode_multibase_btc(raw)) == raw
    try:
        Ed25519PublicKey.from_multibase(text)
    except ValueError as exc:
        # Its documented refusal of a value that decodes but is not an Ed25519 Multikey.
        if not str(exc).startswith(("not an Ed25519 Multikey", "an Ed25519 public key")):
            raise


def seeds() -> list[bytes]:
    """A Multikey, a proofValue-like value."""
    return [b"z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", b"z" + b"2" * 87]
