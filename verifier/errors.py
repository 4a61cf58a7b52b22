"""Errors of the verifier's I/O: every outbound fetch fails with a :class:`FetchError`.

    >>> from verifier.errors import FetchBlockedError, FetchError
    >>> err = FetchBlockedError("https://10.0.0.5/ resolves to a private address")
    >>> isinstance(err, FetchError), "--allow-private-network" in err.hint
    (True, True)

:class:`FetchBlockedError` means laurel's guard refused to make the request (scheme,
address range, redirect target); :class:`FetchFailedError` means the request was made
and did not give a usable answer (DNS, connect, TLS, HTTP status, size, time).
"""

from __future__ import annotations

from vc.errors import LaurelError

__all__ = ["BatchError", "FetchBlockedError", "FetchError", "FetchFailedError", "FrontError"]


class FetchError(LaurelError):
    """An outbound HTTP fetch did not return a usable document."""

    hint = "Check that the URL is reachable over HTTPS from this machine."


class FetchBlockedError(FetchError):
    """laurel refused to make the request: scheme, address range or redirect target."""

    hint = (
        "laurel fetches only https:// URLs on public addresses; to reach a private or "
        "loopback host you trust, pass --allow-private-network."
    )


class FetchFailedError(FetchError):
    """The request was made but failed: DNS, connect, TLS, HTTP status, size or time."""

    hint = "The server could not be reached or gave no usable answer; try again later."


class BatchError(LaurelError):
    """A worker process of a batch (``verify --jobs``) ended before it answered."""

    hint = "Run again with --jobs 1 to verify these inputs in one process and see why."


class FrontError(LaurelError):
    """``laurel serve --front``: the front could not be started (missing, its port taken)."""

    hint = (
        "--front nginx needs nginx installed (Debian: apt-get install nginx-light) and the"
        " port free; nginx's own message, if any, is above."
    )
