"""A small HTTP/1.1 load generator (asyncio, keep-alive) for `laurel serve` on loopback.

Two modes:

- **closed loop** (``rate=None``): each of `connections` sends its next request as
  soon as the last answer is in (what wrk does): the measured peak.
- **open loop** (``rate=R``): requests are due at R per second whatever the server
  does; latency counts from when a request was due, not when a connection was free
  (no coordinated omission), so queueing shows up in the figures.

Every answer is recorded with its status and latency per second of the run, so
per-status percentiles (an honest 200 against a quick 503) and per-minute drift
come out of one run. Loopback only: the host is always 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class Sample:
    """All answers of one run: (second since start, status, latency in s)."""

    answers: list[tuple[int, int, float]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def statuses(self) -> Counter[int]:
        """How many answers of each HTTP status."""
        return Counter(status for _, status, _ in self.answers)

    def latencies(
        self, status: int | None = None, first: int = 0, last: int | None = None
    ) -> list[float]:
        """Latencies (s) of answers with `status` (any), in seconds [first, last)."""
        return sorted(
            latency
            for second, code, latency in self.answers
            if (status is None or code == status)
            and second >= first
            and (last is None or second < last)
        )

    def rate(self, status: int | None = None) -> float:
        """Answers (of `status`) per second."""
        return len(self.latencies(status)) / self.seconds if self.seconds else 0.0


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` percentile of sorted `values` (nearest rank); 0 when empty."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, max(0, round(fraction * len(values) + 0.5) - 1))]


def request_bytes(method: str, path: str, body: bytes = b"", *, host: str = "laurel.test") -> bytes:
    """One HTTP/1.1 keep-alive request."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes
) -> tuple[int, bool, float]:
    writer.write(data)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close, retry_after = 0, False, 0.0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection" and value.strip().lower() == "close":
            close = True
        elif name.lower() == "retry-after" and value.strip().isdigit():
            retry_after = float(value)
    if length:
        await reader.readexactly(length)
    return status, close, retry_after


async def _worker(
    port: int,
    data: bytes,
    started: float,
    stop: float,
    sample: Sample,
    due: asyncio.Queue[float] | None,
    timeout: float,
    polite: bool,
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while True:
        if due is None:
            if time.monotonic() >= stop:
                break
            at = time.monotonic()
        else:
            at = await due.get()
            if at < 0:
                break
            delay = at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(HOST, port), timeout
                )
            assert reader is not None
            status, close, retry_after = await asyncio.wait_for(
                _exchange(reader, writer, data), timeout
            )
        except (
            OSError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            TimeoutError,
        ) as exc:
            sample.errors[type(exc).__name__] += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        now = time.monotonic()
        sample.answers.append((int(at - started), status, now - at))
        if close:
            writer.close()
            reader = writer = None
        if polite and retry_after and due is None:
            # A well-behaved client waits as asked before its next request.
            await asyncio.sleep(min(retry_after, max(0.0, stop - time.monotonic())))
    if writer is not None:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _run(
    port: int,
    data: bytes,
    seconds: float,
    connections: int,
    rate: float | None,
    timeout: float,
    polite: bool,
) -> Sample:
    sample = Sample()
    started = time.monotonic()
    stop = started + seconds
    due: asyncio.Queue[float] | None = None
    feeder = None
    if rate is not None:
        due = asyncio.Queue()

        async def feed() -> None:
            assert due is not None
            n = 0
            while True:
                at = started + n / rate
                if at >= stop:
                    break
                # Keep the queue a little ahead of time, never far.
                while at - time.monotonic() > 0.05:
                    await asyncio.sleep(0.01)
                due.put_nowait(at)
                n += 1
            for _ in range(connections):
                due.put_nowait(-1.0)

        feeder = asyncio.create_task(feed())
    workers = [
        asyncio.create_task(_worker(port, data, started, stop, sample, due, timeout, polite))
        for _ in range(connections)
    ]
    await asyncio.gather(*workers)
    if feeder is not None:
        await feeder
    sample.seconds = time.monotonic() - started
    return sample


def run(
    port: int,
    data: bytes,
    *,
    seconds: float,
    connections: int,
    rate: float | None = None,
    timeout: float = 30.0,
    polite: bool = False,
) -> Sample:
    """Send `data` (a whole HTTP request) to 127.0.0.1:`port` for `seconds`.

    `polite` (closed loop): a connection told to come back later (429/503 with
    Retry-After) waits that long before its next request, as a well-behaved client does.
    """
    return asyncio.run(_run(port, data, seconds, connections, rate, timeout, polite))
