"""`laurel serve`: the verifier app behind gunicorn, a production WSGI server.

Gunicorn forks `workers` processes, each with its own app (and caches); its
timeouts and request-line/header limits sit in front of the app's own body limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["ServeOptions", "serve"]


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Where and how to serve."""

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    # Threads waiting on a slow status host or chain hold no CPU; enough of them keep
    # one free for other requests while the per-host fetch limit is reached (D15).
    threads: int = 8
    timeout: int = 30


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
    }

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app_factory()

    _Gunicorn().run()
