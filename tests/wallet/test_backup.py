from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

import pytest

from wallet.backup import read_backup, write_backup
from wallet.errors import (
    BackupCorruptError,
    WalletError,
    WalletExistsError,
    WrongPassphraseError,
)
from wallet.keystore import KdfParams, Keystore

PASS = "correct horse battery"
FAST = KdfParams.interactive()
SEED = bytes(range(32))
DB = b"SQLite format 3\x00" + b"badge: Jane Doe, Rust 101; " * 20
MEMBERS = {"keystore": b"sealed keystore bytes " + SEED, "wallet.db": DB, "empty": b""}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "wallet.laurel-backup"


@pytest.fixture
def backup(path: Path) -> Path:
    write_backup(path, PASS, MEMBERS, kdf=FAST)
    return path


def test_round_trip(backup):
    assert read_backup(backup, PASS) == MEMBERS


def test_round_trip_of_a_real_keystore_file(tmp_path, path):
    ks_path = tmp_path / "keystore"
    Keystore.create(ks_path, PASS, {"issuer": SEED}, kdf=FAST)
    write_backup(path, PASS, {"keystore": ks_path.read_bytes()}, kdf=FAST)
    restored = tmp_path / "restored"
    restored.write_bytes(read_backup(path, PASS)["keystore"])
    restored.chmod(0o600)
    assert Keystore.open(restored, PASS).secret("issuer") == SEED


def test_backup_is_0600_with_no_leftovers(backup):
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert [p.name for p in backup.parent.iterdir()] == [backup.name]


def test_refuses_to_overwrite(backup):
    before = backup.read_bytes()
    with pytest.raises(WalletExistsError) as info:
        write_backup(backup, PASS, {"other": b"x"}, kdf=FAST)
    assert str(backup) in str(info.value)
    assert backup.read_bytes() == before


def test_wrong_passphrase(backup):
    with pytest.raises(WrongPassphraseError) as info:
        read_backup(backup, "incorrect donkey")
    assert str(backup) in str(info.value)
    assert read_backup(backup, PASS) == MEMBERS


def test_every_single_byte_change_is_refused(backup):
    # W09: one byte changed anywhere, header, ciphertext or checksum.
    data = backup.read_bytes()
    for offset in range(len(data)):
        tampered = bytearray(data)
        tampered[offset] ^= 0xFF
        backup.write_bytes(bytes(tampered))
        with pytest.raises(BackupCorruptError):
            read_backup(backup, PASS)


@pytest.mark.parametrize("keep", [0.5, 0.0], ids=["half", "empty"])
def test_truncated_backup_is_refused(backup, keep):
    data = backup.read_bytes()
    backup.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(BackupCorruptError) as info:
        read_backup(backup, PASS)
    assert str(backup) in str(info.value)


def test_kdf_params_out_of_range_refused(backup):
    body = bytearray(backup.read_bytes()[:-32])
    body[14:22] = (64 * 1024**3).to_bytes(8, "big")
    backup.write_bytes(bytes(body) + hashlib.sha256(body).digest())
    with pytest.raises(BackupCorruptError, match="KDF parameters out of range"):
        read_backup(backup, PASS)


def test_a_keystore_is_not_a_backup(tmp_path):
    ks_path = tmp_path / "keystore"
    Keystore.create(ks_path, PASS, {"issuer": SEED}, kdf=FAST)
    with pytest.raises(BackupCorruptError, match="not a laurel backup"):
        read_backup(ks_path, PASS)


def test_no_plaintext_member_content_in_file(backup):
    raw = backup.read_bytes()
    for needle in [
        b"SQLite format 3",
        b"Jane Doe",
        SEED,
        SEED.hex().encode(),
        b"sealed keystore",
        base64.b64encode(DB)[:24],
        b"wallet.db",
        PASS.encode(),
    ]:
        assert needle not in raw


@pytest.mark.parametrize("name", ["", "a/b", "../keystore", "..", ".", "a\\b", "x\x00", "a..b"])
def test_bad_member_name_is_value_error(path, name):
    with pytest.raises(ValueError, match="not a plain file name"):
        write_backup(path, PASS, {name: b"x"}, kdf=FAST)
    assert not path.exists()


def test_member_not_bytes_is_type_error(path):
    with pytest.raises(TypeError):
        write_backup(path, PASS, {"a": "text"}, kdf=FAST)  # type: ignore[dict-item]


def test_short_passphrase_is_value_error(path):
    with pytest.raises(ValueError, match="8 characters"):
        write_backup(path, "short", MEMBERS, kdf=FAST)


def test_missing_backup_is_a_wallet_error(path):
    with pytest.raises(WalletError, match="could not read"):
        read_backup(path, PASS)
