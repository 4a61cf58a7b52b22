"""The connection a fetch talks over: to the address the guard checked, by the fetch's deadline.

:func:`connect` opens a socket to one checked address (for https, TLS verifies the
certificate against the host name, not the address); :func:`pinned_connection` gives
``http.client`` that socket, whose every read ends by the deadline, so no lookup
happens again and a slow drip cannot outlast the fetch.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
from collections.abc import Callable
from typing import Any, cast

from verifier.errors import FetchFailedError
from verifier.ssrf import IPAddress, Target, short_url

__all__ = ["PinnedConnection", "connect", "pinned_connection"]


class _DeadlineReader(io.RawIOBase):
    """A socket's read side where every read ends by the fetch's deadline."""

    def __init__(
        self, sock: socket.socket, deadline: float, read_timeout: float, clock: Callable[[], float]
    ) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline
        self._read_timeout = read_timeout
        self._clock = clock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - self._clock()
        if remaining <= 0:
            raise TimeoutError("the fetch deadline passed")
        self._sock.settimeout(min(remaining, self._read_timeout))
        return self._sock.recv_into(buffer)


class _GuardedSocket:
    """What http.client sees as its socket: sends go through, reads obey the deadline."""

    def __init__(self, sock: socket.socket, reader: _DeadlineReader) -> None:
        self._sock = sock
        self._reader = reader

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        if mode != "rb":
            raise ValueError("only binary reads are supported")
        return io.BufferedReader(self._reader)

    def sendall(self, data: bytes) -> None:
        self._sock.sendall(data)

    def close(self) -> None:
        # http.client closes its socket as soon as the headers say "Connection: close",
        # before the body is read; the Fetcher closes the real socket when done.
        return None


class PinnedConnection(http.client.HTTPConnection):
    """An HTTP/1.1 connection over a socket laurel opened and checked itself."""

    def __init__(self, host: str, port: int, sock: _GuardedSocket) -> None:
        super().__init__(host, port)
        self._guarded = sock

    def connect(self) -> None:
        """Use the socket given: never open one of its own."""
        self.sock = cast(socket.socket, self._guarded)


def connect(
    target: Target,
    addresses: list[IPAddress],
    deadline: float,
    *,
    connect_timeout: float,
    ssl_context: ssl.SSLContext,
    clock: Callable[[], float],
) -> socket.socket:
    """A connected (and for https, verified) socket to one of the checked addresses.

    Raises:
        FetchFailedError: no address took the connection by the deadline, or TLS failed.
    """
    last: OSError | None = None
    for address in addresses:
        remaining = deadline - clock()
        if remaining <= 0:
            break
        try:
            # socket.create_connection is looked up on the module at call time, so the
            # address connected to is the checked one and nothing resolves it again.
            sock = socket.create_connection(
                (str(address), target.port),
                timeout=min(connect_timeout, remaining),
            )
        except OSError as exc:
            last = exc
            continue
        if target.scheme == "http":
            return sock
        try:
            sock.settimeout(min(connect_timeout, max(deadline - clock(), 0.001)))
            # TLS SNI and certificate verification use the host name, not the address.
            return ssl_context.wrap_socket(sock, server_hostname=target.host)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise FetchFailedError(
                f"the TLS certificate of {short_url(target.url)} is not valid for "
                f"{target.host[:64]!r}: {exc.verify_message}"
            ) from exc
        except OSError as exc:
            sock.close()
            raise FetchFailedError(
                f"the TLS handshake with {short_url(target.url)} failed"
            ) from exc
    if last is None:
        raise FetchFailedError(f"fetching {short_url(target.url)} took too long")
    raise FetchFailedError(f"could not connect to {short_url(target.url)}") from last


def pinned_connection(
    target: Target,
    sock: socket.socket,
    deadline: float,
    *,
    read_timeout: float,
    clock: Callable[[], float],
) -> PinnedConnection:
    """An HTTP connection to `target` over `sock`, every read ending by `deadline`."""
    reader = _DeadlineReader(sock, deadline, read_timeout, clock)
    return PinnedConnection(target.host, target.port, _GuardedSocket(sock, reader))
