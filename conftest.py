"""The modules mypyc compiled (setup.py) are .so files beside their source.

pytest's doctest collector would import each source file as its module and find the
compiled one instead, so those files are left to tests/test_compiled.py, which runs
their examples against the compiled modules. A source newer than its compiled module
stops the run: the tests would not be testing it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
COMPILED = [
    ROOT / name
    for name in tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["laurel"][
        "compiled"
    ]
]


def binaries(source: Path) -> list[Path]:
    """The compiled modules built from `source` (none when laurel was installed as Python)."""
    return sorted(source.parent.glob(f"{source.stem}.*.so"))


collect_ignore = [str(source) for source in COMPILED if binaries(source)]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop before any test when a compiled module is older than its source."""
    stale = [
        source.relative_to(ROOT).as_posix()
        for source in COMPILED
        if any(binary.stat().st_mtime < source.stat().st_mtime for binary in binaries(source))
    ]
    if stale:
        pytest.exit(
            f"{', '.join(stale)} changed after mypyc compiled it: run scripts/bootstrap "
            "(or install with LAUREL_PURE_PYTHON=1 to run the Python source)",
            returncode=4,
        )
