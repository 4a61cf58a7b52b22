"""The in-process :class:`~verifier.state.StateStore`: a dict behind a lock (one process only)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["MemoryStateStore"]


class MemoryStateStore:
    """Entries in this process's memory; thread-safe; `ttl` judged by `clock` (``time.time``)."""

    kind = "memory"

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        # namespace -> key -> (value, dies at); insertion order is age order.
        self._spaces: dict[str, dict[str, tuple[bytes, float]]] = {}

    def put(
        self, namespace: str, key: str, value: bytes, *, ttl: float, limit: int | None = None
    ) -> None:
        """Store `value` for `ttl` seconds; a full namespace sheds expired, then oldest entries."""
        now = self._clock()
        with self._lock:
            space = self._spaces.setdefault(namespace, {})
            space.pop(key, None)
            if limit is not None and len(space) >= limit:
                for old in [k for k, (_, dies) in space.items() if dies <= now]:
                    del space[old]
                if len(space) >= limit:
                    for old in list(space)[: max(1, limit // 10)]:
                        del space[old]
            space[key] = (value, now + ttl)

    def get(self, namespace: str, key: str) -> bytes | None:
        """The live value under `key`, or None."""
        with self._lock:
            entry = self._spaces.get(namespace, {}).get(key)
            return entry[0] if entry is not None and entry[1] > self._clock() else None

    def take(self, namespace: str, key: str) -> bytes | None:
        """Read and remove in one step under the lock."""
        with self._lock:
            entry = self._spaces.get(namespace, {}).pop(key, None)
            return entry[0] if entry is not None and entry[1] > self._clock() else None

    def delete(self, namespace: str, key: str) -> None:
        """Forget `key`."""
        with self._lock:
            self._spaces.get(namespace, {}).pop(key, None)

    def count(self, namespace: str) -> int:
        """Live entries in `namespace`."""
        now = self._clock()
        with self._lock:
            return sum(1 for _, dies in self._spaces.get(namespace, {}).values() if dies > now)

    def limiter_storage_uri(self) -> str:
        """Counters in this process's memory."""
        return "memory://"
