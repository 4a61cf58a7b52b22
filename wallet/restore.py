"""Restoring a wallet from an encrypted backup archive, without ever losing one.

The archive is read and checked whole (checksum, MAC) before anything on disk
changes. The restored files are then written and checked (the keystore opens with the
passphrase, the database passes its integrity check) in a staging folder inside the
home, and put in place all at once (:mod:`wallet._install`): killed at any moment, the
home holds the wallet it had (or none) or the whole restored one, never a mix. An
existing wallet is only replaced with ``force``, and kept aside (``*.bak``).
"""

from __future__ import annotations

from pathlib import Path

from wallet._install import install_wallet
from wallet.atomic import write_atomic
from wallet.backup import read_backup
from wallet.errors import BackupCorruptError
from wallet.home import CHAIN_FILE, DATABASE_FILE, KEYSTORE_FILE, WALLET_FILES
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

    def build(staging: Path) -> None:
        write_atomic(staging / KEYSTORE_FILE, members[KEYSTORE_FILE])
        Keystore.open(staging / KEYSTORE_FILE, passphrase)  # its keys open with this passphrase
        Store.restore_snapshot(staging / DATABASE_FILE, members[DATABASE_FILE])
        if CHAIN_FILE in members:
            write_atomic(staging / CHAIN_FILE, members[CHAIN_FILE])

    install_wallet(home, build, wallet_files=WALLET_FILES, force=force)
    with Store.open(home / DATABASE_FILE) as store:
        return store.count_credentials()
