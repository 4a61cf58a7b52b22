"""The wallet home: where it lives, what is in it, creating and opening it.

    HOME/             0700
      keystore.enc    0600  Argon2id + XSalsa20-Poly1305 encrypted keys
      wallet.db       0600  SQLite: settings, credentials, status allocations, anchor batches
      chain.db        0600  the embedded Ethereum chain (once something is anchored)
      .laurel-install/ 0700 only while `init` or `restore` puts a new wallet in place

The passphrase is needed only to sign (issue, present) or to back up: listing,
showing and exporting badges open the database alone.
"""

from __future__ import annotations

import ipaddress
import secrets
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vc.did import DidResolver, did_key_from_public_key
from vc.keys import Ed25519KeyPair
from vc.types import JSONObject
from wallet._install import finish_install, install_wallet
from wallet.atomic import check_private
from wallet.errors import WalletCorruptError, WalletNotFoundError
from wallet.keystore import MIN_PASSPHRASE_LENGTH, KdfParams, Keystore
from wallet.paths import default_home
from wallet.store import Store

__all__ = [
    "CHAIN_FILE",
    "DATABASE_FILE",
    "KEYSTORE_FILE",
    "ANCHORING_KEY",
    "SIGNING_KEY",
    "Identity",
    "Wallet",
    "base_url_problem",
    "default_home",
    "did_web_from_host",
    "WALLET_FILES",
    "new_secp256k1_key",
]

KEYSTORE_FILE = "keystore.enc"
DATABASE_FILE = "wallet.db"
#: The embedded chain (wallet.ledger): the default ledger, kept beside the wallet.
CHAIN_FILE = "chain.db"
#: A wallet's files, the keystore and the database first: `init --force` and `restore
#: --force` set aside those present, and put the new ones in place all at once.
WALLET_FILES = (KEYSTORE_FILE, DATABASE_FILE, CHAIN_FILE)
#: The keystore entry holding the wallet's Ed25519 seed.
SIGNING_KEY = "ed25519-signing"
#: The keystore entry holding the anchoring account's secp256k1 key (wallet.ledger).
ANCHORING_KEY = "secp256k1-anchoring"
# The order of secp256k1's group: a private key is an integer in 1 .. n-1.
_SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def new_secp256k1_key() -> bytes:
    """A fresh random secp256k1 private key (32 bytes, big-endian, in 1 .. n-1)."""
    while True:
        candidate = secrets.token_bytes(32)
        if 0 < int.from_bytes(candidate, "big") < _SECP256K1_ORDER:
            return candidate


def did_web_from_host(host_and_path: str) -> str:
    """``HOST[:PATH]`` (or ``HOST/PATH``, with an optional ``:PORT``) -> a did:web DID.

    ``example.org:issuers:1``, ``example.org/issuers/1`` and
    ``https://example.org/issuers/1`` all give ``did:web:example.org:issuers:1``;
    ``example.org:8443`` gives ``did:web:example.org%3A8443``.

    Raises:
        ValueError: an empty host.
    """
    text = host_and_path.strip().removeprefix("https://").strip("/")
    authority, _, path = text.partition("/")
    host, *rest = authority.split(":")
    if rest and rest[0].isdigit():
        host, rest = f"{host}%3A{rest[0]}", rest[1:]
    segments = [*rest, *path.split("/")]
    if not host:
        raise ValueError("--did-web needs a host name, like example.org or example.org:issuers:1")
    return ":".join(["did:web", host, *[s for s in segments if s]])


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a wallet's base URL; None when it can.

    Status lists and did.json are fetched from it by every verifier, so it is an
    absolute https URL without query or fragment; plain http only on loopback
    (a local test set-up), which verifiers reach only with --allow-private-network.
    """
    shown = url if len(url) <= 80 else url[:80] + "…"
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # raises for a port that is not a number in range
    except ValueError as exc:
        return f"--base-url {shown!r} is not a URL ({exc})"
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        return f"--base-url {shown!r} is not an absolute https URL (like https://badges.school.example)"
    if parts.query or parts.fragment or parts.username or parts.password:
        return f"--base-url {shown!r} must not hold a query, a fragment or credentials"
    if any(c.isspace() for c in url):
        return f"--base-url {shown!r} holds spaces"
    if parts.scheme == "http" and not _is_loopback(host):
        return f"--base-url {shown!r} uses http; use https (http only on localhost or 127.0.0.1)"
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Identity:
    """Who this wallet is: a display name, a DID and its verification method."""

    name: str
    did: str
    verification_method: str
    base_url: str | None


class Wallet:
    """An open wallet: its database always, its keystore once unlocked."""

    def __init__(self, home: Path, store: Store) -> None:
        self.home = home
        self.store = store
        self._keystore: Keystore | None = None

    # -- creating and opening -------------------------------------------------

    @classmethod
    def create(
        cls,
        home: Path,
        *,
        name: str,
        passphrase: str,
        did_web: str | None = None,
        base_url: str | None = None,
        force: bool = False,
        kdf: KdfParams | None = None,
    ) -> Wallet:
        """Create a wallet with a new Ed25519 key and its DID (did:key, or did:web when asked).

        The keystore and the database are written whole beside the home's files and put
        in place at once (:mod:`wallet._install`): killed at any moment, the home holds
        the wallet it had (or none), or the new one whole; one set aside stays ``*.bak``.

        Raises:
            WalletExistsError: a wallet is already there and `force` is not set.
            ValueError: an empty name, a base URL that is not an absolute https URL
                (http only on loopback), or a passphrase that is too short.
        """
        if not name.strip():
            raise ValueError("a wallet needs a name (--name), shown as the issuer's name")
        problem = base_url_problem(base_url) if base_url is not None else None
        if problem is not None:
            raise ValueError(problem)
        if len(passphrase) < MIN_PASSPHRASE_LENGTH:
            # Checked first, so that --force never sets a wallet aside for nothing.
            raise ValueError(f"a passphrase has at least {MIN_PASSPHRASE_LENGTH} characters")
        key = Ed25519KeyPair.generate()
        did = did_web if did_web else did_key_from_public_key(key.public_key)
        keys = {SIGNING_KEY: key.export_seed_unencrypted(), ANCHORING_KEY: new_secp256k1_key()}
        created: list[Keystore] = []

        def build(staging: Path) -> None:
            # Written whole in the staging folder, then put in place at once (wallet._install).
            created.append(Keystore.create(staging / KEYSTORE_FILE, passphrase, keys, kdf=kdf))
            with Store.create(staging / DATABASE_FILE) as store, store.transaction():
                store.set_setting("name", name.strip())
                store.set_setting("did", did)
                store.set_setting("verification_method", f"{did}#{key.public_key.multibase}")
                store.set_setting("public_key", key.public_key.multibase)
                if base_url:
                    store.set_setting("base_url", base_url.rstrip("/"))

        install_wallet(home, build, wallet_files=WALLET_FILES, force=force)
        keystore = created[0]
        keystore.moved_to(home / KEYSTORE_FILE)
        wallet = cls(home, Store.open(home / DATABASE_FILE))
        wallet._keystore = keystore
        return wallet

    @classmethod
    def open(cls, home: Path) -> Wallet:
        """Open the wallet at `home` (database only; :meth:`unlock` for the keys).

        Raises:
            WalletNotFoundError: there is no wallet there.
            WalletCorruptError: its database is damaged (never re-created).
            WalletBusyError: another process kept installing a wallet there too long.
            UnsafePermissionsError: its files are readable by others.
        """
        finish_install(home)  # a new wallet a crash left half in place is put in whole
        database_path = home / DATABASE_FILE
        if not database_path.exists():
            if (home / KEYSTORE_FILE).exists():
                raise WalletCorruptError(
                    f"{database_path} is missing but {home / KEYSTORE_FILE} exists"
                )
            raise WalletNotFoundError(f"no laurel wallet in {home}")
        check_private(home)
        check_private(database_path)
        return cls(home, Store.open(database_path))

    def unlock(self, passphrase: str) -> Keystore:
        """Open the keystore with `passphrase` (once per process).

        Raises:
            WrongPassphraseError: the passphrase is wrong (nothing is written).
            WalletCorruptError: the keystore is damaged.
        """
        if self._keystore is None:
            self._keystore = Keystore.open(self.home / KEYSTORE_FILE, passphrase)
        return self._keystore

    def attach_keystore(self, keystore: Keystore) -> None:
        """Use a keystore this process already unlocked (a service unlocks it once)."""
        self._keystore = keystore

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    def __enter__(self) -> Wallet:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- identity -----------------------------------------------------------------

    @property
    def identity(self) -> Identity:
        """This wallet's name, DID and verification method.

        Raises:
            WalletCorruptError: the settings are missing.
        """
        values = {k: self.store.get_setting(k) for k in ("name", "did", "verification_method")}
        name, did, vm = values["name"], values["did"], values["verification_method"]
        if name is None or did is None or vm is None:
            raise WalletCorruptError(f"{self.home / DATABASE_FILE} lacks the wallet's identity")
        return Identity(name, did, vm, self.store.get_setting("base_url"))

    def signing_key(self, passphrase: str) -> Ed25519KeyPair:
        """The wallet's Ed25519 key (unlocks the keystore if needed)."""
        return self.unlock(passphrase).ed25519(SIGNING_KEY)

    def did_document(self) -> JSONObject:
        """The DID document to publish (did:web: as HOST/.well-known/did.json), or did:key's."""
        identity = self.identity
        if identity.did.startswith("did:key:"):
            return DidResolver().resolve(identity.did).to_json()
        public = self.store.get_setting("public_key") or ""
        return {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": identity.did,
            "verificationMethod": [
                {
                    "id": identity.verification_method,
                    "type": "Multikey",
                    "controller": identity.did,
                    "publicKeyMultibase": public,
                }
            ],
            "authentication": [identity.verification_method],
            "assertionMethod": [identity.verification_method],
        }
