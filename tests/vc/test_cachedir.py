"""The cache folder: private files only, read back only while they are still private."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vc import cachedir


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAUREL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_written_file_is_private_and_read_back(cache_dir: Path) -> None:
    path = cache_dir / "x.bin"
    cachedir.write_private(path, b"data")
    assert cachedir.read_private(path) == b"data"
    assert path.stat().st_mode & 0o077 == 0


def test_a_file_others_can_write_is_not_read(cache_dir: Path) -> None:
    # Cache poisoning: whatever another account could have written is never used.
    path = cache_dir / "x.bin"
    cachedir.write_private(path, b"data")
    os.chmod(path, 0o666)  # noqa: S103 (the attack: a file others could have written)
    assert cachedir.read_private(path) is None


def test_a_symlink_is_not_followed(cache_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_bytes(b"data")
    cache_dir.mkdir()
    (cache_dir / "x.bin").symlink_to(target)
    assert cachedir.read_private(cache_dir / "x.bin") is None


def test_an_empty_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAUREL_CACHE_DIR", "")
    assert cachedir.folder() is None
