"""tests/vectors/ is what its SOURCES.md records: every file named, with the bytes recorded.

The byte-for-byte tests (bundled contexts and schema == the vectors) compare laurel's copies
with these files; this pins the files themselves to the record of where they came from, so
neither side can change alone.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.conftest import VECTORS

SOURCES = VECTORS / "SOURCES.md"
ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| .+ \| `(?P<sha256>[0-9a-f]{64})` \|$")


def _recorded() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            assert match["file"] not in rows, f"{match['file']} is listed twice"
            rows[match["file"]] = match["sha256"]
    return rows


def _answered_elsewhere(relative: str) -> bool:
    """Whether a subfolder with its own SOURCES.md (e.g. formats/) records this file."""
    parts = relative.split("/")[:-1]
    return any(
        (VECTORS.joinpath(*parts[:n]) / "SOURCES.md").is_file() for n in range(1, len(parts) + 1)
    )


def _on_disk() -> list[str]:
    return sorted(
        path.relative_to(VECTORS).as_posix()
        for path in VECTORS.rglob("*")
        if path.is_file() and path != SOURCES
    )


def test_sources_lists_the_vectors_the_tests_read():
    rows = _recorded()
    assert len(rows) > 200
    for name in ("contexts/INDEX.json", "vc-di-eddsa/keyPair.json", "openbadges3/schema"):
        assert any(row.startswith(name) for row in rows), name


def test_every_vector_has_a_recorded_source():
    rows = _recorded()
    unrecorded = [p for p in _on_disk() if p not in rows and not _answered_elsewhere(p)]
    assert unrecorded == [], "add these to tests/vectors/SOURCES.md with their origin"


def test_every_recorded_vector_exists():
    missing = [name for name in _recorded() if not (VECTORS / name).is_file()]
    assert missing == []


@pytest.mark.parametrize(("name", "sha256"), sorted(_recorded().items()), ids=sorted(_recorded()))
def test_vector_is_the_recorded_copy(name, sha256):
    assert hashlib.sha256((VECTORS / name).read_bytes()).hexdigest() == sha256
