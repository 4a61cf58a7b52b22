from __future__ import annotations

import contextlib
import os
import resource
import signal
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.wallet.conftest import umask
from wallet.atomic import check_private, ensure_private_dir, write_atomic
from wallet.errors import UnsafePermissionsError, WalletError, WalletExistsError


@contextlib.contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """A real "disk full": writes past `limit` bytes fail with EFBIG (works as root too)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_creates_file_with_contents_and_0600(tmp_path):
    target = tmp_path / "f"
    write_atomic(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert mode_of(target) == 0o600


def test_write_replaces_existing_file(tmp_path):
    target = tmp_path / "f"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_write_under_umask_000_is_still_0600(tmp_path):
    target = tmp_path / "f"
    with umask(0):
        write_atomic(target, b"x")
    assert mode_of(target) == 0o600


def test_write_under_narrow_umask_gets_exact_mode(tmp_path):
    target = tmp_path / "f"
    with umask(0o277):
        write_atomic(target, b"x")
    assert mode_of(target) == 0o600


def test_exclusive_write_refuses_existing_file(tmp_path):
    target = tmp_path / "f"
    target.write_bytes(b"old")
    with pytest.raises(WalletExistsError, match="already exists"):
        write_atomic(target, b"new", exclusive=True)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_exclusive_write_creates_new_file(tmp_path):
    target = tmp_path / "f"
    write_atomic(target, b"new", exclusive=True)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_disk_full_keeps_original_and_removes_temp(tmp_path):
    target = tmp_path / "f"
    target.write_bytes(b"original")
    with file_size_limit(1024), pytest.raises(WalletError) as info:
        write_atomic(target, b"x" * 4096)
    assert str(target) in str(info.value)
    assert isinstance(info.value.__cause__, OSError)
    assert target.read_bytes() == b"original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_missing_folder_is_a_wallet_error(tmp_path):
    target = tmp_path / "absent" / "f"
    with pytest.raises(WalletError, match="could not write") as info:
        write_atomic(target, b"x")
    assert str(target) in str(info.value)


def test_replace_onto_a_folder_keeps_it_and_removes_temp(tmp_path):
    target = tmp_path / "d"
    target.mkdir()
    with pytest.raises(WalletError, match="could not write"):
        write_atomic(target, b"x")
    assert target.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_write_rejects_str(tmp_path):
    with pytest.raises(TypeError):
        write_atomic(tmp_path / "f", "text")  # type: ignore[arg-type]


def test_ensure_private_dir_under_umask_000_is_0700(tmp_path):
    home = tmp_path / "a" / "home"
    with umask(0):
        ensure_private_dir(home)
    assert mode_of(home) == 0o700


def test_ensure_private_dir_leaves_existing_folder(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o750)
    os.chmod(home, 0o750)  # noqa: S103 - the point: an existing mode is left alone
    ensure_private_dir(home)
    assert mode_of(home) == 0o750


def test_ensure_private_dir_refuses_a_file(tmp_path):
    home = tmp_path / "home"
    home.write_bytes(b"")
    with pytest.raises(WalletError, match="not a folder"):
        ensure_private_dir(home)


def test_check_private_accepts_0600_and_0700(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"")
    os.chmod(f, 0o600)
    d = tmp_path / "d"
    d.mkdir()
    os.chmod(d, 0o700)
    check_private(f)
    check_private(d)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o602, 0o610])
def test_check_private_refuses_shared_file(tmp_path, mode):
    f = tmp_path / "keystore"
    f.write_bytes(b"")
    os.chmod(f, mode)
    with pytest.raises(UnsafePermissionsError) as info:
        check_private(f)
    assert str(f) in str(info.value)


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o701])
def test_check_private_refuses_shared_folder(tmp_path, mode):
    d = tmp_path / "home"
    d.mkdir()
    os.chmod(d, mode)
    with pytest.raises(UnsafePermissionsError, match="folder") as info:
        check_private(d)
    assert str(d) in str(info.value)


def test_check_private_on_missing_path_is_a_wallet_error(tmp_path):
    with pytest.raises(WalletError, match="could not examine"):
        check_private(tmp_path / "absent")
