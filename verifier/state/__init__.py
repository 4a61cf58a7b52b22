"""Shared state of the verifier service: one small Protocol, three stores.

Challenges, OID4VP/OID4VCI transaction state and rate-limit counters live in a
:class:`StateStore`. One machine uses SQLite (every server worker opens the same
file); several machines behind a load balancer use Redis (``--store redis://HOST``
or ``LAUREL_STORE``); tests and single-process uses keep it in memory.

    >>> store = open_store("memory://")
    >>> store.put("demo", "k", b"v", ttl=60.0)
    >>> store.get("demo", "k"), store.take("demo", "k"), store.take("demo", "k")
    (b'v', b'v', None)
    >>> store.take("demo", "never") is None
    True

``take`` is the single-use primitive: it reads and removes a value in one atomic
step (Redis ``GETDEL``), in every implementation, so two instances answering the same
challenge at once cannot both see it unused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from vc.errors import LaurelError

__all__ = [
    "StateStore",
    "StateUnavailableError",
    "open_store",
    "store_uri_help",
]


class StateUnavailableError(LaurelError):
    """The shared store (Redis) cannot be reached: nothing single-use can be decided now."""

    hint = "The verifier's shared store is down; try again in a moment (plain credentials still verify)."


@runtime_checkable
class StateStore(Protocol):
    """Values with a time to live, in namespaces, read and taken atomically.

    Keys and namespaces are short ASCII strings; values are bytes. The store's own
    clock judges `ttl` (it is garbage collection: callers that need an exact expiry
    keep it inside the value and judge it with their own clock).
    """

    #: ``memory``, ``sqlite`` or ``redis``.
    kind: str

    def put(
        self, namespace: str, key: str, value: bytes, *, ttl: float, limit: int | None = None
    ) -> None:
        """Store `value` under `key` for `ttl` seconds (replacing any value).

        With `limit`, a namespace that already holds `limit` entries first loses its
        expired entries, then its oldest tenth (stores that bound memory otherwise,
        such as Redis with ``maxmemory``, may ignore it).

        Raises:
            StateUnavailableError: the store cannot be reached.
        """
        ...

    def get(self, namespace: str, key: str) -> bytes | None:
        """The value under `key`, or None when there is none (or it outlived its ttl)."""
        ...

    def take(self, namespace: str, key: str) -> bytes | None:
        """Atomically read the value under `key` and remove it (None when there is none).

        Of any number of concurrent takers, across processes and machines sharing the
        store, exactly one gets the value.
        """
        ...

    def delete(self, namespace: str, key: str) -> None:
        """Forget `key` (nothing happens when it is not there)."""
        ...

    def count(self, namespace: str) -> int:
        """How many live entries `namespace` holds (for tests and capacity checks)."""
        ...

    def limiter_storage_uri(self) -> str:
        """The Flask-Limiter (``limits``) storage URI for the rate-limit counters."""
        ...


def store_uri_help() -> str:
    """What ``--store`` accepts, for help texts and errors."""
    return "memory://, sqlite:////ABSOLUTE/PATH (one machine) or redis://HOST[:PORT][/DB] (several)"


def open_store(uri: str, *, default_sqlite: Path | None = None) -> StateStore:
    """Open the store named by `uri` (see :func:`store_uri_help`).

    An empty `uri` means SQLite at `default_sqlite` (or memory when none is given).

    Raises:
        ValueError: the URI names no supported store.
    """
    if not uri:
        uri = "memory://" if default_sqlite is None else f"sqlite:///{default_sqlite.absolute()}"
    if uri == "memory://":
        from verifier.state.memory import MemoryStateStore

        return MemoryStateStore()
    if uri.startswith("sqlite:///"):
        from verifier.state.sqlite import SqliteStateStore

        # As SQLAlchemy writes them: sqlite:///relative.db, sqlite:////absolute/path.db.
        return SqliteStateStore(Path(uri[len("sqlite:///") :]))
    if uri.startswith(("redis://", "rediss://", "unix://")):
        from verifier.state.redis_store import RedisStateStore

        return RedisStateStore(uri)
    raise ValueError(f"unsupported store {uri!r}: use {store_uri_help()}")
