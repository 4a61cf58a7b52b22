"""The access log of a ``laurel serve`` worker, written in batches rather than a line at a time.

granian writes each access line from the Python thread that answered the request, with
one ``write`` to standard output. A write gives up the GIL, and while other threads of
the worker are waiting for it, one of them takes it: measured with one worker under
``wrk -c16``, a line a request cost three more context switches a request (4.9 against
1.7 without the log) and 9-30 % of the worker's CPU. As nginx's ``access_log ...
buffer= flush=`` does, the lines are kept and written together: when 64 KiB are
waiting, and at the latest a second after the first of them (a timer thread), and when
the worker ends normally. A worker killed outright loses at most that second of lines.
"""

from __future__ import annotations

import logging
import threading
from typing import TextIO

__all__ = ["ACCESS_LOGGER", "BufferedLineHandler", "buffer_access_log"]

#: granian's access logger (granian.log).
ACCESS_LOGGER = "granian.access"
#: Bytes of lines kept before they are written.
MAX_BUFFERED = 64 * 1024
#: Longest a line waits (seconds).
MAX_DELAY = 1.0


class BufferedLineHandler(logging.Handler):
    """Formats each record at once and writes the lines to `stream` in batches."""

    def __init__(
        self, stream: TextIO, *, max_bytes: int = MAX_BUFFERED, max_delay: float = MAX_DELAY
    ) -> None:
        super().__init__()
        self.stream = stream
        self._max_bytes = max_bytes
        self._lines: list[str] = []
        self._size = 0
        self._stopped = threading.Event()
        self._timer = threading.Thread(
            target=self._flush_every, args=(max_delay,), name="laurel-access-log", daemon=True
        )
        self._timer.start()

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the line of `record`; write the batch once it is large enough."""
        try:
            line = self.format(record) + "\n"
        except Exception:
            self.handleError(record)
            return
        # Handler.handle holds self.lock around emit.
        self._lines.append(line)
        self._size += len(line)
        if self._size >= self._max_bytes:
            self._write()

    def flush(self) -> None:
        """Write every line kept so far."""
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            self._write()

    def close(self) -> None:
        """Write what is kept, stop the timer, and close as any handler does."""
        self._stopped.set()
        self.flush()
        super().close()

    def _write(self) -> None:
        if not self._lines:
            return
        text = "".join(self._lines)
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


def buffer_access_log() -> BufferedLineHandler | None:
    """Put granian's access log of this process through a :class:`BufferedLineHandler`.

    The handler writing to a stream is replaced by one buffering to that stream, with
    its formatter, and its lines are written when the process ends normally. Returns
    the new handler, or None when the access log has no stream handler (it is off).
    """
    logger = logging.getLogger(ACCESS_LOGGER)
    for old in list(logger.handlers):
        if isinstance(old, logging.StreamHandler) and not isinstance(old, logging.FileHandler):
            new = BufferedLineHandler(old.stream)
            new.setFormatter(old.formatter)
            new.setLevel(old.level)
            logger.removeHandler(old)
            logger.addHandler(new)
            # A worker process ends through multiprocessing, which runs its finalizers
            # but not atexit (where logging flushes its handlers).
            from multiprocessing.util import Finalize

            Finalize(new, new.close, exitpriority=10)
            return new
    return None
