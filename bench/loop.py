"""The verify-loop protocol every side-by-side worker speaks (stdlib only).

A worker is one process per implementation. It loads a corpus directory
(``jcs-*.json`` and ``rdfc-*.json``) into memory, verifies every file once and
prints ``{"ready": true, "failures": {suite: ["file: why", ...]}}``; then, for each
line ``run SUITE SECONDS`` on stdin, it verifies the files of SUITE in turn for
SECONDS and prints ``{"count", "seconds", "failures"}``. ``quit`` ends it. The node
worker (bench/node/worker.js) speaks the same protocol, so start-up (imports, JIT,
caches filled by the first pass) is never in a figure.

This module imports nothing outside the standard library: the openvc worker runs
it from a throwaway venv that has no laurel in it.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

SUITES = ("jcs", "rdfc")

#: For one file: a function that verifies it and returns None, or why it did not verify.
Verifier = Callable[[], str | None]


def load_corpus(directory: Path) -> dict[str, list[tuple[str, bytes]]]:
    """The corpus files by suite, sorted by name, as bytes."""
    corpus: dict[str, list[tuple[str, bytes]]] = {suite: [] for suite in SUITES}
    for path in sorted(directory.glob("*.json")):
        suite = path.name.split("-", 1)[0]
        if suite in corpus:
            corpus[suite].append((path.name, path.read_bytes()))
    return corpus


def serve(
    directory: Path,
    prepare: Callable[[str, bytes], Verifier],
    suites: tuple[str, ...] = SUITES,
) -> None:
    """Answer the protocol on stdin/stdout for the `suites` of the corpus in `directory`.

    `prepare(suite, data)` is called once per file (outside any timing) and returns
    the function the loop calls for that file.
    """
    corpus = load_corpus(directory)
    loops: dict[str, list[Verifier]] = {}
    failures: dict[str, list[str]] = {}
    for suite in suites:
        loops[suite], failures[suite] = [], []
        for name, data in corpus[suite]:
            try:
                verify = prepare(suite, data)
                why = verify()
            except Exception as exc:  # a crash on one file is a finding, not the end
                verify, why = _failing, f"{type(exc).__name__}: {exc}"
            loops[suite].append(verify)
            if why is not None:
                failures[suite].append(f"{name}: {why}")
    _say({"ready": True, "failures": failures})
    cursor = dict.fromkeys(suites, 0)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        suite, seconds = words[1], float(words[2])
        files = loops[suite]
        count = failed = 0
        started = time.perf_counter()
        deadline = started + seconds
        now = started
        while now < deadline:
            for _ in range(10):
                verify = files[cursor[suite]]
                cursor[suite] = (cursor[suite] + 1) % len(files)
                try:
                    if verify() is not None:
                        failed += 1
                except Exception:
                    failed += 1
            count += 10
            now = time.perf_counter()
        _say({"count": count, "seconds": now - started, "failures": failed})


def _failing() -> str | None:
    return "crashed on the first pass"


def _say(message: object) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()
