"""A copy of laurel's source without its compiled modules, to run it as Python beside them.

setup.py compiles C (vc/_jcs.c, vc/_base58.c, vc/_json.c) and, with mypyc, the modules
listed in pyproject.toml; their .so files sit beside the source and win at import. Run
from this copy (as its working directory), the same source runs as Python: bench.compare
measures what compiling buys, and fuzz.run keeps atheris's coverage guidance (it
instruments Python bytecode, which a compiled module no longer has).

A C module has no Python source to copy, and the editable install's finder would find it
in the installed tree: the copy holds a stand-in for each that refuses to import, so the
Python paths run, as in an install without a compiler.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The packages copied: laurel's, and the benchmark and fuzzing tools that import them.
PACKAGES = ("vc", "verifier", "wallet", "anchor", "cli", "ui", "laurel_demo", "bench", "fuzz")


def pure_source(target: Path) -> Path:
    """`target`, made afresh: laurel's packages without compiled modules or caches."""
    shutil.rmtree(target, ignore_errors=True)
    skip = shutil.ignore_patterns("*.so", "__pycache__", "results", "node", "node_modules")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package, ignore=skip)
    for source in sorted((ROOT / "vc").glob("*.c")):
        (target / "vc" / f"{source.stem}.py").write_text(
            f'raise ImportError("laurel as Python: {source.name} is not built here")\n'
        )
    return target
