"""The many-machine :class:`~verifier.state.StateStore`: Redis, shared by every instance.

Every instance of `laurel serve` behind a load balancer points at one Redis
(``--store redis://HOST``). ``take`` is Redis' ``GETDEL`` (one atomic command), so a
challenge issued by one instance is answered once across all of them. The rate-limit counters use the same Redis
through Flask-Limiter's own storage. When Redis cannot be reached, every call
raises :class:`~verifier.state.StateUnavailableError` quickly (short socket
timeouts, no retry loop): presentations are refused by name, plain credentials
still verify.
"""

from __future__ import annotations

from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from verifier.state import StateUnavailableError

__all__ = ["RedisStateStore"]

#: How long one Redis command may take before the store counts as unavailable.
SOCKET_TIMEOUT = 0.5


class RedisStateStore:
    """Entries in Redis under ``laurel:<namespace>:<key>``, with Redis' own expiry."""

    kind = "redis"

    def __init__(self, uri: str, *, prefix: str = "laurel") -> None:
        self._uri = uri
        self._prefix = prefix
        self._client: Any = redis.Redis.from_url(
            uri,
            socket_timeout=SOCKET_TIMEOUT,
            socket_connect_timeout=SOCKET_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
        )

    def __repr__(self) -> str:
        # The URI may carry a password: never shown.
        return f"RedisStateStore(prefix={self._prefix!r})"

    def _key(self, namespace: str, key: str) -> str:
        return f"{self._prefix}:{namespace}:{key}"

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RedisError as exc:
            raise StateUnavailableError(
                f"the shared store (Redis) did not answer ({what}: {type(exc).__name__})"
            ) from exc

    def put(
        self, namespace: str, key: str, value: bytes, *, ttl: float, limit: int | None = None
    ) -> None:
        """Store `value` for `ttl` seconds (`limit` is left to Redis' ``maxmemory`` policy)."""
        self._call("put", self._client.set, self._key(namespace, key), value, px=int(ttl * 1000))

    def get(self, namespace: str, key: str) -> bytes | None:
        """The live value under `key`, or None."""
        value = self._call("get", self._client.get, self._key(namespace, key))
        return None if value is None else bytes(value)

    def take(self, namespace: str, key: str) -> bytes | None:
        """Read and remove in one atomic command (``GETDEL``, Redis 6.2 and later)."""
        value = self._call("take", self._client.getdel, self._key(namespace, key))
        return None if value is None else bytes(value)

    def delete(self, namespace: str, key: str) -> None:
        """Forget `key`."""
        self._call("delete", self._client.delete, self._key(namespace, key))

    def count(self, namespace: str) -> int:
        """Live entries in `namespace` (a SCAN: for tests, not for hot paths)."""
        pattern = self._key(namespace, "*")
        return int(
            self._call("count", lambda: sum(1 for _ in self._client.scan_iter(match=pattern)))
        )

    def ping(self) -> None:
        """Raise :class:`StateUnavailableError` unless Redis answers."""
        self._call("ping", self._client.ping)

    def limiter_storage_uri(self) -> str:
        """The same Redis, for Flask-Limiter's counters (shared by every instance)."""
        return self._uri
