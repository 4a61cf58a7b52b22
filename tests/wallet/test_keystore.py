from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.wallet.conftest import umask
from vc.keys import Ed25519KeyPair
from wallet.errors import (
    KeyNotFoundError,
    UnsafePermissionsError,
    WalletCorruptError,
    WalletError,
    WalletExistsError,
    WalletNotFoundError,
    WrongPassphraseError,
)
from wallet.keystore import KdfParams, Keystore

PASS = "correct horse battery"
OTHER = "incorrect donkey"
FAST = KdfParams.interactive()
SEED = bytes(range(32))

# Offsets of the envelope layout documented in wallet._envelope.
OPSLIMIT = slice(10, 14)
MEMLIMIT = slice(14, 22)
SALT = slice(22, 38)
NONCE = slice(38, 62)
TAG_START = 66


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "keystore"


@pytest.fixture
def store(path: Path) -> Keystore:
    return Keystore.create(path, PASS, {"issuer": SEED}, kdf=FAST)


def flip_bit(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def rewrite_with_checksum(path: Path, body: bytes) -> None:
    """Write `body` with a correct checksum, as an attacker who read the format would."""
    path.write_bytes(body + hashlib.sha256(body).digest())


# Linux FS_IOC_GETFLAGS / FS_IOC_SETFLAGS and FS_IMMUTABLE_FL (chattr +i).
_GETFLAGS, _SETFLAGS, _IMMUTABLE = 0x80086601, 0x40086602, 0x10


def _set_immutable(folder: Path, on: bool) -> None:
    import fcntl

    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        buf = bytearray(8)
        fcntl.ioctl(fd, _GETFLAGS, buf, True)
        flags = struct.unpack_from("<i", buf)[0]
        flags = flags | _IMMUTABLE if on else flags & ~_IMMUTABLE
        fcntl.ioctl(fd, _SETFLAGS, struct.pack("<i", flags) + bytes(4))
    finally:
        os.close(fd)


def _can_create_in(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        return False
    probe.unlink()
    return True


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make `folder` refuse new files: chmod 0500, or chattr +i where root ignores modes."""
    os.chmod(folder, 0o500)
    immutable = False
    try:
        if _can_create_in(folder):
            if not sys.platform.startswith("linux"):
                pytest.fail(
                    "cannot make a folder read-only here: root ignores modes and this is not Linux"
                )
            try:
                _set_immutable(folder, True)
                immutable = True
            except OSError:
                pytest.fail(
                    "cannot make a folder read-only here: root ignores modes and chattr +i failed"
                )
        yield
    finally:
        if immutable:
            _set_immutable(folder, False)
        os.chmod(folder, 0o700)


# --- round trip -----------------------------------------------------------------------


def test_round_trip(path):
    Keystore.create(path, PASS, {"issuer": SEED, "other": b"\x01" * 32}, kdf=FAST)
    opened = Keystore.open(path, PASS)
    assert opened.names() == ["issuer", "other"]
    assert opened.secret("issuer") == SEED
    assert opened.path == path


def test_create_empty_then_add_then_reopen(path):
    ks = Keystore.create(path, PASS, kdf=FAST)
    assert ks.names() == []
    ks.add("issuer", SEED)
    assert Keystore.open(path, PASS).secret("issuer") == SEED


def test_ed25519_key_pair_from_seed(store):
    assert store.ed25519("issuer").public_key == Ed25519KeyPair.from_seed(SEED).public_key


def test_ed25519_of_non_seed_is_value_error(store):
    store.add("short", b"\x01" * 16)
    with pytest.raises(ValueError, match="32 bytes"):
        store.ed25519("short")


def test_add_does_not_need_the_passphrase_again_and_uses_a_fresh_nonce(store, path):
    before = path.read_bytes()
    store.add("second", b"\x02" * 32)
    after = path.read_bytes()
    assert before[SALT] == after[SALT]
    assert before[NONCE] != after[NONCE]
    assert Keystore.open(path, PASS).names() == ["issuer", "second"]


def test_file_is_0600_and_has_no_leftovers(store, path):
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.add("second", b"\x02" * 32)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["keystore"]


# --- create / add misuse --------------------------------------------------------------


def test_create_refuses_existing_path(store, path):
    before = path.read_bytes()
    with pytest.raises(WalletExistsError) as info:
        Keystore.create(path, PASS, kdf=FAST)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before


def test_short_passphrase_at_create_is_value_error(path):
    with pytest.raises(ValueError, match="8 characters"):
        Keystore.create(path, "1234567", kdf=FAST)
    assert not path.exists()


def test_passphrase_not_str_is_type_error(path):
    with pytest.raises(TypeError):
        Keystore.create(path, b"bytes passphrase", kdf=FAST)  # type: ignore[arg-type]


def test_add_refuses_existing_name(store, path):
    before = path.read_bytes()
    with pytest.raises(ValueError, match="already holds"):
        store.add("issuer", b"\x02" * 32)
    assert path.read_bytes() == before
    assert store.secret("issuer") == SEED


def test_add_secret_not_bytes_is_type_error(store):
    with pytest.raises(TypeError):
        store.add("x", SEED.hex())


@pytest.mark.parametrize("name", ["", "a\nb", "x" * 129])
def test_add_bad_name_is_value_error(store, name):
    with pytest.raises(ValueError, match="key name"):
        store.add(name, SEED)


def test_add_empty_secret_is_value_error(store):
    with pytest.raises(ValueError, match="secret"):
        store.add("empty", b"")


def test_unknown_name_is_key_not_found(store, path):
    with pytest.raises(KeyNotFoundError, match="nope") as info:
        store.secret("nope")
    assert str(path) in str(info.value)
    assert "issuer" in info.value.hint


def test_for_tests_is_the_cheapest_accepted_cost():
    assert KdfParams.for_tests() == KdfParams(opslimit=2, memlimit=64 * 1024**2)


def test_kdf_params_out_of_range_is_value_error():
    with pytest.raises(ValueError, match="opslimit"):
        KdfParams(opslimit=1, memlimit=64 * 1024**2)
    with pytest.raises(ValueError, match="memlimit"):
        KdfParams(opslimit=3, memlimit=8 * 1024**2)


# --- W01 wrong passphrase -------------------------------------------------------------


def test_wrong_passphrase_changes_nothing_and_retry_works(store, path):
    before = path.read_bytes()
    with pytest.raises(WrongPassphraseError) as info:
        Keystore.open(path, OTHER)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert Keystore.open(path, PASS).secret("issuer") == SEED


def test_open_missing_file_is_not_found(path):
    with pytest.raises(WalletNotFoundError) as info:
        Keystore.open(path, PASS)
    assert str(path) in str(info.value)


# --- W02 truncation, W03 bit flips ----------------------------------------------------


@pytest.mark.parametrize("keep", [0.5, 0.0], ids=["half", "empty"])
def test_truncated_file_is_corrupt_naming_it(store, path, keep):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(WalletCorruptError) as info:
        Keystore.open(path, PASS)
    assert str(path) in str(info.value)


def _offset(part: str, size: int) -> int:
    return {
        "magic": 0,
        "version": 8,
        "opslimit": OPSLIMIT.start,
        "salt": SALT.start + 5,
        "nonce": NONCE.start + 7,
        "length": 63,
        "tag": TAG_START + 3,
        "ciphertext": TAG_START + 16 + 2,
        "checksum": size - 5,
    }[part]


@pytest.mark.parametrize(
    "part",
    ["magic", "version", "opslimit", "salt", "nonce", "length", "tag", "ciphertext", "checksum"],
)
def test_one_bit_flipped_is_corrupt(store, path, part):
    flip_bit(path, _offset(part, path.stat().st_size))
    with pytest.raises(WalletCorruptError) as info:
        Keystore.open(path, PASS)
    assert str(path) in str(info.value)


def test_tampered_ciphertext_with_fixed_checksum_is_refused_by_the_tag(store, path):
    body = bytearray(path.read_bytes()[:-32])
    body[TAG_START + 20] ^= 0x01
    rewrite_with_checksum(path, bytes(body))
    with pytest.raises(WrongPassphraseError):
        Keystore.open(path, PASS)


def test_appended_bytes_are_corrupt(store, path):
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(WalletCorruptError):
        Keystore.open(path, PASS)


def test_a_backup_file_is_not_a_keystore(path):
    from wallet.backup import write_backup

    write_backup(path, PASS, {"keystore": b"x"}, kdf=FAST)
    with pytest.raises(WalletCorruptError, match="not a laurel keystore"):
        Keystore.open(path, PASS)


# --- W04 KDF parameters ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (MEMLIMIT, struct.pack(">Q", 64 * 1024**3)),
        (MEMLIMIT, struct.pack(">Q", 8 * 1024**2)),
        (OPSLIMIT, struct.pack(">I", 1)),
        (OPSLIMIT, struct.pack(">I", 0xFFFFFFFF)),
    ],
    ids=["memlimit-64GiB", "memlimit-8MiB", "opslimit-1", "opslimit-huge"],
)
def test_kdf_params_out_of_range_are_refused_before_the_kdf(store, path, field, value):
    body = bytearray(path.read_bytes()[:-32])
    body[field] = value
    rewrite_with_checksum(path, bytes(body))
    with pytest.raises(WalletCorruptError, match="KDF parameters out of range"):
        Keystore.open(path, PASS)


# --- W07 permissions ------------------------------------------------------------------


def test_umask_000_at_create_still_gives_0600(path):
    with umask(0):
        Keystore.create(path, PASS, {"issuer": SEED}, kdf=FAST)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_0644_file_at_open_is_refused(store, path):
    os.chmod(path, 0o644)
    with pytest.raises(UnsafePermissionsError) as info:
        Keystore.open(path, PASS)
    assert str(path) in str(info.value)


# --- passphrase change ----------------------------------------------------------------


def test_change_passphrase_old_fails_new_works(store, path):
    old_salt = path.read_bytes()[SALT]
    store.change_passphrase(OTHER, kdf=FAST)
    assert path.read_bytes()[SALT] != old_salt
    with pytest.raises(WrongPassphraseError):
        Keystore.open(path, PASS)
    assert Keystore.open(path, OTHER).secret("issuer") == SEED


def test_add_after_change_passphrase_uses_the_new_one(store, path):
    store.change_passphrase(OTHER, kdf=FAST)
    store.add("second", b"\x02" * 32)
    assert Keystore.open(path, OTHER).names() == ["issuer", "second"]


def test_short_new_passphrase_is_value_error(store, path):
    before = path.read_bytes()
    with pytest.raises(ValueError, match="8 characters"):
        store.change_passphrase("short", kdf=FAST)
    assert path.read_bytes() == before


# --- W08 write failures ---------------------------------------------------------------


def test_read_only_folder_during_add_keeps_original(store, path):
    before = path.read_bytes()
    with read_only(path.parent), pytest.raises(WalletError, match="could not write") as info:
        store.add("second", b"\x02" * 32)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert store.names() == ["issuer"]
    assert Keystore.open(path, PASS).names() == ["issuer"]


def test_file_replaced_since_open_is_not_overwritten(store, path):
    other = Keystore.open(path, PASS)
    other.add("from-elsewhere", b"\x03" * 32)
    with pytest.raises(WalletError, match="changed since it was opened"):
        store.add("second", b"\x02" * 32)
    assert Keystore.open(path, PASS).names() == ["from-elsewhere", "issuer"]


# --- W10 secrets never leak -----------------------------------------------------------


def test_secrets_not_in_repr_messages_or_file(store, path):
    pair = Ed25519KeyPair.from_seed(SEED)
    needles = [
        SEED.hex(),
        SEED.hex().upper(),
        pair.export_private_key_unencrypted(),
        PASS,
    ]
    texts = [repr(store), str(store)]
    for make in (
        lambda: Keystore.open(path, OTHER),
        lambda: store.secret("missing"),
        lambda: store.add("issuer", SEED),
    ):
        with pytest.raises(Exception) as info:  # noqa: PT011 - each raises its own type
            make()
        texts += [str(info.value), getattr(info.value, "hint", "")]
    assert "issuer" in repr(store)
    assert str(path) in repr(store)
    for text in texts:
        for needle in needles:
            assert needle not in text
    raw = path.read_bytes()
    for blob in [SEED, *(needle.encode() for needle in needles)]:
        assert blob not in raw


# --- defaults -------------------------------------------------------------------------


@pytest.mark.slow
def test_moderate_is_the_default(path):
    assert KdfParams.moderate() == KdfParams(opslimit=3, memlimit=256 * 1024**2)
    Keystore.create(path, PASS, {"issuer": SEED})
    data = path.read_bytes()
    assert struct.unpack(">I", data[OPSLIMIT])[0] == 3
    assert struct.unpack(">Q", data[MEMLIMIT])[0] == 256 * 1024**2
    assert Keystore.open(path, PASS).secret("issuer") == SEED
