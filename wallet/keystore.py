"""The encrypted keystore: named secrets sealed under a passphrase.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from wallet.keystore import KdfParams, Keystore
    >>> path = Path(tempfile.mkdtemp()) / "keystore"
    >>> ks = Keystore.create(path, "correct horse battery", kdf=KdfParams.interactive())
    >>> ks.add("issuer", bytes(32))
    >>> Keystore.open(path, "correct horse battery").ed25519("issuer").public_key.multibase
    'z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp'

The passphrase is stretched with Argon2id (libsodium ``crypto_pwhash``, MODERATE by
default: 3 passes over 256 MiB) and the secrets are sealed with XSalsa20-Poly1305
(libsodium ``crypto_secretbox``). One file layout, the *envelope*, also carries backups
(:mod:`wallet.backup`); only the magic differs. All integers are big-endian:

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

The sealed text of a keystore is the JSON object ``{name: hex secret}``. The derived
key (never the passphrase) stays in memory so that :meth:`Keystore.add` does not ask
again. Python cannot wipe memory, so secrets live until the object is collected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils

from vc.keys import Ed25519KeyPair
from wallet.atomic import check_private, write_atomic
from wallet.errors import (
    KeyNotFoundError,
    WalletCorruptError,
    WalletError,
    WalletNotFoundError,
    WrongPassphraseError,
)

__all__ = [
    "Keystore",
    "KdfParams",
    "MIN_PASSPHRASE_LENGTH",
    "KEYSTORE_MAGIC",
]

KEYSTORE_MAGIC = b"LAURELKS"
MIN_PASSPHRASE_LENGTH = 8

_VERSION = 1
_KDF_ARGON2ID = 1
# magic, version, KDF id, opslimit, memlimit, salt, nonce, ciphertext length
_HEADER = struct.Struct(">8sBBIQ16s24sI")
_CHECKSUM_SIZE = hashlib.sha256().digest_size
_SALT_SIZE = nacl.pwhash.argon2id.SALTBYTES
_NONCE_SIZE = nacl.secret.SecretBox.NONCE_SIZE
_KEY_SIZE = nacl.secret.SecretBox.KEY_SIZE

# Accepted KDF range (W04). The floor is libsodium's INTERACTIVE grade (2 passes,
# 64 MiB): anything weaker in a header means it was edited to make guessing cheap. The
# ceiling (10 passes, 1 GiB) keeps an edited header from exhausting memory or time.
_OPSLIMIT_RANGE = (2, 10)
_MEMLIMIT_RANGE = (64 * 1024**2, 1024**3)

_KEYSTORE_MAX_BYTES = 1024**2
_MAX_NAME_LENGTH = 128
_MAX_SECRET_BYTES = 1024


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


class Keystore:
    """An open keystore file: named secrets, re-sealed on every change."""

    __slots__ = ("_disk_digest", "_kdf", "_key", "_path", "_salt", "_secrets")

    def __init__(
        self,
        path: Path,
        *,
        key: bytes,
        salt: bytes,
        kdf: KdfParams,
        secrets: dict[str, bytes],
        disk_digest: bytes,
    ) -> None:
        # Private: use Keystore.create or Keystore.open.
        self._path = path
        self._key = key
        self._salt = salt
        self._kdf = kdf
        self._secrets = secrets
        self._disk_digest = disk_digest

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        secrets: Mapping[str, bytes] | None = None,
        *,
        kdf: KdfParams | None = None,
    ) -> Keystore:
        """Write a new keystore at `path` (mode 0600) holding `secrets`.

        Args:
            path: the file to create; its folder must exist.
            passphrase: at least 8 characters; it is never stored.
            secrets: name -> secret bytes to seal from the start.
            kdf: Argon2id cost; MODERATE unless given.

        Raises:
            WalletExistsError: `path` already exists (it is never replaced).
            WalletError: the file could not be written.
            ValueError: passphrase too short, or a bad name or secret.
            TypeError: passphrase not a str, or a secret not bytes.
        """
        _check_new_passphrase(passphrase)
        checked = {name: _check_secret(name, value) for name, value in (secrets or {}).items()}
        kdf = KdfParams.moderate() if kdf is None else kdf
        key, salt = _new_key(passphrase, kdf)
        sealed = _seal(KEYSTORE_MAGIC, key, salt, kdf, _encode_secrets(checked))
        write_atomic(path, sealed, exclusive=True)
        return cls(path, key=key, salt=salt, kdf=kdf, secrets=checked, disk_digest=_digest(sealed))

    @classmethod
    def open(cls, path: Path, passphrase: str) -> Keystore:
        """Unseal the keystore at `path`.

        Raises:
            WalletNotFoundError: there is no file at `path`.
            UnsafePermissionsError: other users may read or write the file.
            WalletCorruptError: the file is truncated, damaged, or its KDF parameters
                are out of range.
            WrongPassphraseError: the passphrase does not open it (nothing is written).
            WalletError: the file cannot be read.
            TypeError: passphrase not a str.
        """
        if not isinstance(passphrase, str):
            raise TypeError("the passphrase is a str")
        if not path.exists():
            raise WalletNotFoundError(f"there is no keystore at {path}")
        check_private(path)
        data = _read_capped(path, _KEYSTORE_MAX_BYTES, WalletCorruptError, "keystore")
        opened = _unseal(data, KEYSTORE_MAGIC, passphrase, path, WalletCorruptError, "keystore")
        return cls(
            path,
            key=opened.key,
            salt=opened.salt,
            kdf=opened.kdf,
            secrets=_decode_secrets(opened.plaintext, path),
            disk_digest=_digest(data),
        )

    @property
    def path(self) -> Path:
        """The keystore file."""
        return self._path

    def names(self) -> list[str]:
        """The names of the stored secrets, sorted."""
        return sorted(self._secrets)

    def secret(self, name: str) -> bytes:
        """The secret stored as `name`.

        Raises:
            KeyNotFoundError: no secret has that name.
        """
        try:
            return self._secrets[name]
        except KeyError:
            raise KeyNotFoundError(
                f"{self._path} holds no key named {name!r}",
                hint=f"Stored key names: {', '.join(self.names()) or '(none)'}.",
            ) from None

    def ed25519(self, name: str) -> Ed25519KeyPair:
        """The Ed25519 key pair whose 32-byte seed is stored as `name`.

        Raises:
            KeyNotFoundError: no secret has that name.
            ValueError: the secret is not a 32-byte seed.
        """
        return Ed25519KeyPair.from_seed(self.secret(name))

    def add(self, name: str, secret: bytes) -> None:
        """Store `secret` as `name`, re-sealing the file (fresh nonce, atomic rewrite).

        Raises:
            ValueError: `name` is already taken (secrets are never overwritten), or a bad
                name or secret.
            TypeError: `secret` is not bytes.
            WalletError: the file changed since it was opened, or cannot be written; the
                file and this object are then unchanged.
        """
        if name in self._secrets:
            raise ValueError(f"{self._path} already holds a key named {name!r}")
        secrets = {**self._secrets, name: _check_secret(name, secret)}
        self._rewrite(self._key, self._salt, self._kdf, secrets)
        self._secrets = secrets

    def change_passphrase(self, new_passphrase: str, *, kdf: KdfParams | None = None) -> None:
        """Re-seal the file under `new_passphrase` (fresh salt and nonce, atomic rewrite).

        Raises:
            ValueError: the new passphrase is too short.
            TypeError: the new passphrase is not a str.
            WalletError: the file changed since it was opened, or cannot be written; the
                old passphrase then still opens it.
        """
        _check_new_passphrase(new_passphrase)
        kdf = KdfParams.moderate() if kdf is None else kdf
        key, salt = _new_key(new_passphrase, kdf)
        self._rewrite(key, salt, kdf, self._secrets)
        self._key, self._salt, self._kdf = key, salt, kdf

    def _rewrite(self, key: bytes, salt: bytes, kdf: KdfParams, secrets: dict[str, bytes]) -> None:
        # Another process (or a restore) may have replaced the file since we read it;
        # sealing our older copy over it would silently drop its keys.
        current = _read_capped(self._path, _KEYSTORE_MAX_BYTES, WalletCorruptError, "keystore")
        if not hmac.compare_digest(_digest(current), self._disk_digest):
            raise WalletError(
                f"{self._path} changed since it was opened; nothing was written",
                hint="Run the command again so that laurel reads the current keystore.",
            )
        sealed = _seal(KEYSTORE_MAGIC, key, salt, kdf, _encode_secrets(secrets))
        write_atomic(self._path, sealed)
        self._disk_digest = _digest(sealed)

    def __repr__(self) -> str:
        return f"Keystore(path={str(self._path)!r}, names={self.names()!r})"


# --- The envelope, shared with wallet.backup -------------------------------------------


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


def _new_key(passphrase: str, kdf: KdfParams) -> tuple[bytes, bytes]:
    """A fresh salt and the key `passphrase` derives with it: ``(key, salt)``."""
    salt = nacl.utils.random(_SALT_SIZE)
    return _derive_key(passphrase, salt, kdf), salt


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


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# --- The keystore's sealed text ---------------------------------------------------------


def _check_secret(name: str, secret: bytes) -> bytes:
    if not isinstance(name, str):
        raise TypeError("a key name is a str")
    if not 0 < len(name) <= _MAX_NAME_LENGTH or not name.isprintable():
        raise ValueError(f"a key name is 1 to {_MAX_NAME_LENGTH} printable characters")
    if not isinstance(secret, bytes):
        raise TypeError("a secret is bytes")
    # Length only: the message never quotes the secret itself.
    if not 0 < len(secret) <= _MAX_SECRET_BYTES:
        raise ValueError(f"a secret is 1 to {_MAX_SECRET_BYTES} bytes, not {len(secret)}")
    return secret


def _encode_secrets(secrets: Mapping[str, bytes]) -> bytes:
    table = {name: value.hex() for name, value in secrets.items()}
    return json.dumps(table, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _decode_secrets(plaintext: bytes, path: Path) -> dict[str, bytes]:
    # Authenticated by the tag, so only a faulty writer could produce a bad table; the
    # messages never include its contents.
    try:
        table = json.loads(plaintext)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WalletCorruptError(f"{path} holds an unreadable key table") from None
    if not isinstance(table, dict):
        raise WalletCorruptError(f"{path} holds an unreadable key table")
    secrets: dict[str, bytes] = {}
    for name, value in table.items():
        if not isinstance(value, str):
            raise WalletCorruptError(f"{path} holds an unreadable key {name!r}")
        try:
            secrets[name] = bytes.fromhex(value)
        except ValueError:
            raise WalletCorruptError(f"{path} holds an unreadable key {name!r}") from None
    return secrets
