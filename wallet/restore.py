"""Restoring a wallet from an encrypted backup archive, without ever losing one.

The archive is read and checked whole (checksum, MAC, the keystore opens with the
passphrase, the database passes its integrity check) before anything on disk
changes; an existing wallet is only replaced with ``force``, and kept aside (``*.bak``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from wallet.atomic import write_atomic
from wallet.backup import read_backup
from wallet.errors import BackupCorruptError
from wallet.home import CHAIN_FILE, DATABASE_FILE, KEYSTORE_FILE, make_room
from wallet.keystore import Keystore
from wallet.store import Store

__all__ = ["restore_wallet"]


def restore_wallet(archive: Path, home: Path, passphrase: str, *, force: bool = False) -> int:
    """Restore the wallet in `archive` into `home`; return the number of badges restored.

    Raises:
        BackupCorruptError: the archive was altered, truncated or is incomplete.
        WrongPassphraseError: the passphrase does not open it.
        WalletExistsError: `home` holds a wallet and `force` is not set.
    """
    members = read_backup(archive, passphrase)
    missing = {KEYSTORE_FILE, DATABASE_FILE} - set(members)
    if missing:
        raise BackupCorruptError(f"{archive} lacks {', '.join(sorted(missing))}")
    with tempfile.TemporaryDirectory(prefix="laurel-restore-") as scratch:
        probe = Path(scratch) / KEYSTORE_FILE
        write_atomic(probe, members[KEYSTORE_FILE])
        Keystore.open(probe, passphrase)  # the keys inside open with this passphrase
    keystore_path, database_path = home / KEYSTORE_FILE, home / DATABASE_FILE
    make_room(home, force=force)
    Store.restore_snapshot(database_path, members[DATABASE_FILE])
    if CHAIN_FILE in members:
        write_atomic(home / CHAIN_FILE, members[CHAIN_FILE])
    write_atomic(keystore_path, members[KEYSTORE_FILE])
    with Store.open(database_path) as store:
        return store.count_credentials()
