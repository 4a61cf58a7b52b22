"""wrk at a fixed rate: the soak's load from a client in C, one minute per wrk run.

wrk is a closed-loop generator: each connection sends its next request when its last
answer is in. Its Lua `delay()` hook, called before every request, holds a connection
back; here it hands out send times from one schedule per wrk thread (one every
`1000 / rate` ms), so the thread sends `rate` requests a second whatever the latency,
and a connection that was held up by a slow answer sends at once what was due. wrk
measures latency from when a request was written, so a request the schedule owed but
that no connection was free to send is not counted from when it was due: the count of
sends more than 10 ms behind the schedule (`late`) says how much of that there was.

wrk's own thread is light (C, epoll) beside the Python client of bench/load.py, which
on the same two cores takes CPU the server needs and adds its own event loop's stalls
to every latency it measures.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: A send this far behind its slot in the schedule is counted as late (ms).
LATE_MS = 10

_SCRIPT = """\
-- bench/paced.py: POST one badge to /credentials/verify{pacing_note}.
local ffi = require("ffi")
ffi.cdef[[
typedef struct {{ long tv_sec; long tv_nsec; }} laurel_timespec;
int clock_gettime(int clk, laurel_timespec *tp);
]]
local clock = ffi.new("laurel_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

wrk.method = "POST"
wrk.path = "/credentials/verify"
wrk.headers["Content-Type"] = "application/json"
wrk.body = io.open("{body}", "rb"):read("*a")

-- Per thread (each wrk thread runs its own copy of this script); read by done().
ok, other, late = 0, 0, 0
local period, due = {period}, nil

if period > 0 then
  function delay()
    local now = now_ms()
    due = (due or now) + period
    local wait = due - now
    if wait < -{late_ms} then late = late + 1 end
    if wait < 0 then return 0 end
    return wait -- wrk waits whole milliseconds; the schedule keeps the fractions
  end
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

local threads = {{}}
function setup(thread) table.insert(threads, thread) end

function done(summary, latency, requests)
  local total = {{ok = 0, other = 0, late = 0}}
  for _, thread in ipairs(threads) do
    for name in pairs(total) do total[name] = total[name] + thread:get(name) end
  end
  local e = summary.errors
  io.write(string.format("LAUREL %d %d %d %d %d %d %d %.0f %.0f %.0f %d\\n",
    total.ok, total.other, total.late, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, summary.duration))
end
"""


@dataclass(frozen=True)
class Minute:
    """One wrk run's figures (latencies in seconds)."""

    ok: int
    other: int
    late: int
    socket_errors: int
    p50: float
    p99: float
    worst: float
    seconds: float

    @property
    def rate(self) -> float:
        """200 answers per second."""
        return self.ok / self.seconds if self.seconds else 0.0


def script(body: bytes, rate: float | None, threads: int) -> Path:
    """A wrk script POSTing `body`, paced to `rate` requests/s over `threads` (None: flat out)."""
    folder = Path(tempfile.mkdtemp(prefix="laurel-paced-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "body.json").write_bytes(body)
    period = 0.0 if rate is None else 1000.0 * threads / rate
    text = _SCRIPT.format(
        body=folder / "body.json",
        period=repr(period),
        late_ms=LATE_MS,
        pacing_note="" if rate is None else f" at {rate:.0f}/s",
    )
    path = folder / "paced.lua"
    path.write_text(text, encoding="utf-8")
    return path


def run(port: int, lua: Path, *, seconds: int, connections: int, threads: int = 1) -> Minute:
    """One wrk run against 127.0.0.1:`port` with the script `lua`."""
    done = subprocess.run(
        [
            *("wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"),
            *("-s", str(lua), f"http://127.0.0.1:{port}/credentials/verify"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("LAUREL ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    ok, other, late, connect, read, write, timeout, p50, p99, worst, micros = (
        float(x) for x in line.split()[1:]
    )
    return Minute(
        ok=int(ok),
        other=int(other),
        late=int(late),
        socket_errors=int(connect + read + write + timeout),
        p50=p50 / 1e6,
        p99=p99 / 1e6,
        worst=worst / 1e6,
        seconds=micros / 1e6,
    )
