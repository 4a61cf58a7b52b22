"""Benchmark: `laurel serve` under load (wrk), beside Digital Bazaar's stack and in-process.

    bench/setup                               # once: wrk, Digital Bazaar's stack
    python -m bench.serve                     # about 4 minutes; writes bench/REPORT.md
    python -m bench.serve --seconds 5 --rounds 1   # quicker

It starts, on free loopback ports, `laurel serve --workers 1`, `laurel serve
--workers 2` and a minimal VC-API verify server on Digital Bazaar's stack
(bench/node/server.js, one node process), and POSTs one Open Badge (signed by
Digital Bazaar's stack, from bench.corpus) to each one's /credentials/verify with
wrk, 16 connections, over and over: eddsa-jcs-2022 and eddsa-rdfc-2022. It
reports requests/s, latency percentiles and errors (non-2xx answers count as
errors: every request must verify). Rounds alternate the order of the runs; the
median round is reported. The in-process rate of `verify_bytes` on one core is
the baseline a server's overhead is read against. Targets (issue 16): one core
each, laurel >= 2x the reference on jcs and >= 5x on rdfc, jcs p99 <= 20 ms;
2 workers >= 3,000/s. wrk runs on the same 2 cores as the servers.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import NODE, corpus, node_version
from bench.report import commit, load, write_block
from vc.did import DidResolver
from verifier import VerificationPolicy, verify_bytes

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = io.open("{body}", "rb"):read("*a")
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("LAUREL %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass
class Server:
    """One server under test, started on a free loopback port."""

    name: str
    argv: list[str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it (the port is appended by the caller's argv template)."""
        self.process = subprocess.Popen(
            [a.replace("{port}", str(self.port)) for a in self.argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        """SIGTERM, then kill if it lingers."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass
class Load:
    """wrk's figures for one run."""

    rate: float
    socket_errors: int
    status_errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float


@dataclass
class Case:
    """One server and one badge, measured each round."""

    server: Server
    suite: str
    runs: list[Load] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        """The median over rounds of one figure."""
        return float(statistics.median(getattr(run, attribute) for run in self.runs))


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _in_process_rate(data: bytes, seconds: float) -> float:
    policy = VerificationPolicy(now=dt.datetime.now(dt.UTC))
    resolver = DidResolver()
    verify_bytes(data, policy, resolver=resolver)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        assert verify_bytes(data, policy, resolver=resolver)
        count += 1
    return count / (time.perf_counter() - started)


def _wait_up(server: Server) -> None:
    assert server.process is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited during start-up")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"{server.name} did not come up")


def _wrk(port: int, script: Path, seconds: int, connections: int) -> Load:
    out = subprocess.run(
        [
            *("wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"),
            *("-s", str(script)),
            f"http://127.0.0.1:{port}/credentials/verify",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    match = re.search(r"LAUREL (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    if match is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    requests, micros, socket_errors, status_errors, p50, p99, worst = map(int, match.groups())
    return Load(
        requests / (micros / 1e6), socket_errors, status_errors, p50 / 1e3, p99 / 1e3, worst / 1e3
    )


def _rss(pid: int) -> int:
    total = 0
    for each in [pid, *_children(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def main(argv: list[str] | None = None) -> int:
    """Run the load tests and print every figure beside its baseline."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-report", action="store_true", help="do not write bench/REPORT.md")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (bench/setup, or apt-get install wrk)")

    directory = corpus()
    badges = {s: (directory / f"{s}-0000.json").read_bytes() for s in ("jcs", "rdfc")}
    baseline = {s: _in_process_rate(data, 3.0) for s, data in badges.items()}
    laurel = str(Path(sys.executable).parent / "laurel")
    servers = [
        Server("laurel serve --workers 1", [laurel, "serve", "--port", "{port}", "--workers", "1"]),
        Server("Digital Bazaar (node)", ["node", str(NODE / "server.js"), "{port}"]),
        Server("laurel serve --workers 2", [laurel, "serve", "--port", "{port}", "--workers", "2"]),
    ]
    cases = [Case(server, suite) for server in servers for suite in ("jcs", "rdfc")]
    scratch = Path(tempfile.mkdtemp(prefix="laurel-bench-serve-"))
    scripts = {}
    for suite, data in badges.items():
        body = json.dumps({"verifiableCredential": json.loads(data)}).encode()
        (scratch / f"{suite}.json").write_bytes(body)
        scripts[suite] = scratch / f"{suite}.lua"
        scripts[suite].write_text(LUA.replace("{body}", str(scratch / f"{suite}.json")))
    rss: dict[str, tuple[int, int]] = {}
    try:
        for server in servers:
            server.port = _free_port()
            server.start()
        for server in servers:
            _wait_up(server)
        for case in cases:  # warm every worker and thread: imports, caches, JIT
            _wrk(case.server.port, scripts[case.suite], 5, args.connections)
        before = {s.name: _rss(s.process.pid) for s in servers if s.process is not None}
        for number in range(args.rounds):
            for case in cases if number % 2 == 0 else reversed(cases):
                case.runs.append(
                    _wrk(case.server.port, scripts[case.suite], args.seconds, args.connections)
                )
        rss = {s.name: (before[s.name], _rss(s.process.pid)) for s in servers if s.process}
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    lines, ok = _render(cases, baseline, rss, args)
    print("\n".join(lines))
    if not args.no_report:
        print(f"\nwritten: {write_block('bench.serve', lines)}")
    return 0 if ok else 1


def _render(
    cases: list[Case],
    baseline: dict[str, float],
    rss: dict[str, tuple[int, int]],
    args: argparse.Namespace,
) -> tuple[list[str], bool]:
    lines = [
        f"laurel serve bench  commit {commit()}  node {node_version()}  load {load()}",
        f"wrk -t2 -c{args.connections}, {args.rounds} alternating rounds of {args.seconds} s"
        " (median); one Open Badge signed by Digital Bazaar's stack",
        "",
        f"{'server':28} {'badge':5} {'requests/s':>10} {'rounds min..max':>16}"
        f" {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>7}",
    ]
    for case in cases:
        rates = [run.rate for run in case.runs]
        errors = sum(run.socket_errors + run.status_errors for run in case.runs)
        lines.append(
            f"{case.server.name:28} {case.suite:5} {case.median('rate'):10,.0f}"
            f" {f'{min(rates):,.0f}..{max(rates):,.0f}':>16} {case.median('p50_ms'):7.1f}"
            f" {case.median('p99_ms'):7.1f} {max(r.max_ms for r in case.runs):7.1f} {errors:7}"
        )
    lines += ["", f"{'in-process verify_bytes, one core':40}"]
    lines += [f"  {suite:38} {rate:8,.0f}/s" for suite, rate in baseline.items()]
    lines += ["", f"{'server RSS warm / after':40}"]
    lines += [f"  {name:38} {a / 1e6:.0f} / {b / 1e6:.0f} MB" for name, (a, b) in rss.items()]
    by = {(c.server.name.split(" (")[0], c.suite): c for c in cases}
    one, ref, two = "laurel serve --workers 1", "Digital Bazaar", "laurel serve --workers 2"

    def ratio(suite: str) -> float:
        return by[one, suite].median("rate") / by[ref, suite].median("rate")

    # (what, value, target, higher is better)
    checks = [
        ("jcs, laurel 1 worker / reference", ratio("jcs"), 2.0, True),
        ("rdfc, laurel 1 worker / reference", ratio("rdfc"), 5.0, True),
        ("jcs p99 ms, laurel 1 worker", by[one, "jcs"].median("p99_ms"), 20.0, False),
        ("jcs requests/s, laurel 2 workers", by[two, "jcs"].median("rate"), 3000.0, True),
    ]
    errors = sum(r.socket_errors + r.status_errors for c in cases for r in c.runs)
    ok = errors == 0
    lines += ["", f"{'target':40} {'value':>9}   target"]
    for what, value, target, higher in checks:
        met = value >= target if higher else value <= target
        ok = ok and met
        lines.append(
            f"{what:40} {value:9,.2f}   {'>=' if higher else '<='} {target:,g}"
            f"  {'meets' if met else 'MISSES'}"
        )
    lines.append(f"errors (socket or non-2xx) over every run: {errors}")
    return lines, ok


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
