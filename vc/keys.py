"""Ed25519 keys and their Multikey encodings.

    >>> from vc.keys import Ed25519KeyPair
    >>> key = Ed25519KeyPair.from_seed(bytes(32))
    >>> key.public_key.multibase
    'z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp'
    >>> key.public_key.verify(key.sign(b"hi"), b"hi")
    True

Public keys are Multikey: base58btc (``z``) of the multicodec ``ed25519-pub``
(0xed, varint ``ed 01``) followed by the 32 key bytes, so they start ``z6Mk``.
Secret keys use the W3C form: multicodec ``ed25519-priv`` (0x1300, varint
``80 26``) followed by the 32-byte seed, so they start ``z3u2``.
Signatures are checked by libsodium, which rejects non-canonical S, small-order
points and non-canonical public keys (strict RFC 8032 verification).
"""

from __future__ import annotations

import base58
import nacl.exceptions
import nacl.signing

__all__ = [
    "ED25519_PRIV_PREFIX",
    "ED25519_PUB_PREFIX",
    "Ed25519KeyPair",
    "Ed25519PublicKey",
    "MultibaseError",
    "decode_multibase_btc",
    "encode_multibase_btc",
]

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


class MultibaseError(ValueError):
    """A value is not valid base58btc multibase (``z...``)."""


def encode_multibase_btc(data: bytes) -> str:
    """Encode bytes as multibase base58btc (``z`` prefix)."""
    return "z" + base58.b58encode(data).decode("ascii")


def decode_multibase_btc(value: object) -> bytes:
    """Decode a multibase base58btc string (``z`` prefix).

    Raises:
        MultibaseError: not a string, not ``z``-prefixed, or not base58btc.
    """
    if not isinstance(value, str) or not value.startswith("z"):
        raise MultibaseError("expected a multibase base58btc value starting with 'z'")
    body = value[1:]
    if not body or not body.isascii():
        raise MultibaseError("multibase value is empty or not ASCII")
    try:
        return base58.b58decode(body)
    except ValueError as exc:
        raise MultibaseError("multibase value holds characters outside base58btc") from exc


class Ed25519PublicKey:
    """An Ed25519 public key."""

    __slots__ = ("_raw", "_verify_key")

    def __init__(self, raw: bytes) -> None:
        if not isinstance(raw, bytes):
            raise TypeError("an Ed25519 public key is 32 bytes")
        if len(raw) != 32:
            raise ValueError(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
        self._raw = raw
        self._verify_key = nacl.signing.VerifyKey(raw)

    @classmethod
    def from_multibase(cls, value: str) -> Ed25519PublicKey:
        """Decode a Multikey ``z6Mk...`` public key.

        Raises:
            MultibaseError: not base58btc multibase.
            ValueError: not an ed25519-pub multicodec key of 32 bytes.
        """
        data = decode_multibase_btc(value)
        if not data.startswith(ED25519_PUB_PREFIX):
            raise ValueError("not an Ed25519 Multikey (multicodec 0xed)")
        return cls(data[len(ED25519_PUB_PREFIX) :])

    @property
    def raw(self) -> bytes:
        """The 32 key bytes."""
        return self._raw

    @property
    def multibase(self) -> str:
        """The Multikey encoding, ``z6Mk...``."""
        return encode_multibase_btc(ED25519_PUB_PREFIX + self._raw)

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Return True only if `signature` is a valid, canonical signature of `message`."""
        if len(signature) != 64:
            return False
        try:
            self._verify_key.verify(message, signature)
        except nacl.exceptions.BadSignatureError:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ed25519PublicKey) and other._raw == self._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return f"Ed25519PublicKey({self.multibase!r})"


class Ed25519KeyPair:
    """An Ed25519 signing key; its secret never appears in a repr or a message."""

    __slots__ = ("_public", "_signing_key")

    def __init__(self, signing_key: nacl.signing.SigningKey) -> None:
        self._signing_key = signing_key
        self._public = Ed25519PublicKey(bytes(signing_key.verify_key))

    @classmethod
    def generate(cls) -> Ed25519KeyPair:
        """A new key pair from the operating system's random source."""
        return cls(nacl.signing.SigningKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519KeyPair:
        """The key pair derived from a 32-byte RFC 8032 seed (the private key)."""
        if not isinstance(seed, bytes):
            raise TypeError("an Ed25519 seed is 32 bytes")
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        return cls(nacl.signing.SigningKey(seed))

    @classmethod
    def from_private_multibase(cls, value: str) -> Ed25519KeyPair:
        """Decode the W3C secret key form ``z3u2...`` (multicodec ed25519-priv + seed).

        Raises:
            MultibaseError: not base58btc multibase.
            ValueError: not an ed25519-priv multicodec key of 32 bytes.
        """
        data = decode_multibase_btc(value)
        if not data.startswith(ED25519_PRIV_PREFIX) or len(data) != 34:
            raise ValueError("not an Ed25519 secret key (multicodec 0x1300, 32 bytes)")
        return cls.from_seed(data[2:])

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The public half."""
        return self._public

    def sign(self, message: bytes) -> bytes:
        """The deterministic 64-byte RFC 8032 Ed25519 signature of `message`."""
        return self._signing_key.sign(message).signature

    def export_private_key_unencrypted(self) -> str:
        """The secret key in the W3C ``z3u2...`` form, UNENCRYPTED: keep it in a keystore."""
        return encode_multibase_btc(ED25519_PRIV_PREFIX + bytes(self._signing_key))

    def export_seed_unencrypted(self) -> bytes:
        """The 32-byte seed, UNENCRYPTED: keep it in a keystore."""
        return bytes(self._signing_key)

    def __repr__(self) -> str:
        return f"Ed25519KeyPair(public_key={self._public.multibase!r})"
