"""Shared fixtures: the specifications' vectors, a fixed clock, keys."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

# Human output in English whatever the developer's locale (LANG=es_ES...); a test that
# wants Spanish says so (LAUREL_LANG=es). Children (the `laurel` command) inherit it.
os.environ["LAUREL_LANG"] = "en"

REPO = Path(__file__).resolve().parents[1]

# The compiled JSON-LD context states (vc.ldcache) of a test run stay with the run,
# in this process and in every `laurel` it starts.
os.environ.setdefault("LAUREL_CACHE_DIR", tempfile.mkdtemp(prefix="laurel-test-cache-"))
#: The specifications' vectors, fixtures and contexts, copied with their sources (SOURCES.md).
VECTORS = REPO / "tests" / "vectors"


def vector_path(name: str) -> Path:
    """Path of a committed spec vector under tests/vectors/."""
    path = VECTORS / name
    if not path.exists():
        raise FileNotFoundError(f"missing spec vector {path}")
    return path


def load_vector(name: str) -> Any:
    """A JSON spec vector, parsed."""
    return json.loads(vector_path(name).read_text(encoding="utf-8"))


@pytest.fixture
def vector():
    """`vector(name) -> Path` over tests/vectors (sigstore's `asset`)."""
    return vector_path


@pytest.fixture
def clock() -> dt.datetime:
    """A fixed, timezone-aware 'now' for verification."""
    return dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
