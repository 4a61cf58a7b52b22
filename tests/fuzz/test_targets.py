"""The fuzz targets (fuzz/targets/) stay runnable, and every saved crash stays fixed.

Each target's seeds go through its `fuzz` function, and so does every input under
fuzz/regressions/<target>/: each must return or raise one of the target's EXPECTED
errors (its named refusals), nothing else. The coverage-guided runs themselves are
`python -m fuzz.run TARGET --minutes N` (atheris), not part of the test run.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from pathlib import Path

import pytest

import fuzz.targets

REPO = Path(__file__).resolve().parents[2]
TARGETS = sorted(m.name for m in pkgutil.iter_modules(fuzz.targets.__path__))


def _inputs() -> list[tuple[str, str, bytes]]:
    found = []
    for name in TARGETS:
        target = importlib.import_module(f"fuzz.targets.{name}")
        found += [(name, f"seed-{n}", seed) for n, seed in enumerate(target.seeds())]
        folder = REPO / "fuzz" / "regressions" / name
        if folder.is_dir():
            found += [(name, path.name, path.read_bytes()) for path in sorted(folder.iterdir())]
    return found


def test_every_parser_of_untrusted_bytes_has_a_target() -> None:
    assert set(TARGETS) >= {
        "jsontext",
        "json_native",
        "envelope",
        "request",
        "multibase",
        "did",
        "status",
        "baking",
    }


@pytest.mark.parametrize(
    ("name", "label", "data"), _inputs(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_input_is_handled(name: str, label: str, data: bytes) -> None:
    target = importlib.import_module(f"fuzz.targets.{name}")
    with contextlib.suppress(target.EXPECTED):
        target.fuzz(data)
