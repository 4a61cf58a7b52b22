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
default: 3 passes over 256 MiB; :mod:`wallet._kdf`) and the secrets are sealed with
XSalsa20-Poly1305 (libsodium ``crypto_secretbox``). One file layout, the *envelope*
(:mod:`wallet._envelope`: the layout, and how a damaged file is told from a wrong
passphrase, SECURITY.md W01-W04), also carries backups (:mod:`wallet.backup`); only
the magic differs.

The sealed text of a keystore is the JSON object ``{name: hex secret}``. The derived
key (never the passphrase) stays in memory so that :meth:`Keystore.add` does not ask
again. Python cannot wipe memory, so secrets live until the object is collected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path

from vc.keys import Ed25519KeyPair
from wallet._envelope import _read_capped, _seal, _unseal
from wallet._kdf import MIN_PASSPHRASE_LENGTH, KdfParams, _check_new_passphrase, _new_key
from wallet.atomic import check_private, sweep_temporaries, write_atomic
from wallet.errors import (
    KeyNotFoundError,
    WalletCorruptError,
    WalletError,
    WalletNotFoundError,
)

__all__ = [
    "Keystore",
    "KdfParams",
    "MIN_PASSPHRASE_LENGTH",
    "KEYSTORE_MAGIC",
]

KEYSTORE_MAGIC = b"LAURELKS"

_KEYSTORE_MAX_BYTES = 1024**2
_MAX_NAME_LENGTH = 128
_MAX_SECRET_BYTES = 1024


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

    def moved_to(self, path: Path) -> None:
        """Follow the file, moved whole to `path` (a new wallet put in place at once)."""
        self._path = path

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
        sweep_temporaries(self._path)  # what a rewrite killed midway left (SECURITY.md W05)

    def __repr__(self) -> str:
        return f"Keystore(path={str(self._path)!r}, names={self.names()!r})"


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
