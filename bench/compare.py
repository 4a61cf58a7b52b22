"""Side by side: laurel's full verification, Digital Bazaar's vc 7, openvc-core, the limit.

Every implementation is one process (bench/loop.py's protocol) over the same corpus
signed by Digital Bazaar's stack (bench/corpus.py). Each loads the files into memory
and verifies every one once before any timing (start-up, imports, JIT and caches
are never in a figure; that first pass is also the corpus check: a file one of them
does not verify is reported by name). Then rounds alternate the order of the
figures (A B C, C B A, ...) so that drift on the shared machine favours none; the
median round is the figure, and the per-round ratios show the noise.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus import NODE, OPENVC_PYTHON, ROOT, node_version
from bench.pure import pure_source

#: (numerator, denominator, target, what it promises) — issue 16's targets.
RATIOS = (
    ("laurel jcs", "Digital Bazaar jcs", 3.0, "full verify jcs vs Digital Bazaar"),
    ("laurel jcs", "crypto limit jcs", 0.6, "full verify jcs vs the crypto limit"),
    ("laurel rdfc", "Digital Bazaar rdfc", 5.0, "full verify rdfc vs Digital Bazaar"),
    ("laurel jcs", "openvc-core jcs", 1.0, "full verify jcs vs openvc-core's loop"),
)
#: What the compiled modules buy (no target: the same answers either way).
NATIVE = (("laurel jcs", "laurel, as Python jcs"), ("laurel rdfc", "laurel, as Python rdfc"))


@dataclass
class Worker:
    """One implementation's process, answering `run SUITE SECONDS`."""

    name: str
    argv: list[str]
    suites: tuple[str, ...]
    failures: dict[str, list[str]] = field(default_factory=dict)
    process: subprocess.Popen[str] | None = None
    cwd: Path = ROOT

    def start(self) -> None:
        """Start the process (its first pass over the corpus runs meanwhile)."""
        self.process = subprocess.Popen(
            self.argv, cwd=self.cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def wait_ready(self) -> None:
        """Wait for the first pass; keep what it did not verify."""
        self.failures = self._read()["failures"]

    def rate(self, suite: str, seconds: float) -> float:
        """Verifications per second over one round of `seconds`."""
        assert self.process is not None
        assert self.process.stdin is not None
        self.process.stdin.write(f"run {suite} {seconds}\n")
        self.process.stdin.flush()
        answer = self._read()
        if answer["failures"]:
            raise SystemExit(f"{self.name} failed {answer['failures']} verifications in a round")
        return float(answer["count"]) / float(answer["seconds"])

    def stop(self) -> None:
        """Ask the process to quit, and make sure it did."""
        if self.process is None:
            return
        try:
            if self.process.stdin is not None:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()

    def _read(self) -> dict[str, Any]:
        assert self.process is not None
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.name} worker exited (exit status {self.process.poll()})")
        answer: dict[str, Any] = json.loads(line)
        return answer


def workers(*, with_openvc: bool = True) -> list[Worker]:
    """laurel (compiled, and as Python), Digital Bazaar, the limit, openvc-core if set up."""
    python = sys.executable
    found = [
        Worker("laurel", [python, "-m", "bench.workers", "laurel"], ("jcs", "rdfc")),
        Worker(
            "laurel, as Python",
            [python, "-m", "bench.workers", "laurel"],
            ("jcs", "rdfc"),
            cwd=pure_source(ROOT / "bench" / "results" / "pure-source"),
        ),
        Worker("Digital Bazaar", ["node", str(NODE / "worker.js")], ("jcs", "rdfc")),
        Worker("crypto limit", [python, "-m", "bench.workers", "limit"], ("jcs",)),
    ]
    if with_openvc and OPENVC_PYTHON.exists():
        found.append(
            Worker("openvc-core", [str(OPENVC_PYTHON), "-m", "bench.openvc_worker"], ("jcs",))
        )
    return found


@dataclass
class Comparison:
    """Per-round rates by figure ("laurel jcs", ...), what was not verified, and by whom."""

    rounds: dict[str, list[float]]
    failures: dict[str, dict[str, list[str]]]
    corpus_sizes: dict[str, int]

    def median(self, figure: str) -> float | None:
        """The median round of a figure (None when it was not measured)."""
        values = self.rounds.get(figure)
        return statistics.median(values) if values else None

    def ratio(self, top: str, bottom: str) -> tuple[float, float, float] | None:
        """Ratio of the medians, and the lowest and highest ratio within one round."""
        if not self.rounds.get(top) or not self.rounds.get(bottom):
            return None
        per_round = [a / b for a, b in zip(self.rounds[top], self.rounds[bottom], strict=True)]
        return self.median(top) / self.median(bottom), min(per_round), max(per_round)  # type: ignore[operator]


def compare(
    directory: Path, rounds: int, seconds: float, *, with_openvc: bool = True
) -> Comparison:
    """Run every worker over `directory` in alternating rounds."""
    started = workers(with_openvc=with_openvc)
    for worker in started:
        worker.argv.append(str(directory))
        worker.start()
    try:
        for worker in started:
            worker.wait_ready()
        figures = [(w, s) for s in ("jcs", "rdfc") for w in started if s in w.suites]
        per_round: dict[str, list[float]] = {f"{w.name} {s}": [] for w, s in figures}
        for number in range(rounds):
            for worker, suite in figures if number % 2 == 0 else reversed(figures):
                per_round[f"{worker.name} {suite}"].append(worker.rate(suite, seconds))
    finally:
        for worker in started:
            worker.stop()
    sizes = {s: len(list(directory.glob(f"{s}-*.json"))) for s in ("jcs", "rdfc")}
    return Comparison(per_round, {w.name: w.failures for w in started}, sizes)


def openvc_version() -> str:
    """The openvc-core version in the throwaway venv, or 'not set up'."""
    if not OPENVC_PYTHON.exists():
        return "not set up"
    out = subprocess.run(
        [
            str(OPENVC_PYTHON),
            "-c",
            "import importlib.metadata as m; print(m.version('openvc-core'))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or "unknown"


def render(result: Comparison, rounds: int, seconds: float) -> list[str]:
    """The side by side as printed lines (also the markdown of REPORT.md, in a code block)."""
    sizes = result.corpus_sizes
    lines = [
        f"side by side: {sizes['jcs']:,} eddsa-jcs-2022 + {sizes['rdfc']:,} eddsa-rdfc-2022 Open Badges"
        " signed by Digital Bazaar's stack, a random did:key issuer each;",
        f"one process each, start-up excluded; median of {rounds} alternating rounds of {seconds:g} s",
        "",
        f"{'figure':48} {'jcs/s':>8} {'rdfc/s':>8}   rounds min..max",
    ]
    labels = {
        "laurel": "laurel full verify (as `verify --json`)",
        "laurel, as Python": "  the same, as Python (nothing compiled)",
        "Digital Bazaar": f"Digital Bazaar vc 7 (node {node_version()})",
        "crypto limit": "crypto limit (json + rfc8785 + libsodium)",
        "openvc-core": f"openvc-core {openvc_version()} (its default policy)",
    }
    for name, label in labels.items():
        cells, spread = [], []
        for suite in ("jcs", "rdfc"):
            values = result.rounds.get(f"{name} {suite}")
            cells.append(f"{statistics.median(values):8,.0f}" if values else f"{'-':>8}")
            if values:
                spread.append(f"{suite} {min(values):,.0f}..{max(values):,.0f}")
        if name == "openvc-core" and not any(result.rounds.get(f"{name} {s}") for s in ("jcs",)):
            lines.append(f"{label:48} {'not set up (bench/setup)':>17}")
            continue
        lines.append(f"{label:48} {cells[0]} {cells[1]}   {', '.join(spread)}")
    lines += ["", f"{'ratio':40} {'value':>6}   {'rounds':>11}   target"]
    for top, bottom, target, what in RATIOS:
        found = result.ratio(top, bottom)
        if found is None:
            lines.append(f"{what:40} {'-':>6}   {'':>11}   >= {target:g}x  not measured")
            continue
        value, low, high = found
        verdict = "meets" if value >= target else "MISSES"
        lines.append(
            f"{what:40} {value:5.2f}x   {low:4.2f}..{high:4.2f}   >= {target:g}x  {verdict}"
        )
    for top, bottom in NATIVE:
        found = result.ratio(top, bottom)
        if found is not None:
            value, low, high = found
            what = f"compiled vs as Python, {top.split()[-1]}"
            lines.append(f"{what:40} {value:5.2f}x   {low:4.2f}..{high:4.2f}")
    lines += [
        "",
        "what each verifies: laurel every check (format with JSON-LD terms, proof, issuer,",
        "  validity, status, anchor, Open Badges schema, trust); Digital Bazaar vc.verifyCredential",
        "  (the proof with did:key and the assertionMethod purpose, issuer = key controller, type,",
        "  issuer and validFrom/validUntil; JSON-LD safe mode only in rdfc's canonicalization);",
        "  openvc-core verify_credential (the proof with did:key and the purpose, issuer = key",
        "  controller, validity window; no JSON-LD terms, no schema); the limit no check at all.",
        "",
        "corpus check (the first pass of each process over every file):",
    ]
    for name, failures in result.failures.items():
        for suite, failed in failures.items():
            total = sizes[suite]
            line = f"  {name:16} {suite:5} verified {total - len(failed):,}/{total:,}"
            lines.append(line + ("" if not failed else f"  NOT VERIFIED: {'; '.join(failed[:3])}"))
    return lines
