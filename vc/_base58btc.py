"""base58btc decoding, in C (vc/_base58.c) where it was built, else in Python.

Both give the base58 package's bytes exactly (tests/vc/test_keys.py,
tests/vc/test_base58_native.py); the C decoder leaves a very long text to Python.

    >>> decode("2NEpo7TZRRrLZSi2U")
    b'Hello World!'
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["decode"]

_ALPHABET = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# ASCII -> digit value; 0xFF marks a character outside the alphabet.
_DIGITS = bytes(_ALPHABET.index(c) if c in _ALPHABET else 0xFF for c in range(256))
_CHUNK = 10  # 58**10 < 2**63: each chunk joins the number in one big-integer step


def _native_decoder() -> Callable[[str], bytes | None] | None:
    try:
        from vc._base58 import decode as native
    except ImportError:  # installed without a C compiler: the Python decoder below
        return None
    return native


_native = _native_decoder()


def decode(body: str) -> bytes | None:
    """The bytes `body` (ASCII) writes in base58btc; None when a character is outside it."""
    if _native is not None:
        decoded = _native(body)
        if decoded is not None:
            return decoded
    # The number in base 58, read ten digits at a time (the pure-Python `base58`
    # package takes a big-integer step per digit); each leading '1' is a zero byte.
    digits = body.encode("ascii").translate(_DIGITS)
    if b"\xff" in digits:
        return None
    head = len(digits) % _CHUNK or _CHUNK
    number = 0
    start, end = 0, head
    while start < len(digits):
        chunk = 0
        for digit in digits[start:end]:
            chunk = chunk * 58 + digit
        number = number * 58 ** (end - start) + chunk
        start, end = end, end + _CHUNK
    zeros = len(digits) - len(digits.lstrip(b"\0"))
    size = (number.bit_length() + 7) // 8
    return b"\0" * zeros + (number.to_bytes(size, "big") if number else b"")
