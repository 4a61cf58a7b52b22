"""The access log of a ``laurel serve`` worker: a WSGI middleware, its lines written in batches.

granian can write an access line itself, by a Python callback it runs after handing
the response back to Rust. Measured with one worker under ``wrk -c16`` (bench/REPORT.md,
"The access log, written by the app"), that callback cost 15-20 % of the worker's
requests a second even with its lines batched: the worker answered 2,400-2,700 jcs
verifications a second with it, 2,900-3,200 without. The same line made here, in the
request's own call (a string kept in a list), costs nothing measurable.

As nginx's ``access_log ... buffer= flush=`` does, the lines are kept and written
together: when 64 KiB are waiting, at the latest a second after the first of them (a
timer thread), and when the worker ends normally. A worker killed outright loses at
most that second of lines. A write never happens per request: a write gives up the GIL,
and one of the worker's waiting threads would take it (three more context switches a
request, measured).

The line is granian's: ``[time] client "METHOD /path HTTP/1.1" status 12.3ms``, the time
being when the request reached the app, the duration until its answer was made. A path
holding control characters (``%0A`` decodes to a newline) is written with them escaped,
so that no request can forge a line of the log (SECURITY.md X12).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

__all__ = ["MAX_BUFFERED", "MAX_DELAY", "AccessLog", "BufferedLines", "access_line", "log_requests"]

#: Bytes of lines kept before they are written.
MAX_BUFFERED = 64 * 1024
#: Longest a line waits (seconds).
MAX_DELAY = 1.0

_Environ = dict[str, Any]
_StartResponse = Callable[..., Any]
_App = Callable[[_Environ, _StartResponse], Iterable[bytes]]


class BufferedLines:
    """Lines kept in memory and written to `stream` in batches, in the order they came."""

    def __init__(
        self, stream: TextIO, *, max_bytes: int = MAX_BUFFERED, max_delay: float = MAX_DELAY
    ) -> None:
        self.stream = stream
        self._max_bytes = max_bytes
        self._lines: list[str] = []
        self._size = 0
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._timer = threading.Thread(
            target=self._flush_every, args=(max_delay,), name="laurel-access-log", daemon=True
        )
        self._timer.start()

    def add(self, line: str) -> None:
        """Keep `line` (without its newline); write the batch once it is large enough."""
        with self._lock:
            self._lines.append(line)
            self._size += len(line) + 1
            if self._size >= self._max_bytes:
                self._write()

    def flush(self) -> None:
        """Write every line kept so far."""
        with self._lock:
            self._write()

    def close(self) -> None:
        """Write what is kept and stop the timer; lines added later are written at once."""
        self._stopped.set()
        self._max_bytes = 0
        self.flush()

    def _write(self) -> None:
        if not self._lines:
            return
        text = "\n".join(self._lines) + "\n"
        self._lines.clear()
        self._size = 0
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # the output is gone (a closed pipe): serving goes on

    def _flush_every(self, seconds: float) -> None:
        while not self._stopped.wait(seconds):
            self.flush()


def _escaped(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii").replace('"', '\\"')


def access_line(environ: _Environ, status: str, stamp: str, seconds: float) -> str:
    """The access line of one request (granian's format), its control characters escaped."""
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "")
    if not (path.isprintable() and method.isprintable() and '"' not in path):
        path, method = _escaped(path), _escaped(method)
    return (
        f'[{stamp}] {environ.get("REMOTE_ADDR", "-")} "{method} {path} '
        f'{environ.get("SERVER_PROTOCOL", "-")}" {status} {seconds * 1000:.1f}ms'
    )


class _Stamp:
    """The local time of a second as the log writes it, made once a second."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last = (-1, "")

    def of(self, when: float) -> str:
        second = int(when)
        last = self._last  # one tuple read: threads never pair one second with another's text
        if last[0] != second:
            last = (second, time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(second)))
            self._last = last
        return last[1]


class AccessLog:
    """WSGI middleware: one access line per request into `lines`, made when its answer is.

    The answer is the app's, untouched. A request is logged when the app returns, its
    status given (Flask always gives it by then): not when the server closes the body,
    which granian does later, on its own schedule, and not at all for a worker that
    stops first. An app that gives its status only while its body is read is logged when
    the server closes the body; a request whose app raises is logged as 500 and the
    exception goes on to the server.
    """

    def __init__(self, app: _App, lines: BufferedLines) -> None:
        self._app = app
        self._lines = lines
        self._stamp = _Stamp()

    def __call__(self, environ: _Environ, start_response: _StartResponse) -> Iterable[bytes]:
        """Answer as the app does, and log the request."""
        started, clock = time.time(), time.perf_counter()
        status = [""]

        def record(status_line: str, *args: Any) -> Any:
            status[0] = status_line[:3]
            return start_response(status_line, *args)

        try:
            body = self._app(environ, record)
        except BaseException:
            self._log(environ, "500", started, clock)
            raise
        if status[0]:
            self._log(environ, status[0], started, clock)
            return body
        return _Logged(body, lambda: self._log(environ, status[0] or "500", started, clock))

    def _log(self, environ: _Environ, status: str, started: float, clock: float) -> None:
        seconds = time.perf_counter() - clock
        self._lines.add(access_line(environ, status, self._stamp.of(started), seconds))


class _Logged:
    """A body whose status comes while it is read: its request logged at close (PEP 3333)."""

    __slots__ = ("_body", "_done")

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self._body = body
        self._done: Callable[[], None] | None = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        """Close the app's body, then log the request (once)."""
        done, self._done = self._done, None
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            if done is not None:
                done()


def log_requests(app: _App, stream: TextIO) -> AccessLog:
    """`app` logging each request to `stream` in batches, the rest written when the process ends.

    Made in each worker after the fork (its timer thread is the worker's). A worker ends
    through multiprocessing, which runs its finalizers but not atexit.
    """
    from multiprocessing.util import Finalize

    lines = BufferedLines(stream)
    Finalize(lines, lines.close, exitpriority=10)
    return AccessLog(app, lines)
