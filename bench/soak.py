"""Soak: `laurel serve` at 80 % of its measured peak for 10 minutes, on loopback.

    python -m bench.soak                       # measure the peak, then 600 s at 80 %
    python -m bench.soak --peak 700 --minutes 2
    python -m bench.soak --client python       # the open-loop Python client instead of wrk
    python -m bench.soak --report bench/REPORT.md   # also write the figures there

One eddsa-jcs-2022 badge is POSTed to /credentials/verify at a fixed rate. The peak is
measured first by the same client (16 connections, flat out). Passing means: every
answer a 200 (0 errors, no 503), p99 steady (the last minute's within 20 % of the
first's) and each worker's RSS grown by less than 10 % (first sample after a one-minute
settling period against the last). RSS is read from /proc every 5 s.

Two clients: wrk (the default where it is installed), paced to the rate by its Lua hook
and run once a minute (bench/paced.py: light, in C; latency from each request's send,
with a count of sends that fell behind the schedule), or the Python client of
bench/load.py (open loop: latency from when each request was due, but its event loop
shares the two cores with the server and its own stalls land in every figure).

Beside the client's latencies, each minute's p99 as the server saw it (granian's access
log: from the request read to the answer written) tells the service's own steadiness from
the host's. The verdict is the client's."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import paced
from bench.load import percentile, request_bytes, run
from bench.shed import free_port, start_serve, stop_serve, verify_body

REPO = Path(__file__).resolve().parents[1]


def workers_of(pid: int) -> list[int]:
    """The worker processes under the server's master `pid`."""
    with contextlib.suppress(OSError):
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def rss(pid: int) -> int:
    """Resident set size of `pid` in bytes (0 when gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


# An access line (verifier/server.py's format): the wall-clock second and the server's time.
_ACCESS = re.compile(
    rb'^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4})\] [^"]*"POST /credentials/verify [^"]*" 200 ([0-9.]+)ms$',
    re.MULTILINE,
)


def server_p99s(log: Path, start: int, wall_started: float, minutes: int) -> list[float | None]:
    """Per minute of the run, the p99 (s) of the server's own times for its 200 answers."""
    per_minute: list[list[float]] = [[] for _ in range(minutes)]
    with log.open("rb") as text:
        text.seek(start)
        for stamp, ms in _ACCESS.findall(text.read()):
            at = dt.datetime.strptime(stamp.decode(), "%Y-%m-%d %H:%M:%S %z").timestamp()
            minute = min(minutes - 1, max(0, int((at - wall_started) // 60)))
            per_minute[minute].append(float(ms) / 1000)
    return [percentile(sorted(times), 0.99) if times else None for times in per_minute]


def machine() -> str:
    """The machine, Python and commit, for the report."""
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    cores = len(
        [
            line
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("processor")
        ]
    )
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) // (1024 * 1024)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    ).stdout.strip()
    return (
        f"{cpu}, {cores} cores, {memory} GiB; Linux {platform.release()}; "
        f"Python {platform.python_version()}; laurel {commit}"
    )


@dataclass
class Soaked:
    """What a client measured: per minute (200/s, p50 s, p99 s, max s) and over the run."""

    peak: float
    rate: float
    minutes: list[tuple[float, float, float, float]]
    answers: int
    statuses: dict[int | str, int]
    socket_errors: dict[str, int]
    whole: str
    late: int | None = None


def _python_soak(
    port: int, args: argparse.Namespace, data: bytes, begin: Callable[[], None]
) -> Soaked:
    # bench/load.py: open loop, latency from when each request was due.
    request = request_bytes("POST", "/credentials/verify", data)
    run(port, request, seconds=10, connections=args.connections)  # warm every worker and thread
    peak = args.peak or run(port, request, seconds=20, connections=16).rate(200)
    rate = peak * args.fraction
    print(f"peak {peak:.0f}/s; soaking at {rate:.0f}/s for {args.minutes:g} min", flush=True)
    begin()
    sample = run(port, request, seconds=args.minutes * 60, connections=args.connections, rate=rate)
    rows = []
    for minute in range(max(1, int(args.minutes))):
        ok = sample.latencies(200, minute * 60, (minute + 1) * 60)
        rows.append((len(ok) / 60, percentile(ok, 0.5), percentile(ok, 0.99), ok[-1] if ok else 0))
    all_ok = sample.latencies(200)
    return Soaked(
        peak=peak,
        rate=rate,
        minutes=rows,
        answers=len(sample.answers),
        statuses=dict(sorted(sample.statuses().items())),
        socket_errors=dict(sample.errors),
        whole=f"p50 {percentile(all_ok, 0.5) * 1000:.1f} ms, p99"
        f" {percentile(all_ok, 0.99) * 1000:.1f} ms, max {(all_ok[-1] if all_ok else 0) * 1000:.1f} ms",
    )


def _wrk_soak(
    port: int, args: argparse.Namespace, data: bytes, begin: Callable[[], None]
) -> Soaked:
    # bench/paced.py: wrk, one thread, paced by its Lua delay() hook; one wrk run a minute.
    flat = paced.script(data, None, threads=1)
    # Warm every worker and thread at the soak's own connection count: a thread's first
    # request grows the worker (its stack, its malloc arena), which is not the soak's growth.
    paced.run(port, flat, seconds=10, connections=args.connections)
    peak = args.peak or paced.run(port, flat, seconds=20, connections=16).rate
    rate = peak * args.fraction
    print(f"peak {peak:.0f}/s; soaking at {rate:.0f}/s for {args.minutes:g} min", flush=True)
    lua = paced.script(data, rate, threads=1)
    begin()
    runs = []
    for _ in range(max(1, int(args.minutes))):
        runs.append(paced.run(port, lua, seconds=60, connections=args.connections))
        print(f"  minute {len(runs)}: {runs[-1]}", flush=True)
    p99s = sorted(m.p99 for m in runs)
    return Soaked(
        peak=peak,
        rate=rate,
        minutes=[(m.rate, m.p50, m.p99, m.worst) for m in runs],
        answers=sum(m.ok + m.other for m in runs),
        statuses={200: sum(m.ok for m in runs), "other": sum(m.other for m in runs)},
        socket_errors={"wrk": sum(m.socket_errors for m in runs)},
        whole=f"minutes' p99 {p99s[0] * 1000:.1f} to {p99s[-1] * 1000:.1f} ms,"
        f" max {max(m.worst for m in runs) * 1000:.1f} ms",
        late=sum(m.late for m in runs),
    )


def main(argv: list[str] | None = None) -> int:
    """Run the soak; print (and optionally write) the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--peak", type=float, help="requests/s at saturation (measured if absent)")
    parser.add_argument("--fraction", type=float, default=0.8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--client",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="wrk paced to the rate (bench/paced.py; the default where wrk is installed) or"
        " the open-loop Python client (bench/load.py)",
    )
    parser.add_argument("--report", type=Path, help="append the figures to this Markdown file")
    args = parser.parse_args(argv)
    data = verify_body()
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="laurel-soak-", suffix=".log")[1])
    server = start_serve(port, "--workers", str(args.workers), log=log)
    samples: list[tuple[float, dict[int, int]]] = []
    stop = threading.Event()
    began: list[tuple[float, float, int]] = []

    def watch() -> None:
        while not stop.wait(5.0):
            samples.append((time.monotonic(), {w: rss(w) for w in workers_of(server.pid)}))

    watcher = threading.Thread(target=watch, daemon=True)

    def begin() -> None:
        began.append((time.monotonic(), time.time(), log.stat().st_size))
        watcher.start()

    try:
        soak = (_wrk_soak if args.client == "wrk" else _python_soak)(port, args, data, begin)
        stop.set()
        watcher.join()
    finally:
        stop_serve(server)  # the workers write their last access lines as they stop

    ((started, wall_started, log_start),) = began
    minutes = len(soak.minutes)
    served = server_p99s(log, log_start, wall_started, minutes)
    log.unlink()
    errors = sum(n for status, n in soak.statuses.items() if status != 200)
    errors += sum(soak.socket_errors.values())
    settled = [s for s in samples if s[0] - started >= 60] or samples
    growth = {}
    if settled:
        first, last = settled[0][1], settled[-1][1]
        growth = {w: (last.get(w, 0) - first[w]) / first[w] for w in first if first[w]}
    first_p99, last_p99 = soak.minutes[0][2], soak.minutes[-1][2]
    drift = (last_p99 - first_p99) / first_p99 if first_p99 else 0.0
    server_first, server_last = served[0], served[-1]
    server_drift = (
        f"{(server_last - server_first) / server_first:+.1%}"
        if server_first and server_last is not None
        else "not measured"
    )
    passed = errors == 0 and abs(drift) <= 0.20 and all(g < 0.10 for g in growth.values())
    how = (
        "wrk, one thread, paced to the rate by its Lua delay() hook (bench/paced.py),"
        " one wrk run a minute; latency from each request's send"
        if args.client == "wrk"
        else "the Python client (bench/load.py), open loop; latency from each request's due time"
    )
    out = [
        f"#### Soak, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}: {args.minutes:g} min at"
        f" {soak.rate:.0f}/s ({args.fraction:.0%} of a measured peak of {soak.peak:.0f}/s),"
        f" client {args.client}",
        "",
        f"Machine: {machine()}.",
        f"Command: `python -m bench.soak --minutes {args.minutes:g} --workers {args.workers}"
        f" --client {args.client}` (`laurel serve --workers {args.workers}`, defaults otherwise;"
        f" {args.connections} client connections: {how}; client and server share the cores).",
        "",
        "| minute | 200/s | p50 ms | p99 ms | max ms | server's p99 ms |",
        "|---:|---:|---:|---:|---:|---:|",
        *[
            f"| {m} | {r:.0f} | {p50 * 1000:.1f} | {p99 * 1000:.1f} | {worst * 1000:.1f}"
            f" | {'-' if own is None else f'{own * 1000:.1f}'} |"
            for m, ((r, p50, p99, worst), own) in enumerate(
                zip(soak.minutes, served, strict=True), 1
            )
        ],
        "",
        f"- answers: {soak.answers}, statuses {soak.statuses},"
        f" socket errors {soak.socket_errors or 0}: **{errors} errors**",
        f"- whole run: {soak.whole}",
        *(
            []
            if soak.late is None
            else [f"- sends more than {paced.LATE_MS} ms behind the schedule: {soak.late}"]
        ),
        f"- p99 drift, last minute against the first: {drift:+.1%} (target within 20 %);"
        f" the server's own p99: {server_drift}",
        "- worker RSS (MB), first settled sample -> last: "
        + ", ".join(
            f"{settled[0][1][w] / 1e6:.0f} -> {settled[-1][1].get(w, 0) / 1e6:.0f} ({g:+.1%})"
            for w, g in growth.items()
        )
        + " (target < +10 %)",
        f"- verdict: **{'pass' if passed else 'FAIL'}**",
        "",
    ]
    text = "\n".join(out)
    print(text)
    if args.report is not None:
        with args.report.open("a", encoding="utf-8") as report:
            report.write(text + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
