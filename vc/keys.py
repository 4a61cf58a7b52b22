"""Public keys (Ed25519, P-256, P-384) and their Multikey and JWK encodings.

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

P-256 and P-384 keys (the ECDSA cryptosuites) are Multikey too: multicodec
``p256-pub`` (0x1200, varint ``80 24``) or ``p384-pub`` (0x1201, ``81 24``) followed by
the compressed point, so they start ``zDn`` and ``z82``. Their signatures are the
IEEE P1363 form ``r || s`` (VC-DI-ECDSA), checked by ``cryptography``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import TypeAlias

import base58
import nacl.bindings
import nacl.exceptions
import nacl.signing

from vc import _base58btc as base58btc
from vc.types import JSONValue

__all__ = [
    "ED25519_PRIV_PREFIX",
    "ED25519_PUB_PREFIX",
    "P256_PUB_PREFIX",
    "P384_PUB_PREFIX",
    "EcdsaPublicKey",
    "Ed25519KeyPair",
    "Ed25519PublicKey",
    "PublicKey",
    "public_key_from_jwk",
    "public_key_from_multikey",
    "MultibaseError",
    "decode_multibase_btc",
    "encode_multibase_btc",
]

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
P256_PUB_PREFIX = b"\x80\x24"
P384_PUB_PREFIX = b"\x81\x24"


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
    return _b58decode(body)


def _b58decode(body: str) -> bytes:
    decoded = base58btc.decode(body)
    if decoded is None:
        raise MultibaseError("multibase value holds characters outside base58btc")
    return decoded


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

    def to_jwk(self) -> dict[str, JSONValue]:
        """The public key as an OKP JWK (RFC 8037)."""
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64url_encode(self._raw)}

    @property
    def jose_alg(self) -> str:
        """The JOSE algorithm this key verifies: EdDSA (RFC 8037)."""
        return "EdDSA"

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


class EcdsaPublicKey:
    """A P-256 or P-384 public key; verifies ``r || s`` signatures with SHA-256 / SHA-384."""

    __slots__ = ("_curve", "_key")

    #: Curve name -> (multicodec prefix, field size in bytes).
    _CURVES: dict[str, tuple[bytes, int]] = {  # noqa: RUF012
        "P-256": (P256_PUB_PREFIX, 32),
        "P-384": (P384_PUB_PREFIX, 48),
    }

    def __init__(self, curve: str, point: bytes) -> None:
        # cryptography is imported by EC keys only: Ed25519 needs none of it.
        from cryptography.hazmat.primitives.asymmetric import ec

        if curve not in self._CURVES:
            raise ValueError(f"curve {curve[:20]!r} is not P-256 or P-384")
        if not isinstance(point, bytes):
            raise TypeError("an EC point is bytes (SEC 1 encoding)")
        ec_curve = ec.SECP256R1() if curve == "P-256" else ec.SECP384R1()
        try:
            self._key = ec.EllipticCurvePublicKey.from_encoded_point(ec_curve, point)
        except ValueError as exc:
            raise ValueError(f"not a point on {curve}") from exc
        self._curve = curve

    @classmethod
    def from_multibase(cls, value: str) -> EcdsaPublicKey:
        """Decode a Multikey ``zDn...`` (P-256) or ``z82...`` (P-384) public key.

        Raises:
            MultibaseError: not base58btc multibase.
            ValueError: not a p256-pub / p384-pub compressed point.
        """
        data = decode_multibase_btc(value)
        for curve, (prefix, size) in cls._CURVES.items():
            if data.startswith(prefix):
                point = data[len(prefix) :]
                if len(point) != size + 1 or point[0] not in (2, 3):
                    raise ValueError(f"a {curve} Multikey holds a {size + 1}-byte compressed point")
                return cls(curve, point)
        raise ValueError("not a P-256 or P-384 Multikey (multicodec 0x1200 / 0x1201)")

    @property
    def curve(self) -> str:
        """``P-256`` or ``P-384``."""
        return self._curve

    @property
    def multibase(self) -> str:
        """The Multikey encoding (compressed point)."""
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        point = self._key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        return encode_multibase_btc(self._CURVES[self._curve][0] + point)

    def to_jwk(self) -> dict[str, JSONValue]:
        """The public key as a JWK (RFC 7518, "Parameters for Elliptic Curve Public Keys")."""
        numbers = self._key.public_numbers()
        size = self._CURVES[self._curve][1]
        return {
            "kty": "EC",
            "crv": self._curve,
            "x": _b64url_encode(numbers.x.to_bytes(size, "big")),
            "y": _b64url_encode(numbers.y.to_bytes(size, "big")),
        }

    @property
    def jose_alg(self) -> str:
        """The one JOSE algorithm this key verifies: ES256 or ES384."""
        return "ES256" if self._curve == "P-256" else "ES384"

    @property
    def hash_name(self) -> str:
        """The hash the ECDSA cryptosuites use with this curve: sha256 or sha384."""
        return "sha256" if self._curve == "P-256" else "sha384"

    def digest(self, data: bytes) -> bytes:
        """`data` hashed with this curve's hash (VC-DI-ECDSA, "Hashing")."""
        return hashlib.new(self.hash_name, data).digest()

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Return True only if `signature` (``r || s``) is a valid ECDSA signature of `message`."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

        size = self._CURVES[self._curve][1]
        if len(signature) != 2 * size:
            return False
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
        if r == 0 or s == 0:
            return False
        try:
            algorithm = hashes.SHA256() if self._curve == "P-256" else hashes.SHA384()
            self._key.verify(encode_dss_signature(r, s), message, ec.ECDSA(algorithm))
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EcdsaPublicKey) and other.multibase == self.multibase

    def __hash__(self) -> int:
        return hash(self.multibase)

    def __repr__(self) -> str:
        return f"EcdsaPublicKey({self.multibase!r})"


#: The public keys a Data Integrity proof or a JWS can be verified with.
PublicKey: TypeAlias = Ed25519PublicKey | EcdsaPublicKey


def public_key_from_multikey(value: str) -> PublicKey:
    """Decode any supported Multikey: Ed25519 ``z6Mk``, P-256 ``zDn``, P-384 ``z82``.

    Raises:
        MultibaseError: not base58btc multibase.
        ValueError: an unsupported or malformed key.
    """
    if decode_multibase_btc(value).startswith(ED25519_PUB_PREFIX):
        return Ed25519PublicKey.from_multibase(value)
    return EcdsaPublicKey.from_multibase(value)


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url(value: JSONValue, name: str) -> bytes:
    # RFC 7515 §2 base64url, in its one spelling: urlsafe_b64decode alone drops characters
    # outside the alphabet and ignores stray low bits, so one key had many spellings.
    if not isinstance(value, str) or not value or "=" in value:
        raise ValueError(f"JWK member {name!r} must be unpadded base64url")
    try:
        raw = base64.b64decode(
            value.encode("ascii") + b"=" * (-len(value) % 4), altchars=b"-_", validate=True
        )
    except (ValueError, TypeError) as exc:  # binascii.Error is a ValueError
        raise ValueError(f"JWK member {name!r} is not base64url") from exc
    if _b64url_encode(raw) != value:
        raise ValueError(f"JWK member {name!r} is not base64url in its canonical form")
    return raw


def public_key_from_jwk(jwk: Mapping[str, JSONValue]) -> PublicKey:
    """Read a public JWK: OKP Ed25519, or EC P-256 / P-384 (RFC 7517, RFC 8037).

    Raises:
        ValueError: a private key (``d``), another key type or curve, or bad coordinates.
    """
    if "d" in jwk:
        raise ValueError("the JWK holds a private key; only public keys are accepted")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        raw = _b64url(jwk.get("x"), "x")
        if len(raw) != 32 or not nacl.bindings.crypto_core_ed25519_is_valid_point(raw):
            raise ValueError("the JWK's Ed25519 key is not a valid point of the main subgroup")
        return Ed25519PublicKey(raw)
    if kty == "EC" and crv in ("P-256", "P-384"):
        size = 32 if crv == "P-256" else 48
        x, y = _b64url(jwk.get("x"), "x"), _b64url(jwk.get("y"), "y")
        if len(x) != size or len(y) != size:
            raise ValueError(f"a {crv} JWK has {size}-byte coordinates")
        return EcdsaPublicKey(str(crv), b"\x04" + x + y)
    raise ValueError(f"JWK kty {str(kty)[:10]!r} / crv {str(crv)[:10]!r} is not supported")
