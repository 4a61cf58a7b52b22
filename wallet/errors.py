"""The wallet's errors: misuse and I/O, each naming the file and what to do."""

from __future__ import annotations

from vc.errors import LaurelError

__all__ = [
    "BackupCorruptError",
    "CredentialNotFoundError",
    "KeyNotFoundError",
    "UnsafePermissionsError",
    "WalletBusyError",
    "WalletCorruptError",
    "WalletError",
    "WalletExistsError",
    "WalletNotFoundError",
    "WrongPassphraseError",
]


class WalletError(LaurelError):
    """Root of the wallet's errors."""

    hint = "Run `laurel --help`; your stored keys and badges were not changed."


class WrongPassphraseError(WalletError):
    """The passphrase does not open the keystore (nothing was written)."""

    hint = "Try again; set LAUREL_PASSPHRASE or type it at the prompt. Nothing was changed."


class WalletCorruptError(WalletError):
    """A wallet file is damaged or truncated; it is never re-initialised over."""

    hint = "Restore from a backup (`laurel restore FILE`); laurel left the damaged file as it is."


class WalletExistsError(WalletError):
    """A wallet already exists where one was to be created."""

    hint = "Use another --home, or --force to replace it (the old files are kept aside as *.bak)."


class WalletNotFoundError(WalletError):
    """There is no wallet at the given home."""

    hint = "Create one with `laurel init --name NAME`, or point --home / LAUREL_HOME at it."


class UnsafePermissionsError(WalletError):
    """A wallet file or folder is readable by other users."""

    hint = "Fix it with `chmod 700 HOME` and `chmod 600 HOME/*` (like ssh, laurel refuses)."


class WalletBusyError(WalletError):
    """Another laurel process holds the wallet for too long."""

    hint = "Wait for the other `laurel` command to finish, then run this one again."


class KeyNotFoundError(WalletError):
    """The keystore has no key of that name."""


class CredentialNotFoundError(WalletError):
    """The wallet holds no credential with that id."""

    hint = "See the ids with `laurel list`."


class BackupCorruptError(WalletError):
    """A backup archive is damaged or was altered; nothing was restored."""

    hint = "Use another backup; the live wallet was not touched."
