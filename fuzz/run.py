"""Run one fuzz target for N minutes: ``python -m fuzz.run TARGET --minutes N``.

The corpus lives in ``.fuzz/<target>/corpus`` (seeded from the target's
``seeds()``, kept between runs), crashes in ``.fuzz/<target>/crashes``. The last
line printed is a summary: executions, executions per second, coverage (libFuzzer's
edge counter ``cov`` and feature counter ``ft``), corpus size and crashes.

The fuzzer runs the Python source (a copy without the compiled modules, bench/pure.py):
atheris guides itself by coverage of Python bytecode, which a module compiled by mypyc
does not have. The C decoders are held to their Python twins by differential tests, and
the C JSON parser also by the json_native target, which loads it from this tree.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pkgutil
import re
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

from bench.pure import pure_source

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".fuzz"


def targets() -> list[str]:
    """The names of the targets in fuzz/targets/."""
    import fuzz.targets

    return sorted(m.name for m in pkgutil.iter_modules(fuzz.targets.__path__))


def load(name: str) -> ModuleType:
    """Import target `name` (its parsers instrumented for coverage when atheris runs)."""
    return importlib.import_module(f"fuzz.targets.{name}")


def _child(name: str, argv: list[str]) -> None:
    # Runs inside the libFuzzer process: instrument the parsers, then fuzz.
    import atheris

    with atheris.instrument_imports(include=["vc", "verifier", "fuzz"]):
        target = load(name)
    expected: tuple[type[BaseException], ...] = target.EXPECTED

    def one_input(data: bytes) -> None:
        with contextlib.suppress(expected):
            target.fuzz(data)

    atheris.Setup([sys.argv[0], *argv], one_input)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    """Seed the corpus, run libFuzzer for the time asked and print a summary line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", nargs="?")
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--list", action="store_true", help="list the targets")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.list or args.target is None:
        print("\n".join(targets()))
        return 0
    if args.target not in targets():
        parser.error(f"unknown target {args.target!r}; --list shows them")
    if args.child:
        _child(args.target, rest)
        return 0
    work = WORK / args.target
    corpus, crashes = work / "corpus", work / "crashes"
    corpus.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    for index, seed in enumerate(load(args.target).seeds()):
        (corpus / f"seed-{index}").write_bytes(seed)
    seconds = max(1, int(args.minutes * 60))
    command = [
        sys.executable,
        "-m",
        "fuzz.run",
        args.target,
        "--child",
        str(corpus),
        f"-max_total_time={seconds}",
        f"-artifact_prefix={crashes}/",
        "-print_final_stats=1",
        "-timeout=10",
        "-rss_limit_mb=1024",
        "-max_len=65536",
        *rest,
    ]
    started = time.monotonic()
    log = work / "last.log"
    source = pure_source(WORK / "pure-source")
    with log.open("wb") as out:
        code = subprocess.call(
            command,
            cwd=source,
            stdout=out,
            stderr=subprocess.STDOUT,
            # The json_native target holds this tree's C parser to the Python path.
            env={**os.environ, "LAUREL_NATIVE_FROM": str(ROOT)},
        )
    text = log.read_text(errors="replace")
    print(summary(args.target, text, time.monotonic() - started, crashes))
    return code


def summary(name: str, log: str, seconds: float, crashes: Path) -> str:
    """One line: what libFuzzer reported at the end of `log`."""
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    speed = re.findall(r"stat::average_exec_per_sec:\s*(\d+)", log)
    cov = re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)", log)
    found = sorted(p.name for p in crashes.iterdir()) if crashes.exists() else []
    last = cov[-1] if cov else ("?", "?", "?", "?")
    return (
        f"FUZZ {name}: {runs[-1] if runs else '?'} executions in {seconds:.0f} s"
        f" ({speed[-1] if speed else '?'}/s), cov {last[0]} ft {last[1]},"
        f" corpus {last[2]} ({last[3]}), crashes {len(found)} {' '.join(found)}"
    )


if __name__ == "__main__":
    sys.exit(main())
