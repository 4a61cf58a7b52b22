"""`laurel serve`: the verifier app behind gunicorn, a production WSGI server.

Gunicorn forks `workers` processes, each with its own app (and caches); its
timeouts and request-line/header limits sit in front of the app's own body limit.
Each worker runs `threads` threads but admits only `in_flight` requests at once
(:mod:`verifier.limits`): the spare threads answer ``/health`` and shed the excess
with a quick 503 instead of queueing it. The shared state (challenges, rate-limit
counters) lives in :func:`verifier.state.open_store`'s store: a SQLite file for one
machine, Redis for several.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from verifier.limits import DEFAULT_IN_FLIGHT, DEFAULT_QUEUE, LimitPolicy, install_limits
from verifier.state import StateStore

__all__ = ["SPARE_THREADS", "ServeOptions", "guard", "serve"]

#: Threads per worker beyond those admitted to work: they answer /health and refuse the
#: excess at once, so a burst of connections does not queue behind the work in flight.
SPARE_THREADS = 16


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Where and how to serve."""

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    #: Threads per worker: `in_flight` doing work, the rest answering /health and 503s.
    #: Threads waiting on a slow status host or chain hold no CPU; the spare ones stay
    #: free for other requests while the per-host fetch limit is reached (D15).
    threads: int = DEFAULT_IN_FLIGHT + DEFAULT_QUEUE + SPARE_THREADS
    in_flight: int = DEFAULT_IN_FLIGHT
    #: Requests per worker that may wait for a slot (each waits in a thread).
    queue: int = DEFAULT_QUEUE
    timeout: int = 30
    #: Reverse proxies in front whose X-Forwarded-For is believed (per-client limits
    #: then count the client, not the proxy); 0: the peer address is the client.
    proxies: int = 0

    #: The GIL hand-over interval in workers (s). Measured with bench.shed (2 workers,
    #: c=16 and c=200): 1 ms made the verifying threads hand the GIL back and forth
    #: (a worker at 113% CPU holding the GIL half the time) and was worse on every
    #: figure: 922 vs 1,039 answers/s at c=16; at c=200, 299 vs 1,130 successes/s,
    #: p99 2.35 s vs 0.40 s, and its 503s took 365 ms. Python's own 5 ms it is.
    switch_interval: float = 0.005

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
    ) -> ServeOptions:
        """Options with a thread for each request working or waiting, and spare ones to refuse."""
        admitted = in_flight or DEFAULT_IN_FLIGHT
        waiting = DEFAULT_QUEUE if queue is None else queue
        return cls(
            host=host,
            port=port,
            workers=workers,
            threads=admitted + waiting + SPARE_THREADS,
            in_flight=admitted,
            queue=waiting,
            proxies=proxies,
        )


def guard(app: Flask, store: StateStore, options: ServeOptions) -> Flask:
    """Install the rate limits and the in-flight bound of `options` on `app` (last step)."""
    if options.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only the client address (and scheme): the Host a challenge is bound to is never
        # taken from a header a client could send through the proxy.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=options.proxies, x_proto=options.proxies, x_host=0
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


def _tune_worker(switch_interval: float) -> Callable[[Any], None]:
    def post_worker_init(_worker: Any) -> None:
        sys.setswitchinterval(switch_interval)

    return post_worker_init


def serve(options: ServeOptions, app_factory: Callable[[], Any]) -> None:
    """Serve the app made by `app_factory` until interrupted (blocks)."""
    from gunicorn.app.base import BaseApplication

    settings = {
        "bind": f"{options.host}:{options.port}",
        "workers": options.workers,
        # gthread: a slow client ties up a thread, not a whole worker process.
        "worker_class": "gthread",
        "threads": options.threads,
        "timeout": options.timeout,
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 8190,
        "limit_request_fields": 50,
        "limit_request_field_size": 8190,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "laurel-serve",
        "post_worker_init": _tune_worker(options.switch_interval),
    }

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app_factory()

    _Gunicorn().run()
