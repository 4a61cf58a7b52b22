"""Where scripts/node-tools put the npm tools: solc-js and the anvil binary.

A missing tool fails the test that needs it, never skips it: CI runs every test.
"""

from __future__ import annotations

import platform
import shutil
import sys
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
TOOLS = REPO / ".tools" / "node_modules"

_ANVIL_PACKAGES = {
    ("linux", "x86_64"): "anvil-linux-amd64",
    ("linux", "aarch64"): "anvil-linux-arm64",
    ("darwin", "x86_64"): "anvil-darwin-amd64",
    ("darwin", "arm64"): "anvil-darwin-arm64",
}


def _missing(what: str) -> NoReturn:
    pytest.fail(f"{what} is missing: run scripts/node-tools", pytrace=False)


def anvil_binary() -> Path:
    """The anvil binary shipped inside its npm platform package."""
    package = _ANVIL_PACKAGES.get((sys.platform, platform.machine()))
    if package is None:
        pytest.fail(f"no anvil package for {sys.platform}/{platform.machine()}", pytrace=False)
    path = TOOLS / "@foundry-rs" / package / "bin" / "anvil"
    if not path.is_file():
        _missing(str(path))
    return path


def solc_dir() -> Path:
    """The node_modules folder holding solc-js (what anchor/contracts/compile.mjs takes)."""
    if not (TOOLS / "solc" / "package.json").is_file():
        _missing(f"solc in {TOOLS}")
    return TOOLS


def node_binary() -> str:
    """The `node` on PATH."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: install Node.js 20+, then run scripts/node-tools")
    return node
