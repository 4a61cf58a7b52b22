"""Benchmark: `laurel serve` under load (wrk), beside the same badges verified in-process.

    python -m bench.serve                     # 60 s, 2 workers, 16 connections
    python -m bench.serve --seconds 15        # quicker

Needs wrk (Debian: apt-get install wrk). It starts `laurel serve` on a free
loopback port, POSTs one eddsa-jcs-2022 Open Badge to /credentials/verify over
and over, and reports requests/s, latency percentiles and errors (non-200
answers count as errors: every request must verify). The baseline is the
in-process rate of `verify_bytes` on one core, measured in the same run.
Targets (issue 4): >= 1,500 requests/s with 2 workers, p99 < 50 ms, 0 errors.
Note that wrk runs on the same 2 cores as the server.
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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import _signed_badge
from vc.did import DidResolver
from verifier import VerificationPolicy, verify_bytes

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = io.open("{body}", "rb"):read("*a")
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("LAUREL %d %d %d %d %d %d\\n", summary.requests,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


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


def _wait_up(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("laurel serve exited during start-up")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.1)
    raise SystemExit("laurel serve did not come up")


def main(argv: list[str] | None = None) -> int:
    """Run the load test and print the figures beside the in-process baseline."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    badge = _signed_badge("eddsa-jcs-2022")
    body = json.dumps({"verifiableCredential": json.loads(badge)}).encode()
    baseline = _in_process_rate(badge, 5.0)
    scratch = Path(tempfile.mkdtemp(prefix="laurel-bench-serve-"))
    (scratch / "body.json").write_bytes(body)
    (scratch / "post.lua").write_text(
        LUA.replace("{body}", str(scratch / "body.json")), encoding="utf-8"
    )
    port = _free_port()
    laurel = str(Path(sys.executable).parent / "laurel")
    server = subprocess.Popen(
        [laurel, "serve", "--port", str(port), "--workers", str(args.workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_up(port, server)
        # Warm every worker and thread (imports, caches, stacks happen on first use), then measure.
        subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                "-d10s",
                "-s",
                str(scratch / "post.lua"),
                f"http://127.0.0.1:{port}/credentials/verify",
            ],
            capture_output=True,
            check=True,
            timeout=60,
        )
        rss_before = _rss(server.pid)
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "--latency",
                "-s",
                str(scratch / "post.lua"),
                f"http://127.0.0.1:{port}/credentials/verify",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=args.seconds + 60,
        ).stdout
        rss_after = _rss(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)
        if server.poll() is None:
            server.kill()
        shutil.rmtree(scratch, ignore_errors=True)
    match = re.search(r"LAUREL (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    if match is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    requests, socket_errors, status_errors, p50, p99, worst = (int(v) for v in match.groups())
    rate = requests / args.seconds
    print(
        f"laurel serve bench: {args.workers} workers, wrk -t2 -c{args.connections} -d{args.seconds}s, one eddsa-jcs-2022 badge\n"
    )
    print(f"{'figure':40} {'value':>12}")
    print(f"{'in-process verify_bytes, one core':40} {baseline:10,.0f}/s")
    print(
        f"{'served, requests/s':40} {rate:10,.0f}/s   ({rate / baseline:.2f}x one core in-process)"
    )
    print(
        f"{'latency p50 / p99 / max':40} {p50 / 1000:.1f} / {p99 / 1000:.1f} / {worst / 1000:.1f} ms"
    )
    print(f"{'errors (socket / non-2xx)':40} {socket_errors} / {status_errors}")
    print(
        f"{'server RSS warm / after (all workers)':40} {rss_before / 1e6:.0f} / {rss_after / 1e6:.0f} MB"
    )
    ok = rate >= 1500 and p99 < 50_000 and socket_errors == 0 and status_errors == 0
    print(f"\ntarget >= 1,500/s, p99 < 50 ms, 0 errors: {'meets' if ok else 'MISSES'}")
    return 0 if ok else 1


def _rss(pid: int) -> int:
    total = 0
    pids = [pid, *_children(pid)]
    for each in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
