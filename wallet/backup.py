"""One encrypted archive holding the wallet's files.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from wallet.backup import read_backup, write_backup
    >>> from wallet.keystore import KdfParams
    >>> path = Path(tempfile.mkdtemp()) / "wallet.laurel-backup"
    >>> write_backup(path, "correct horse battery", {"keystore": b"..."},
    ...              kdf=KdfParams.interactive())
    >>> read_backup(path, "correct horse battery")
    {'keystore': b'...'}

A backup is the keystore's envelope (see :mod:`wallet._envelope` for the layout) with
the magic ``LAURELBK``, so a backup can never be opened as a keystore or the other way
round. Its sealed text is the JSON object ``{"members": {name: base64 bytes}}``. The
whole file is covered by the checksum and the sealed text by the Poly1305 tag, so one
changed byte anywhere is refused (SECURITY.md W09) before anything is restored.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from pathlib import Path

from wallet._envelope import _read_capped, _seal, _unseal
from wallet._kdf import KdfParams, _check_new_passphrase, _new_key
from wallet.atomic import sweep_temporaries, write_atomic
from wallet.errors import BackupCorruptError

__all__ = ["BACKUP_MAGIC", "read_backup", "write_backup"]

BACKUP_MAGIC = b"LAURELBK"

# A wallet is a keystore and a SQLite database of badges: megabytes at most. The cap
# keeps a planted huge file from being read into memory whole.
_BACKUP_MAX_BYTES = 256 * 1024**2
_MAX_MEMBER_NAME = 255


def write_backup(
    path: Path,
    passphrase: str,
    members: Mapping[str, bytes],
    *,
    kdf: KdfParams | None = None,
) -> None:
    """Seal `members` (name -> file bytes) into a new backup file at `path` (mode 0600).

    Args:
        path: the archive to create; its folder must exist.
        passphrase: at least 8 characters; it is never stored.
        members: the files to keep, by plain name (no folders).
        kdf: Argon2id cost; MODERATE unless given.

    Raises:
        WalletExistsError: `path` already exists (a backup is never replaced).
        WalletError: the file could not be written.
        ValueError: passphrase too short, or a member name that is not a plain name.
        TypeError: passphrase not a str, or a member's contents not bytes.
    """
    _check_new_passphrase(passphrase)
    encoded: dict[str, str] = {}
    for name, content in members.items():
        _check_member_name(name)
        if not isinstance(content, bytes):
            raise TypeError(f"backup member {name!r} must be bytes")
        encoded[name] = base64.b64encode(content).decode("ascii")
    plaintext = json.dumps({"members": encoded}, sort_keys=True).encode("utf-8")
    kdf = KdfParams.moderate() if kdf is None else kdf
    key, salt = _new_key(passphrase, kdf)
    try:
        write_atomic(path, _seal(BACKUP_MAGIC, key, salt, kdf, plaintext), exclusive=True)
    finally:
        # A backup killed midway left its partial ".NAME.HEX.tmp" beside `path`: never
        # read as a backup, but not to be kept either (SECURITY.md W05).
        sweep_temporaries(path)


def read_backup(path: Path, passphrase: str) -> dict[str, bytes]:
    """Check and open the backup at `path`: its members, name -> bytes.

    Raises:
        BackupCorruptError: the file is truncated, altered, not a laurel backup, or
            its KDF parameters are out of range.
        WrongPassphraseError: the passphrase does not open it.
        WalletError: the file cannot be read.
        TypeError: passphrase not a str.
    """
    if not isinstance(passphrase, str):
        raise TypeError("the passphrase is a str")
    data = _read_capped(path, _BACKUP_MAX_BYTES, BackupCorruptError, "backup")
    opened = _unseal(data, BACKUP_MAGIC, passphrase, path, BackupCorruptError, "backup")
    return _decode_members(opened.plaintext, path)


def _check_member_name(name: str) -> None:
    if not isinstance(name, str):
        raise TypeError("a backup member name is a str")
    # Names become file names on restore: no folders, no way out of the wallet's home.
    if (
        not 0 < len(name) <= _MAX_MEMBER_NAME
        or name in (".", "..")
        or ".." in name
        or any(c in name for c in "/\\\x00")
        or not name.isprintable()
    ):
        raise ValueError(f"backup member name {name!r} is not a plain file name")


def _decode_members(plaintext: bytes, path: Path) -> dict[str, bytes]:
    # The tag authenticated this text, so a bad shape means a faulty or hostile writer
    # that knew the passphrase; refuse it all the same rather than restore odd names.
    try:
        document = json.loads(plaintext)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupCorruptError(f"{path} holds an unreadable member table") from None
    table = document.get("members") if isinstance(document, dict) else None
    if not isinstance(table, dict):
        raise BackupCorruptError(f"{path} holds an unreadable member table")
    members: dict[str, bytes] = {}
    for name, value in table.items():
        try:
            _check_member_name(name)
        except ValueError:
            raise BackupCorruptError(f"{path} holds a member with a bad name") from None
        if not isinstance(value, str):
            raise BackupCorruptError(f"{path} holds an unreadable member {name!r}")
        try:
            members[name] = base64.b64decode(value, validate=True)
        except binascii.Error:
            raise BackupCorruptError(f"{path} holds an unreadable member {name!r}") from None
    return members
