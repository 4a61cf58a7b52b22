"""``laurel serve --front nginx``: nginx in front of the workers, refusing the excess itself.

Past its peak, a worker refuses in a fraction of a millisecond of its own time, but the
refused request first waits for one of the worker's Python threads and then for the
GIL, behind the verifications (bench/REPORT.md, "A refusal taken apart"): 20-40 ms as
a client sees it, whatever the worker's settings. nginx answers in its own event
loop, in C. With ``--front nginx`` it listens where ``laurel serve`` would, passes
requests to the workers on a loopback port of their own, and answers those past a
bound on requests in flight with the workers' own ``503`` (the same problem body,
``Retry-After``), never handing them to Python. Measured with ``bench.shed`` beside
wrk at 100-200 % of the peak, on a host shared with other work (REPORT, "A front that
refuses"): refusals p50 2-3 ms and p99 3-14 ms against 5-31 and 7-37 ms, honest p99
28-40 ms against 54-167 ms, for 13-18 % of the peak (nginx proxies on the same cores).

The bound counts what the workers can hold (:func:`front_bound`), less half their
queue: granian does not share requests evenly between workers, and the workers' own
bound stays behind it. nginx counts the connections it has open to the workers
(``max_conns``), and opens one only once a request's body is all in. The workers run
at a lower priority (``nice``) than nginx, so that on a machine they keep busy the
front still answers at once. nginx overwrites
``X-Forwarded-For`` with the peer's address, and the workers believe that one hop
(SECURITY.md X13): a client cannot name itself someone else to the rate limits or
the log.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from verifier.api_response import DEFAULT_HEADERS
from verifier.app import MAX_CONTENT_LENGTH
from verifier.errors import FrontError
from verifier.limits import LENDABLE, OVERLOADED_BODY, RETRY_AFTER
from verifier.parent_death import end_with_parent

__all__ = [
    "WORKER_NICENESS",
    "Front",
    "free_loopback_port",
    "front_bound",
    "nginx_binary",
    "nginx_config",
    "running_front",
]

_LOG = logging.getLogger(__name__)

#: How much lower the workers' priority is than the front's (`nice` steps).
WORKER_NICENESS = 5
_START_WAIT = 5.0


def front_bound(workers: int, in_flight: int, queue: int) -> int:
    """Requests the front lets in at once: each worker's slots, its lent ones, half its queue."""
    return max(1, workers * (in_flight + LENDABLE + queue // 2))


def _quoted(text: str) -> str:
    # An nginx string in single quotes: only the quote and backslash need escaping.
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def nginx_config(
    *,
    host: str,
    port: int,
    upstream_port: int,
    bound: int,
    scratch: Path,
    append_forwarded: bool = False,
    client_timeout: int = 10,
) -> str:
    """An nginx.conf listening on `host`:`port`, passing to 127.0.0.1:`upstream_port`.

    nginx reads each request whole before it opens a connection to the workers (a slow
    body is held by nginx and never counted, SECURITY.md X04), keeps at most `bound`
    connections to them busy, and answers a request that finds them all busy, or the
    workers not up yet, with ``503``, ``Retry-After`` and the workers' own problem
    body. Its pid and temporary files go in `scratch`. The client's address goes on in
    ``X-Forwarded-For``: the peer's alone, or appended to what the proxies in front
    wrote when `append_forwarded` (``--proxies``). A client has `client_timeout`
    seconds to send its headers, and between two reads of its body (SECURITY.md X04).
    """
    forwarded = "$proxy_add_x_forwarded_for" if append_forwarded else "$remote_addr"
    listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    headers = "\n".join(
        f"      add_header {name} {_quoted(value)} always;" for _, name, value in DEFAULT_HEADERS
    )
    temp = "\n".join(
        f"  {kind}_temp_path {scratch / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    return f"""# made by laurel serve --front nginx (verifier/front.py)
# Two: whichever a busy machine schedules first accepts and refuses (measured: the
# refusals' p99 at 100-200 % of the peak 5.7-12.8 ms against 4.1-17.5 with one).
{user}worker_processes 2;
pid {scratch / "nginx.pid"};
error_log stderr crit;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  server_tokens off;
{temp}
  upstream laurel_workers {{
    # At most {bound} requests at the workers at once, counted in memory both nginx
    # workers share (an idle kept-alive connection may let a few more by: the workers'
    # own bound is behind); a request that finds them all busy is refused below. Never
    # marked down: a refused connect (the workers starting) is a 503 for that request.
    zone laurel_workers 64k;
    server 127.0.0.1:{upstream_port} max_conns={bound} max_fails=0;
    keepalive 64;
  }}
  server {{
    listen {listen} backlog=4096;
    client_max_body_size {MAX_CONTENT_LENGTH};
    client_body_buffer_size 16k;
    client_header_timeout {client_timeout}s;
    client_body_timeout {client_timeout}s;
    location / {{
      proxy_pass http://laurel_workers;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      # The peer, never what the client wrote (SECURITY.md X13).
      proxy_set_header X-Forwarded-For {forwarded};
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_read_timeout 60s;
      proxy_next_upstream off;
      # Made by nginx alone (no worker free, or none up): the workers' own refusal.
      error_page 502 503 = @overloaded;
    }}
    location @overloaded {{
      default_type application/problem+json;
      add_header Retry-After {RETRY_AFTER} always;
{headers}
      return 503 {_quoted(OVERLOADED_BODY.decode())};
    }}
  }}
}}
"""


def nginx_binary() -> str:
    """The nginx to run.

    Raises:
        FrontError: none is installed.
    """
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        raise FrontError(
            "--front nginx needs nginx (Debian: apt-get install nginx-light; scripts/nginx)"
        )
    return found


def free_loopback_port() -> int:
    """A TCP port free on 127.0.0.1 now (for the workers behind the front)."""
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Front:
    """A running nginx in front of the workers."""

    process: subprocess.Popen[bytes]
    scratch: Path
    stopping: bool = False

    def stop(self) -> None:
        """Stop nginx (at once: the workers behind it are stopping) and remove its files."""
        self.stopping = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # nginx's own workers outlive a master that was killed outright, still listening:
        # they are in its process group (a session of its own), which goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def watch(self, on_death: Callable[[], None]) -> None:
        """Call `on_death` (from a thread of its own) if nginx ends before :meth:`stop`."""

        def wait() -> None:
            code = self.process.wait()
            if not self.stopping:
                _LOG.error("nginx stopped (exit %s)", code)
                on_death()

        threading.Thread(target=wait, name="laurel-front-watch", daemon=True).start()


@contextlib.contextmanager
def running_front(
    *,
    host: str,
    port: int,
    upstream_port: int,
    bound: int,
    append_forwarded: bool = False,
    client_timeout: int = 10,
    on_death: Callable[[], None] | None = None,
) -> Iterator[Front]:
    """A running nginx, listening on `host`:`port` for as long as the block runs.

    `on_death` is called if nginx stops before the block ends (``laurel serve`` stops
    itself: a service whose front is gone answers nobody on its port).

    Raises:
        FrontError: nginx is missing, or it stopped at start (its own message is on
            standard error), or it stopped while the block ran.
    """
    binary = nginx_binary()
    # Its own directory, not the serve's private one: nginx's workers run as nobody.
    scratch = Path(tempfile.mkdtemp(prefix="laurel-front-"))
    scratch.chmod(0o755)
    conf = scratch / "nginx.conf"
    conf.write_text(
        nginx_config(
            host=host,
            port=port,
            upstream_port=upstream_port,
            bound=bound,
            scratch=scratch,
            append_forwarded=append_forwarded,
            client_timeout=client_timeout,
        )
    )
    process = subprocess.Popen(  # noqa: S603 (the nginx found above, our own arguments)
        [binary, "-e", "stderr", "-c", str(conf), "-p", str(scratch), "-g", "daemon off;"],
        stdin=subprocess.DEVNULL,  # its errors go to laurel serve's standard error
        preexec_fn=end_with_parent,  # nothing but prctl runs between fork and exec
        start_new_session=True,  # its workers in a process group of their own (stop)
    )
    front = Front(process, scratch)
    try:
        _wait_ready(front)
        if on_death is not None:
            front.watch(on_death)
        yield front
    finally:
        died = front.process.poll() is not None and not front.stopping
        front.stop()
    if died:
        raise FrontError(f"nginx stopped while serving (exit {front.process.returncode})")


def _wait_ready(front: Front) -> None:
    # nginx writes its pid file once its sockets are bound (it retries a taken port for
    # 2.5 s, then exits): a listener on the port might be somebody else's.
    deadline = time.monotonic() + _START_WAIT
    pid = front.scratch / "nginx.pid"
    while time.monotonic() < deadline:
        if front.process.poll() is not None:
            raise FrontError(
                f"nginx stopped at start (exit {front.process.returncode}; its message is above)"
            )
        if pid.exists():
            return
        time.sleep(0.05)
    raise FrontError(f"nginx was not ready within {_START_WAIT:.0f} s")
