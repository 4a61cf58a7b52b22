"""base58btc decoding in C (vc/_base58.c); see :func:`vc.keys.decode_multibase_btc`."""

def decode(text: str, /) -> bytes | None:
    """The bytes `text` encodes in base58btc; None when it is not base58btc (or too long)."""
