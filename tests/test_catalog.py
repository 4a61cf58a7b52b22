"""docs/SECURITY.md's attack catalog and the tests agree.

Each row names the tests that build it (`FILE::FUNCTION` under tests/, `test_x_*` for a
prefix). A name that no longer exists, or an attack test under tests/attacks/ that its
row does not name, means the catalog has drifted from the suite (seven rows once said
"not yet" for tests that had landed).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "docs" / "SECURITY.md"
TESTS = ROOT / "tests"

_ROW = re.compile(r"^\| ([A-Z]\d\d) \|(.*)\|\s*$")
_REFERENCE = re.compile(r"`([a-z0-9_/]+\.py)(?:::([A-Za-z0-9_]+\*?))?(?:\[[^\]`]*\])?`")


def _rows() -> dict[str, str]:
    """Catalog id -> its test column (the row's last cell)."""
    rows: dict[str, str] = {}
    for line in CATALOG.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            rows[match[1]] = match[2].rsplit("|", 1)[-1]
    return rows


def _references() -> list[tuple[str, str, str | None]]:
    return [
        (row, path, name)
        for row, cell in _rows().items()
        for path, name in _REFERENCE.findall(cell)
        if (path, name) != ("", "")
    ]


def test_the_catalog_is_read() -> None:
    rows = _rows()
    assert len(rows) >= 130
    assert {"C01", "X05", "Q08"} <= set(rows)


@pytest.mark.parametrize(
    ("row", "path", "name"), _references(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_test_the_catalog_names_exists(row: str, path: str, name: str | None) -> None:
    file = TESTS / path
    assert file.is_file(), f"{row} names tests/{path}, which does not exist"
    if not name:
        return
    source = file.read_text(encoding="utf-8")
    prefix = name.rstrip("*")
    tail = "" if name.endswith("*") else r"\("
    pattern = rf"^\s*(?:async )?def {re.escape(prefix)}{tail}"
    assert re.search(pattern, source, re.MULTILINE), (
        f"{row} names {path}::{name}, not defined there"
    )


def test_every_attack_test_file_is_named_by_its_rows() -> None:
    rows = _rows()
    missing = []
    for file in sorted((TESTS / "attacks").glob("test_*.py")):
        ids = re.findall(r"(?<=_)([a-z]\d\d)(?=_)", "_" + file.stem.removeprefix("test_"))
        for row in (i.upper() for i in ids):
            if row in rows and f"attacks/{file.name}" not in rows[row]:
                missing.append(f"{row}: attacks/{file.name}")
    assert not missing, "catalog rows that do not name their attack test: " + ", ".join(missing)
