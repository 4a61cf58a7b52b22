"""bench/REPORT.md: the machine described, then one section per benchmark.

Each benchmark replaces only its own section (between ``<!-- NAME -->`` markers),
in place, so `bench.run` and `bench.serve` can be run apart and the report keeps both,
with the hand-written sections after them.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
from pathlib import Path

from bench.corpus import node_version

REPORT = Path(__file__).resolve().parent / "REPORT.md"
ORDER = ("bench.run", "bench.serve")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or the platform's guess)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def commit() -> str:
    """The short commit of the working tree, marked when it has local changes."""

    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
        except OSError:
            return ""
        return out.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/REPORT.md")
    return head + ("+changes" if changed else "")


def load() -> str:
    """The 1-minute load average over the core count: how shared the machine is."""
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "node": node_version(),
        "os": f"{platform.system()} {platform.release()}",
        "commit": commit(),
    }


def write_section(name: str, body: str) -> Path:
    """Put `body` (markdown) in REPORT.md as section `name`, keeping the other sections."""
    sections: dict[str, str] = {}
    if REPORT.exists():
        text = REPORT.read_text(encoding="utf-8")
        for found in re.finditer(r"<!-- (\S+) -->\n(.*?)<!-- /\1 -->", text, re.S):
            sections[found.group(1)] = found.group(2)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    sections[name] = (
        f"_{stamp}, commit {info['commit']}; load average {load()} at the end_\n\n{body.rstrip()}\n"
    )
    if REPORT.exists():
        # Only this section changes: the other sections and the hand-written text around
        # them (shedding, soak, fuzzing, the attack catalog) stay as they are.
        block = f"<!-- {name} -->\n{sections[name].rstrip()}\n<!-- /{name} -->"
        pattern = re.compile(rf"<!-- {re.escape(name)} -->\n.*?<!-- /{re.escape(name)} -->", re.S)
        if pattern.search(text):
            REPORT.write_text(pattern.sub(lambda _m: block, text, count=1), encoding="utf-8")
            return REPORT
    lines = [
        "# laurel benchmarks",
        "",
        "Written by `python -m bench.run` and `python -m bench.serve` (set up with `bench/setup`);",
        "each section is replaced when its benchmark runs. Every figure is printed beside its",
        "baseline, measured in the same run on the same machine.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in info.items() if key != "commit"),
        "",
    ]
    for key in sorted(sections, key=lambda k: (ORDER.index(k) if k in ORDER else 99, k)):
        lines += [
            f"## {key}",
            "",
            f"<!-- {key} -->",
            sections[key].rstrip(),
            f"<!-- /{key} -->",
            "",
        ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    return REPORT


def write_block(name: str, lines: list[str]) -> Path:
    """Put printed `lines` in REPORT.md as section `name`, as a code block."""
    return write_section(name, "```\n" + "\n".join(lines) + "\n```\n")
