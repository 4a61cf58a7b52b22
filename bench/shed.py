"""Benchmark: `laurel serve` at and past its peak: honest latency, quick refusals.

    python -m bench.shed                                  # 20 s per step
    python -m bench.shed --in-flight 4 --connections 16,64,200
    python -m bench.shed --rates 200,400,600              # open loop at these rates
    python -m bench.shed --connections '' --wrk-fractions 0.5,0.8,1.0,1.2
    python -m bench.shed --front nginx --connections '' --wrk-fractions 1.0,1.5,2.0

Starts `laurel serve` on a loopback port, POSTs one eddsa-jcs-2022 badge to
/credentials/verify and reports, per load step: answers per second, 200s per second,
p50/p99 of the 200s, and the count and p99 of the 503s (shed), as the client saw
them and as the server's access log timed them (its clock starts when the app's outermost
middleware starts on a thread holding the GIL and stops when the app returns: neither the
client's own queueing nor the wait for a Python thread and the GIL is in it).
Closed-loop steps (`--connections`) find the peak; open-loop steps (`--rates`) show
honest latency below it. The client (bench/load.py) runs on the same cores as the
server. `--wrk-fractions` measures the peak with wrk flat out (16 connections) and then
runs wrk paced to those fractions of it (bench/paced.py): a client in C that leaves
the server its CPU; its p50/p99 are over every answer (wrk cannot tell a 503's time from
a 200's; the server's own 503 p99 is beside them) and `late` counts the sends that
fell more than 10 ms behind the schedule. Beside wrk, a probe sends 20 requests a second,
each on a new connection, and times its 200s and its 503s apart: a refusal as a client
arriving during the load sees it (the 503s' median and p99, and the connects' p99 on
their own: what is left is the server's queue).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import paced
from bench.load import Sample, percentile, request_bytes, run
from bench.run import _signed_badge
from verifier.access_log import MAX_DELAY

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_serve(
    port: int, *args: str, laurel: str | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start `laurel serve` on 127.0.0.1:`port` and wait for /health.

    With `log`, the server's output (its access log among it) is written there.
    """
    laurel = laurel or str(Path(sys.executable).parent / "laurel")
    out = log.open("ab") if log is not None else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(
            [laurel, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
            env={**os.environ},
        )
    finally:
        if log is not None:
            out.close()  # type: ignore[union-attr]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("laurel serve exited during start-up")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return proc
        time.sleep(0.1)
    raise SystemExit("laurel serve did not come up")


def stop_serve(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def verify_body() -> bytes:
    """The benchmark's request body: one eddsa-jcs-2022 badge, as VC-API's verify takes it."""
    body = json.dumps({"verifiableCredential": json.loads(_signed_badge("eddsa-jcs-2022"))})
    return body.encode()


def verify_request() -> bytes:
    """The benchmark's request: one eddsa-jcs-2022 badge to /credentials/verify."""
    return request_bytes("POST", "/credentials/verify", verify_body())


# The access line ends with the status and the time it took (verifier/access_log.py).
_ACCESS = re.compile(rb'"POST /credentials/verify [^"]*" (\d{3}) ([0-9.]+)ms$', re.MULTILINE)


def server_times(log: Path, start: int) -> dict[int, list[float]]:
    """Seconds the server took per answer, by status, from the access log past byte `start`."""
    times: dict[int, list[float]] = {}
    with log.open("rb") as text:
        text.seek(start)
        for status, ms in _ACCESS.findall(text.read()):
            times.setdefault(int(status), []).append(float(ms) / 1000)
    return {status: sorted(values) for status, values in times.items()}


def line(label: str, sample: Sample, served: dict[int, list[float]] | None = None) -> str:
    """One row of figures for a load step (`served`: the server's own times, by status)."""
    ok = sample.latencies(200)
    shed = sample.latencies(503)
    other = sum(n for status, n in sample.statuses().items() if status not in (200, 503))
    shed_served = (served or {}).get(503, [])
    return (
        f"{label:>14} {sample.rate():8.0f} {sample.rate(200):8.0f}"
        f" {percentile(ok, 0.50) * 1000:8.1f} {percentile(ok, 0.99) * 1000:8.1f}"
        f" {len(shed):8d} {percentile(shed, 0.99) * 1000:8.1f}"
        f" {percentile(shed_served, 0.99) * 1000:9.1f}"
        f" {other:6d} {sum(sample.errors.values()):6d}"
    )


HEADER = (
    f"{'load':>14} {'answers/s':>8} {'200/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    f" {'503s':>8} {'503 p99':>8} {'srv 503p99':>9} {'other':>6} {'socket':>6}"
)


WRK_HEADER = (
    f"{'load':>14} {'answers/s':>8} {'200/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    f" {'not 200':>8} {'srv 503p99':>9} {'late':>6} {'socket':>6}"
    f" {'probe 200s':>10} {'p99 ms':>7} {'503s':>5} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    f" {'connect p99':>11}"
)
#: Requests a second the probe sends beside wrk: few enough to take no CPU from the server.
PROBE_RATE = 20


def probe(
    port: int, body: bytes, stop: threading.Event, answers: list[tuple[int, float, float]]
) -> None:
    """One request every 1/PROBE_RATE s on a new connection until `stop`, into `answers`.

    Each answer is (status, seconds, of them connecting); status 0 when the connection
    failed. The connect apart: a refusal's time is then the server's (and its queue's).

    wrk times every answer alike; the probe tells how long a refusal takes a client that
    arrives during the load, and how long an admitted request waits.
    """
    due = time.monotonic()
    while not stop.is_set():
        started = connected = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            connection.connect()
            connected = time.perf_counter()
            connection.request(
                "POST", "/credentials/verify", body, {"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            answers.append((response.status, time.perf_counter() - started, connected - started))
            connection.close()
        except OSError:
            answers.append((0, time.perf_counter() - started, connected - started))
        due += 1 / PROBE_RATE
        stop.wait(max(0.0, due - time.monotonic()))


def wrk_steps(
    port: int, fractions: list[float], seconds: float, connections: int, log: Path
) -> None:
    """wrk's peak (16 connections, flat out), then one paced step per fraction of it."""
    body = verify_body()
    peak = paced.run(port, paced.script(body, None, threads=1), seconds=10, connections=16).rate
    print(f"wrk -t1 -c16 flat out: {peak:,.0f} answers/s; paced steps at {connections} connections")
    print(WRK_HEADER)
    for fraction in fractions:
        lua = paced.script(body, peak * fraction, threads=1)
        time.sleep(MAX_DELAY + 0.2)  # the lines of the step before written (batched)
        start = log.stat().st_size
        stop = threading.Event()
        probed: list[tuple[int, float, float]] = []
        prober = threading.Thread(target=probe, args=(port, body, stop, probed))
        prober.start()
        try:
            got = paced.run(port, lua, seconds=round(seconds), connections=connections)
        finally:
            stop.set()
            prober.join()
        time.sleep(MAX_DELAY + 0.2)
        shed_served = server_times(log, start).get(503, [])
        ok = sorted(t for status, t, _ in probed if status == 200)
        shed = sorted(t for status, t, _ in probed if status == 503)
        connects = sorted(c for status, _, c in probed if status)
        print(
            f"{f'wrk {fraction:.0%}':>14} {(got.ok + got.other) / got.seconds:8.0f} {got.rate:8.0f}"
            f" {got.p50 * 1000:8.1f} {got.p99 * 1000:8.1f} {got.other:8d}"
            f" {percentile(shed_served, 0.99) * 1000:9.1f} {got.late:6d} {got.socket_errors:6d}"
            f" {len(ok):10d} {percentile(ok, 0.99) * 1000:7.1f} {len(shed):5d}"
            f" {percentile(shed, 0.5) * 1000:7.1f} {percentile(shed, 0.99) * 1000:7.1f}"
            f" {(shed[-1] if shed else 0) * 1000:7.1f} {percentile(connects, 0.99) * 1000:11.1f}",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    """Run the load steps and print one row per step."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--in-flight", type=int, default=None)
    parser.add_argument("--connections", default="16,64,200")
    parser.add_argument("--rates", default="")
    parser.add_argument("--rate-connections", type=int, default=64)
    parser.add_argument(
        "--wrk-fractions", default="", help="paced wrk steps at these fractions of wrk's peak"
    )
    parser.add_argument("--laurel", help="another `laurel` command to measure (a baseline)")
    parser.add_argument(
        "--front", choices=["nginx"], help="nginx in front of the workers (laurel serve --front)"
    )
    parser.add_argument(
        "--polite",
        default="",
        help="closed-loop connection counts whose clients honour Retry-After (e.g. 200)",
    )
    args = parser.parse_args(argv)
    data = verify_request()
    port = free_port()
    extra = ["--workers", str(args.workers)]
    if args.in_flight:
        extra += ["--in-flight", str(args.in_flight)]
    if args.front:
        extra += ["--front", args.front]
    log = Path(tempfile.mkstemp(prefix="laurel-shed-", suffix=".log")[1])
    server = start_serve(port, *extra, laurel=args.laurel, log=log)

    def step(label: str, **load: float | bool) -> None:
        time.sleep(MAX_DELAY + 0.2)  # the lines of the step before written (batched)
        start = log.stat().st_size
        sample = run(port, data, seconds=args.seconds, **load)  # type: ignore[arg-type]
        time.sleep(MAX_DELAY + 0.2)  # and this step's
        print(line(label, sample, server_times(log, start)), flush=True)

    try:
        run(port, data, seconds=5, connections=16)  # warm every worker and thread
        print(
            f"laurel serve {' '.join(extra)}; {args.seconds:.0f} s per step; one eddsa-jcs-2022 badge"
        )
        print(HEADER)
        for connections in [int(c) for c in args.connections.split(",") if c]:
            step(f"closed c={connections}", connections=connections)
        for connections in [int(c) for c in args.polite.split(",") if c]:
            step(f"polite c={connections}", connections=connections, polite=True)
        for rate in [float(r) for r in args.rates.split(",") if r]:
            step(f"open {rate:.0f}/s", connections=args.rate_connections, rate=rate)
        fractions = [float(f) for f in args.wrk_fractions.split(",") if f]
        if fractions:
            wrk_steps(port, fractions, args.seconds, args.rate_connections, log)
    finally:
        stop_serve(server)
        log.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
