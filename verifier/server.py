"""`laurel serve`: the verifier app behind granian, a production HTTP server.

Granian (Rust) reads requests and writes answers; each of its `workers` processes
(forked, each with its own app and caches) runs the WSGI app in `threads` Python
threads but admits only `in_flight` requests at once (:mod:`verifier.limits`): the
spare threads answer ``/health`` and shed the excess with a quick 503 instead of
queueing it. A client that sends its headers slowly holds a connection in Rust, not
a Python thread (SECURITY.md X04). Each worker's threads stay on one CPU core
(:mod:`verifier.cpu_pinning`; ``--no-pin`` leaves them to the scheduler). The shared
state (challenges, rate-limit counters) lives in :func:`verifier.state.open_store`'s
store: a SQLite file for one machine, Redis for several.

With ``front="nginx"`` (``--front nginx``, :mod:`verifier.front`) nginx takes the port
and refuses the excess before Python; the workers listen on a loopback port behind it.

Chosen by measurement (bench/REPORT.md): against gunicorn's gthread worker on the
same app, granian cost less CPU per request and kept ``/health`` answering under
300 slow clients, which gunicorn's threads did not.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from verifier.access_log import log_requests
from verifier.cpu_pinning import CoreClaims
from verifier.limits import DEFAULT_IN_FLIGHT, DEFAULT_QUEUE, LENDABLE, LimitPolicy, install_limits
from verifier.malloc_arenas import cap_arenas
from verifier.parent_death import end_with_parent
from verifier.state import StateStore

__all__ = ["SPARE_THREADS", "ServeOptions", "guard", "serve"]

_LOG = logging.getLogger(__name__)

#: Threads per worker beyond those admitted to work: they answer /health and refuse the
#: excess at once, so a burst of connections does not queue behind the work in flight.
SPARE_THREADS = 16


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Where and how to serve."""

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    #: Threads per worker: `in_flight` doing work, `LENDABLE` waiting on the network off
    #: their slots, `queue` waiting for a slot, the rest answering /health and 503s.
    #: Threads waiting on a slow status host or chain hold no CPU; the spare ones stay
    #: free for other requests while the per-host fetch limit is reached (D15).
    threads: int = DEFAULT_IN_FLIGHT + LENDABLE + DEFAULT_QUEUE + SPARE_THREADS
    in_flight: int = DEFAULT_IN_FLIGHT
    #: Requests per worker that may wait for a slot (each waits in a thread).
    queue: int = DEFAULT_QUEUE
    #: Seconds a client has to send a request's headers before the connection is closed.
    header_timeout: int = 10
    #: One line per request on standard output.
    access_log: bool = True
    #: Reverse proxies in front whose X-Forwarded-For is believed (per-client limits
    #: then count the client, not the proxy); 0: the peer address is the client.
    proxies: int = 0

    #: The GIL hand-over interval in workers (s). Measured with bench.shed (2 workers,
    #: c=16 and c=200): 1 ms made the verifying threads hand the GIL back and forth
    #: (a worker at 113% CPU holding the GIL half the time) and was worse on every
    #: figure: 922 vs 1,039 answers/s at c=16; at c=200, 299 vs 1,130 successes/s,
    #: p99 2.35 s vs 0.40 s, and its 503s took 365 ms. Python's own 5 ms it is.
    switch_interval: float = 0.005
    #: Each worker's threads on one core of its own (:mod:`verifier.cpu_pinning`).
    pin_workers: bool = True
    #: A front answering before the workers (:mod:`verifier.front`): None, or "nginx".
    front: str | None = None

    @property
    def trusted_hops(self) -> int:
        """Proxies whose X-Forwarded-For the app believes: `proxies`, and the front."""
        return self.proxies + (1 if self.front else 0)

    @classmethod
    def sized(
        cls,
        *,
        host: str,
        port: int,
        workers: int,
        in_flight: int | None = None,
        queue: int | None = None,
        proxies: int = 0,
        access_log: bool = True,
        pin_workers: bool = True,
        front: str | None = None,
    ) -> ServeOptions:
        """Options with a thread for each request working or waiting, and spare ones to refuse."""
        admitted = in_flight or DEFAULT_IN_FLIGHT
        waiting = DEFAULT_QUEUE if queue is None else queue
        return cls(
            host=host,
            port=port,
            workers=workers,
            threads=admitted + LENDABLE + waiting + SPARE_THREADS,
            in_flight=admitted,
            queue=waiting,
            proxies=proxies,
            access_log=access_log,
            pin_workers=pin_workers,
            front=front,
        )


def guard(app: Flask, store: StateStore, options: ServeOptions) -> Flask:
    """Install the rate limits and the in-flight bound of `options` on `app` (last step)."""
    hops = options.trusted_hops
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only the client address (and scheme): the Host a challenge is bound to is never
        # taken from a header a client could send through the proxy.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0
        )
    install_limits(
        app,
        LimitPolicy(
            in_flight=options.in_flight,
            queue=options.queue,
            workers=options.workers,
            storage_uri=store.limiter_storage_uri(),
        ),
    )
    return app


class _ThreadAdviceFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "Python threads" not in record.getMessage()


def _worker_app(
    app_factory: Callable[[], Any],
    switch_interval: float,
    cores: CoreClaims | None,
    access_log: bool = True,
    niceness: int = 0,
) -> Callable[..., Any]:
    # Runs in each worker process after the fork: its own core, app, caches and GIL setting.
    server = os.getpid()

    def load(*_args: Any, **_kwargs: Any) -> Any:
        # Not an orphan still serving when laurel serve is killed. SIGKILL: a granian
        # worker's graceful stop without its master once hung past a minute (the e2e test).
        end_with_parent(server, signal.SIGKILL)
        if niceness:  # behind a front, which must answer first on a machine kept busy
            os.nice(niceness)
        if cores is not None:
            core = cores.pin()
            _LOG.debug("worker %d on core %s", os.getpid(), core)
        sys.setswitchinterval(switch_interval)
        cap_arenas()  # a malloc arena per thread made the worker's RSS climb (malloc_arenas.py)
        app = app_factory()
        if access_log:  # outermost: a refusal by the in-flight bound is logged too
            app.wsgi_app = log_requests(app.wsgi_app, sys.stdout)
        from verifier.warm import warm_up

        try:  # ready before its first request, its long-lived heap frozen
            if not warm_up():
                _LOG.warning("the warm-up badge did not verify; serving all the same")
        except Exception:  # an optimisation, never a reason not to serve
            _LOG.exception("the worker's warm-up failed; serving all the same")
        return app

    return load


def serve(options: ServeOptions, app_factory: Callable[[], Any]) -> None:
    """Serve the app made by `app_factory` until interrupted (blocks), behind the front if any.

    Raises:
        FrontError: the front could not be started.
    """
    if options.front is None:
        _serve_workers(options, app_factory, options.host, options.port)
        return
    from verifier.front import WORKER_NICENESS, free_loopback_port, front_bound, running_front

    inner = free_loopback_port()
    bound = front_bound(options.workers, options.in_flight, options.queue)
    with running_front(
        host=options.host,
        port=options.port,
        upstream_port=inner,
        bound=bound,
        append_forwarded=options.proxies > 0,
        client_timeout=options.header_timeout,
        on_death=_stop_this_process,
    ):
        _serve_workers(options, app_factory, "127.0.0.1", inner, niceness=WORKER_NICENESS)


def _stop_this_process() -> None:
    # granian stops its workers on SIGTERM, as at Ctrl-C; then the front's error is raised.
    os.kill(os.getpid(), signal.SIGTERM)


def _serve_workers(
    options: ServeOptions,
    app_factory: Callable[[], Any],
    host: str,
    port: int,
    niceness: int = 0,
) -> None:
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.server import Server

    server = Server(
        "laurel",  # a name only: each worker loads the app with `_worker_app`
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=options.workers,
        # The app's threads: `in_flight` working, some waiting on the network or for a
        # slot, the rest refusing.
        blocking_threads=options.threads,
        # Rust reads requests: a slow client holds a connection, not a Python thread,
        # until its headers are in (SECURITY.md X04).
        http1_settings=HTTP1Settings(header_read_timeout=options.header_timeout * 1000),
        # The app writes the access log (verifier/access_log.py): granian's own costs
        # 15-20 % of a worker's requests a second.
        log_access=False,
        respawn_failed_workers=True,
        respawn_interval=1.0,
        workers_kill_timeout=10,
    )
    # The thread count is deliberate (most threads wait for a slot or refuse at once):
    # granian's advice against it is not for the operator.
    logging.getLogger("_granian").addFilter(_ThreadAdviceFilter())
    cores = CoreClaims() if options.pin_workers else None
    # Before the workers fork, so that no thread of theirs takes an arena of its own;
    # each worker caps again in case it was spawned rather than forked.
    cap_arenas()
    try:
        server.serve(
            target_loader=_worker_app(
                app_factory, options.switch_interval, cores, options.access_log, niceness
            ),
            wrap_loader=False,
        )
    finally:
        if cores is not None:
            cores.forget()
