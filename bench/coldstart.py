"""Cold start and `--jobs`: `laurel verify` as a person or a script runs it.

Cold start is the wall time of `laurel verify ONE.json` (a process from nothing to
its verdict), beside `python -c pass` on the same interpreter in the same run
(the least any Python command costs). hyperfine runs both when it is installed
(Debian: hyperfine; bench/setup installs it), otherwise a loop alternating the two.
`--jobs N` over many inputs is timed against `--jobs 1` once laurel has the option, and
beside N independent `--jobs 1` processes on a share of the inputs each, started together:
what this machine gives N processes that share nothing (on a virtual machine, two vCPUs
busy at once each run slower than one alone).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

COLD_TARGET = 0.3
JOBS_TARGET = 1.8


@dataclass(frozen=True)
class Timing:
    """Wall times of one command over repeated runs, in seconds."""

    command: str
    median: float
    low: float
    high: float
    runs: int


def _hyperfine(commands: dict[str, list[str]], runs: int) -> list[Timing]:
    with tempfile.TemporaryDirectory(prefix="laurel-bench-cold-") as scratch:
        out = Path(scratch) / "hyperfine.json"
        argv = ["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--export-json", str(out)]
        for name, command in commands.items():
            argv += ["--command-name", name, " ".join(command)]
        subprocess.run(argv, check=True, capture_output=True, timeout=600)
        results = json.loads(out.read_text(encoding="utf-8"))["results"]
    return [
        Timing(r["command"], r["median"], min(r["times"]), max(r["times"]), len(r["times"]))
        for r in results
    ]


def _loop(commands: dict[str, list[str]], runs: int) -> list[Timing]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    order = list(commands.items())
    for number in range(runs + 3):
        for name, command in order if number % 2 == 0 else reversed(order):
            started = time.perf_counter()
            subprocess.run(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
            )
            if number >= 3:  # the first rounds warm the page cache
                times[name].append(time.perf_counter() - started)
    return [Timing(name, statistics.median(t), min(t), max(t), len(t)) for name, t in times.items()]


def cold_start(python: str, laurel: str, one: Path, runs: int) -> tuple[list[Timing], str]:
    """`python -c pass` and `laurel verify ONE`, timed the same way; and which tool timed them.

    laurel's bytecode is compiled first, as an installed laurel has it: under
    ``PYTHONDONTWRITEBYTECODE`` (set on some machines, CI among them) every module
    edited since its last ``.pyc`` would otherwise be compiled again in every run.
    """
    repo = Path(__file__).resolve().parents[1]
    packages = [str(repo / name) for name in ("cli", "vc", "verifier", "wallet", "anchor", "ui")]
    subprocess.run([python, "-m", "compileall", "-q", *packages], check=False)
    check = subprocess.run([laurel, "verify", str(one)], capture_output=True, check=False)
    if check.returncode != 0:
        raise SystemExit(f"laurel verify {one} did not verify:\n{check.stdout.decode()[-2000:]}")
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "laurel verify one.json": [laurel, "verify", str(one)],
    }
    if shutil.which("hyperfine"):
        return _hyperfine(commands, runs), "hyperfine"
    return _loop(commands, runs), "a loop (hyperfine not installed)"


def has_jobs(laurel: str) -> bool:
    """Whether `laurel verify` has the --jobs option."""
    out = subprocess.run([laurel, "verify", "--help"], capture_output=True, text=True, check=False)
    return "--jobs" in out.stdout


@dataclass(frozen=True)
class Parallel:
    """Files/s over the same inputs: one process, `--jobs <cores>`, and the machine's ceiling.

    The ceiling is `cores` independent `laurel verify --jobs 1` processes started together,
    each on its share of the files, timed until the last ends: what the machine gives that
    many processes with nothing shared (each pays its own start-up, which `--jobs` pays
    once).
    """

    one: float
    many: float
    apart: float
    cores: int

    @property
    def ratio(self) -> float:
        """`--jobs <cores>` against one process."""
        return self.many / self.one

    @property
    def ceiling(self) -> float:
        """Independent processes against one process."""
        return self.apart / self.one


def _apart(laurel: str, files: list[Path], cores: int) -> float:
    """Seconds for `cores` `--jobs 1` processes on a share of `files` each, started together."""
    shares = [files[i::cores] for i in range(cores)]
    with contextlib.ExitStack() as stack:
        outs = [stack.enter_context(tempfile.TemporaryFile()) for _ in shares]
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [laurel, "verify", "--json", "--jobs", "1", *map(str, share)], stdout=out
            )
            for share, out in zip(shares, outs, strict=True)
        ]
        codes = [proc.wait() for proc in procs]
        elapsed = time.perf_counter() - started
        lines = 0
        for out in outs:
            out.seek(0)
            lines += out.read().count(b"\n")
    if any(codes) or lines != len(files):
        raise SystemExit(f"laurel verify --jobs 1 on shares: exits {codes}, {lines} lines")
    return elapsed


def jobs(laurel: str, files: list[Path], rounds: int) -> Parallel | None:
    """`--jobs 1`, `--jobs <cores>` and the machine's ceiling (median of alternating rounds)."""
    if not has_jobs(laurel):
        return None
    cores = os.cpu_count() or 1
    argv = {n: [laurel, "verify", "--json", "--jobs", str(n), *map(str, files)] for n in (1, cores)}
    seconds: dict[str, list[float]] = {"one": [], "many": [], "apart": []}
    order = ["one", "many", "apart"]
    for number in range(rounds):
        for what in order[number % 3 :] + order[: number % 3]:
            if what == "apart":
                seconds[what].append(_apart(laurel, files, cores))
                continue
            n = 1 if what == "one" else cores
            # Into a file, as `laurel verify --json ... > verdicts.jsonl`: a pipe read here
            # would take CPU from laurel's processes once they fill every core.
            with tempfile.TemporaryFile() as out:
                started = time.perf_counter()
                done = subprocess.run(argv[n], stdout=out, check=False)
                elapsed = time.perf_counter() - started
                out.seek(0)
                lines = out.read().count(b"\n")
            if done.returncode != 0 or lines != len(files):
                raise SystemExit(f"laurel verify --jobs {n}: exit {done.returncode}, {lines} lines")
            seconds[what].append(elapsed)
    one, many, apart = (len(files) / statistics.median(seconds[what]) for what in order)
    return Parallel(one=one, many=many, apart=apart, cores=cores)


def render(timings: list[Timing], how: str, parallel: Parallel | None, n_files: int) -> list[str]:
    """Cold start and --jobs as printed lines."""
    base, laurel = timings
    lines = [
        f"cold start ({how}, {laurel.runs} runs each, median; min..max)",
        f"{base.command:32} {base.median * 1000:7.0f} ms   {base.low * 1000:.0f}..{base.high * 1000:.0f}",
        f"{laurel.command:32} {laurel.median * 1000:7.0f} ms   {laurel.low * 1000:.0f}..{laurel.high * 1000:.0f}"
        f"   ({(laurel.median - base.median) * 1000:.0f} ms above python)",
        f"cold start <= {COLD_TARGET} s: {'meets' if laurel.median <= COLD_TARGET else 'MISSES'}",
        "",
    ]
    if parallel is None:
        lines.append(
            "laurel verify --jobs N: not available (laurel verify has no --jobs option yet)"
        )
    else:
        p = parallel
        lines += [
            f"laurel verify --json over {n_files:,} files (start-up included), median of alternating rounds",
            f"{'--jobs 1':32} {p.one:7,.0f} files/s",
            f"{f'--jobs {p.cores}':32} {p.many:7,.0f} files/s   {p.ratio:.2f}x"
            f"   (target >= {JOBS_TARGET}x on 2 cores: {'meets' if p.ratio >= JOBS_TARGET else 'MISSES'})",
            f"{f'{p.cores} x --jobs 1, a share each':32} {p.apart:7,.0f} files/s   {p.ceiling:.2f}x"
            "   (independent processes started together: the machine's ceiling)",
            f"--jobs {p.cores} against that ceiling: {p.many / p.apart:.2f}",
        ]
    return lines
