"""The cache folder: private files only, read back only while they are still private."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import badge
from tests.conftest import REPO
from vc import cachedir
from vc.schema import _validators


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


def test_the_compiled_schema_is_kept_and_a_damaged_copy_is_made_again(cache_dir: Path) -> None:
    document = badge()
    document["proof"] = [document["proof"]]  # the schema's own shape: a list of proofs
    code = _validators._compile("achievement")
    assert code(document)
    kept = list(cache_dir.glob("schema-*.pyc"))
    assert len(kept) == 1
    kept[0].write_bytes(b"\x00 not marshal data")
    assert _validators._compile("achievement")(document)  # made again, still right
    assert kept[0].read_bytes() != b"\x00 not marshal data"
    broken = dict(document)
    broken.pop("credentialSubject")
    assert not _validators._compile("achievement")(broken)


def test_a_second_process_uses_the_kept_schema(cache_dir: Path) -> None:
    script = (
        "import time\n"
        "from vc.schema import _validators\n"
        "import fastjsonschema\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError('compiled again')\n"
        "fastjsonschema.compile_to_code = refuse\n"
        "_validators._compile('achievement')\n"
    )
    _validators._compile("achievement")
    env = {**os.environ, "LAUREL_CACHE_DIR": str(cache_dir)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
