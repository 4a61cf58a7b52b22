"""The key a passphrase derives: Argon2id, its cost parameters and their accepted range.

The passphrase is stretched with Argon2id (libsodium ``crypto_pwhash``, MODERATE by
default: 3 passes over 256 MiB) into the key that seals keystores and backups
(:mod:`wallet._envelope`). The cost parameters are range-checked (SECURITY.md W04)
before Argon2id runs, whether they come from the caller or from a file's header.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import nacl.pwhash
import nacl.secret
import nacl.utils

__all__ = ["MIN_PASSPHRASE_LENGTH", "KdfParams"]

MIN_PASSPHRASE_LENGTH = 8

_SALT_SIZE = nacl.pwhash.argon2id.SALTBYTES
_KEY_SIZE = nacl.secret.SecretBox.KEY_SIZE

# Accepted KDF range (W04). The floor is libsodium's INTERACTIVE grade (2 passes,
# 64 MiB): anything weaker in a header means it was edited to make guessing cheap. The
# ceiling (10 passes, 1 GiB) keeps an edited header from exhausting memory or time.
_OPSLIMIT_RANGE = (2, 10)
_MEMLIMIT_RANGE = (64 * 1024**2, 1024**3)


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost parameters: passes over memory (`opslimit`) and bytes (`memlimit`)."""

    opslimit: int
    memlimit: int

    def __post_init__(self) -> None:
        if not _kdf_in_range(self.opslimit, self.memlimit):
            raise ValueError(
                f"Argon2id opslimit must be in {_OPSLIMIT_RANGE} and memlimit in "
                f"{_MEMLIMIT_RANGE} bytes"
            )

    @classmethod
    def moderate(cls) -> KdfParams:
        """The MODERATE grade of libsodium (3 passes, 256 MiB): the default for wallet files."""
        return cls(nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE)

    @classmethod
    def interactive(cls) -> KdfParams:
        """The INTERACTIVE grade of libsodium (2 passes, 64 MiB): fast, for tests and demos."""
        return cls(
            nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE
        )

    @classmethod
    def for_tests(cls) -> KdfParams:
        """The cheapest accepted cost (INTERACTIVE), so tests run real Argon2id quickly."""
        return cls.interactive()


def _new_key(passphrase: str, kdf: KdfParams) -> tuple[bytes, bytes]:
    """A fresh salt and the key `passphrase` derives with it: ``(key, salt)``."""
    salt = nacl.utils.random(_SALT_SIZE)
    return _derive_key(passphrase, salt, kdf), salt


def _derive_key(passphrase: str, salt: bytes, kdf: KdfParams) -> bytes:
    # NFC so that the same passphrase typed on different systems gives the same bytes;
    # surrogateescape keeps undecodable bytes from the environment as they were.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8", "surrogateescape")
    return bytes(
        nacl.pwhash.argon2id.kdf(
            _KEY_SIZE, secret, salt, opslimit=kdf.opslimit, memlimit=kdf.memlimit
        )
    )


def _kdf_in_range(opslimit: int, memlimit: int) -> bool:
    return (
        _OPSLIMIT_RANGE[0] <= opslimit <= _OPSLIMIT_RANGE[1]
        and _MEMLIMIT_RANGE[0] <= memlimit <= _MEMLIMIT_RANGE[1]
    )


def _check_new_passphrase(passphrase: str) -> None:
    if not isinstance(passphrase, str):
        raise TypeError("the passphrase is a str")
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValueError(f"a passphrase has at least {MIN_PASSPHRASE_LENGTH} characters")
