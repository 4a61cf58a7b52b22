"""The sealed file layout keystores and backups share: the *envelope*.

The secrets are sealed with XSalsa20-Poly1305 (libsodium ``crypto_secretbox``) under
the key of :mod:`wallet._kdf`. Keystores (:mod:`wallet.keystore`) and backups
(:mod:`wallet.backup`) use this one layout; only the magic differs. All integers are
big-endian:

======  =====  ==============================================================
offset  size   field
======  =====  ==============================================================
0       8      magic: ``LAURELKS`` (keystore) or ``LAURELBK`` (backup)
8       1      format version, 1
9       1      KDF id, 1 = Argon2id v1.3
10      4      opslimit
14      8      memlimit, in bytes
22      16     salt
38      24     nonce
62      4      n, length of the ciphertext
66      n      secretbox ciphertext: 16-byte Poly1305 tag, then the sealed text
66+n    32     SHA-256 of bytes 0 .. 66+n
======  =====  ==============================================================

The checksum is not a secret and proves nothing about who wrote the file; it only
separates a damaged file (:class:`~wallet.errors.WalletCorruptError`, SECURITY.md
W02/W03) from a wrong passphrase (:class:`~wallet.errors.WrongPassphraseError`, W01):
with the checksum intact, a failing Poly1305 tag means the key derived from the
passphrase is wrong. The KDF parameters are range-checked before Argon2id runs (W04),
so an edited header can neither exhaust memory nor make a weak key acceptable; they
need no MAC of their own, because the salt and parameters determine the key.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass, field
from pathlib import Path

import nacl.exceptions
import nacl.secret
import nacl.utils

from wallet._kdf import KdfParams, _derive_key, _kdf_in_range
from wallet.errors import WalletError, WrongPassphraseError

__all__: list[str] = []

_VERSION = 1
_KDF_ARGON2ID = 1
# magic, version, KDF id, opslimit, memlimit, salt, nonce, ciphertext length
_HEADER = struct.Struct(">8sBBIQ16s24sI")
_CHECKSUM_SIZE = hashlib.sha256().digest_size
_NONCE_SIZE = nacl.secret.SecretBox.NONCE_SIZE


@dataclass(frozen=True, slots=True)
class _Envelope:
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    ciphertext: bytes


@dataclass(frozen=True, slots=True)
class _Unsealed:
    kdf: KdfParams
    salt: bytes
    key: bytes = field(repr=False)
    plaintext: bytes = field(repr=False)


def _unseal(
    data: bytes, magic: bytes, passphrase: str, path: Path, corrupt: type[WalletError], what: str
) -> _Unsealed:
    """Check and open the envelope `data` read from `path`.

    Raises:
        WalletError: the `corrupt` subclass when the envelope is damaged or its KDF
            parameters are out of range.
        WrongPassphraseError: the tag does not verify under `passphrase`.
    """
    envelope = _parse(data, magic, path, corrupt, what)
    key = _derive_key(passphrase, envelope.salt, envelope.kdf)
    return _Unsealed(envelope.kdf, envelope.salt, key, _decrypt(envelope, key, path))


def _seal(magic: bytes, key: bytes, salt: bytes, kdf: KdfParams, plaintext: bytes) -> bytes:
    # A fresh random nonce per seal: 24 bytes make a collision negligible.
    nonce = nacl.utils.random(_NONCE_SIZE)
    ciphertext = bytes(nacl.secret.SecretBox(key).encrypt(plaintext, nonce).ciphertext)
    header = _HEADER.pack(
        magic, _VERSION, _KDF_ARGON2ID, kdf.opslimit, kdf.memlimit, salt, nonce, len(ciphertext)
    )
    body = header + ciphertext
    return body + hashlib.sha256(body).digest()


def _parse(
    data: bytes, magic: bytes, path: Path, corrupt: type[WalletError], what: str
) -> _Envelope:
    # Order matters: the checksum first (damage is "corrupt", never "wrong passphrase"),
    # then the KDF range, all before Argon2id runs (W04).
    if len(data) < _HEADER.size + _CHECKSUM_SIZE:
        raise corrupt(f"{path} is not a readable laurel {what}: truncated ({len(data)} bytes)")
    if data[: len(magic)] != magic:
        raise corrupt(f"{path} is not a laurel {what} (unknown file type)")
    body, checksum = data[:-_CHECKSUM_SIZE], data[-_CHECKSUM_SIZE:]
    if not hmac.compare_digest(hashlib.sha256(body).digest(), checksum):
        raise corrupt(f"{path} is damaged or truncated: its checksum does not match")
    _, version, kdf_id, opslimit, memlimit, salt, nonce, length = _HEADER.unpack_from(body)
    if version != _VERSION:
        raise corrupt(f"{path} has format version {version}; this laurel reads {_VERSION}")
    if kdf_id != _KDF_ARGON2ID:
        raise corrupt(f"{path} names an unknown KDF ({kdf_id})")
    if length != len(body) - _HEADER.size:
        raise corrupt(f"{path} is damaged: its ciphertext length does not match")
    if not _kdf_in_range(opslimit, memlimit):
        raise corrupt(
            f"{path}: KDF parameters out of range (opslimit {opslimit}, memlimit {memlimit})"
        )
    return _Envelope(KdfParams(opslimit, memlimit), salt, nonce, body[_HEADER.size :])


def _decrypt(envelope: _Envelope, key: bytes, path: Path) -> bytes:
    try:
        return bytes(nacl.secret.SecretBox(key).decrypt(envelope.ciphertext, envelope.nonce))
    except nacl.exceptions.CryptoError:
        # The checksum matched, so the file is as written: the key is what differs.
        raise WrongPassphraseError(f"wrong passphrase for {path}") from None


def _read_capped(path: Path, limit: int, corrupt: type[WalletError], what: str) -> bytes:
    """Read at most `limit` bytes of `path`, so a huge file cannot exhaust memory.

    Raises:
        WalletError: the `corrupt` subclass if the file is larger than `limit`, or a
            plain WalletError if it cannot be read.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise WalletError(f"could not read {path}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise corrupt(f"{path} is larger than any laurel {what} ({limit} bytes at most)")
    return data
