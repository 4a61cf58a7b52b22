"""`ChainDirectory`: the chains a verifier consults, and its cache of final registry records."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from anchor.errors import AnchorError

if TYPE_CHECKING:
    from anchor.chain import Chain, Lookup
    from anchor.proof import AnchorProof

__all__ = ["LOOKUP_CACHE_SECONDS", "CachedRecord", "ChainDirectory"]

#: How long a final, unrevoked registry record is reused before it is read again.
LOOKUP_CACHE_SECONDS = 300.0


@dataclass(slots=True)
class CachedRecord:
    """A registry record read from a chain, kept while it may be reused."""

    lookup: Lookup
    block_hash: bytes | None
    expires: float
    #: How final the record was when read, for the message (and for reuse).
    finality: str = ""
    final_on_mining: bool = False
    confirmations: int | None = None


@dataclass
class ChainDirectory:
    """Where to look up anchors: the embedded chain file and any JSON-RPC nodes.

    Connections are made on first use and reused; final, unrevoked registry records
    are cached for :data:`LOOKUP_CACHE_SECONDS`, and a cached record is judged
    without opening any chain (so a revocation recorded meanwhile is seen only once
    the entry expires). Thread-safe (the service shares one).
    """

    rpc_urls: tuple[str, ...] = ()
    embedded_path: Path | None = None
    #: Seconds one check may spend on a node's JSON-RPC requests, all of them together.
    timeout: float = 5.0
    #: True when the embedded chain was picked by default (the local wallet's), not
    #: named by the user: an anchor on another chain is then not judged against it.
    embedded_by_default: bool = False
    _chains: dict[str, Chain | AnchorError] = field(default_factory=dict, repr=False)
    _cache: dict[tuple[int, bytes, bytes, bytes], CachedRecord] = field(
        default_factory=dict, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def configured(self) -> bool:
        """Whether any chain is named at all."""
        return bool(self.rpc_urls) or self.embedded_path is not None

    def chains(self) -> Iterator[Chain | AnchorError]:
        """Each configured chain (connected lazily), or the error connecting to it gave."""
        from anchor.embedded import EmbeddedChain
        from anchor.rpc import RpcChain

        if self.embedded_path is not None:
            # Opened afresh each time (a few ms): another process may have mined since.
            try:
                embedded = EmbeddedChain.open(self.embedded_path)
            except AnchorError as exc:
                yield exc
            else:
                try:
                    yield embedded
                finally:
                    embedded.close()
        for url in self.rpc_urls:
            if url not in self._chains:
                self._chains[url] = RpcChain(url, timeout=self.timeout, retries=0)
            yield self._chains[url]

    def cached(self, chain_id: int, anchor: AnchorProof, now: float) -> CachedRecord | None:
        """A fresh cached record for `anchor`, if any."""
        with self._lock:
            entry = self._cache.get((chain_id, anchor.contract, anchor.root, anchor.leaf))
        return entry if entry is not None and entry.expires > now else None

    def remember(self, chain_id: int, anchor: AnchorProof, entry: CachedRecord) -> None:
        """Keep a final record for reuse."""
        with self._lock:
            self._cache[(chain_id, anchor.contract, anchor.root, anchor.leaf)] = entry
