"""The side-by-side corpus: Open Badges 3.0 signed by Digital Bazaar's stack.

`corpus()` runs bench/node/corpus.js (random did:key issuers, content shaped like
laurel's demo badge) and caches the files under bench/results/corpus-<key>/, the key
hashing the generator, the lock file and the counts; `fresh=True` writes them to a
new temporary directory instead.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "bench" / "node"
RESULTS = ROOT / "bench" / "results"
OPENVC_PYTHON = RESULTS / "openvc-venv" / "bin" / "python"


def require_reference() -> None:
    """Stop with a clear message unless bench/setup installed Digital Bazaar's stack."""
    if shutil.which("node") is None:
        raise SystemExit("node is not on PATH: the side by side needs Node.js 20 (see bench/setup)")
    if not (NODE / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        raise SystemExit("Digital Bazaar's stack is not installed: run bench/setup")


def node_version() -> str:
    """`node --version`, or 'none'."""
    if shutil.which("node") is None:
        return "none"
    out = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or "unknown"


def corpus(n_jcs: int = 2000, n_rdfc: int = 300, *, fresh: bool = False) -> Path:
    """A directory of `n_jcs` jcs-NNNN.json and `n_rdfc` rdfc-NNNN.json signed badges."""
    require_reference()
    digest = hashlib.sha256(f"{n_jcs},{n_rdfc}".encode())
    for name in ("corpus.js", "reference.js", "package-lock.json"):
        digest.update((NODE / name).read_bytes())
    if fresh:
        target = Path(tempfile.mkdtemp(prefix="laurel-bench-corpus-"))
    else:
        target = RESULTS / f"corpus-{digest.hexdigest()[:12]}"
        if (target / "DONE").exists():
            return target
        shutil.rmtree(target, ignore_errors=True)
    subprocess.run(
        ["node", str(NODE / "corpus.js"), str(target), str(n_jcs), str(n_rdfc)],
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=1800,
    )
    (target / "DONE").write_text("complete\n", encoding="utf-8")
    return target
