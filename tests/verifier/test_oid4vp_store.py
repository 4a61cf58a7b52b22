"""The OID4VP transaction store: put with a TTL, take once across processes, expired still known."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

from verifier.oid4vp_store import GRACE, SqliteTransactionStore

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TTL = dt.timedelta(minutes=5)


def _take(path: str, results: multiprocessing.Queue) -> None:
    found = SqliteTransactionStore(Path(path)).take("tx", NOW)
    results.put(None if found is None else found.state)


def test_one_taker_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "oid4vp.db"
    SqliteTransactionStore(path).put("tx", {"nonce": "n"}, now=NOW, ttl=TTL)
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue = context.Queue()
    workers = [context.Process(target=_take, args=(str(path), results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(results.get(timeout=10) for _ in workers) == ["live", "taken", "taken", "taken"]


def test_expired_then_forgotten_after_the_grace(tmp_path: Path) -> None:
    store = SqliteTransactionStore(tmp_path / "s.db")
    store.put("tx", {"a": 1}, now=NOW, ttl=TTL)
    later = NOW + TTL
    assert store.get("tx", later).state == "expired"
    found = store.take("tx", later)
    assert found is not None
    assert found.state == "expired"
    store.put("other", {}, now=later + GRACE + dt.timedelta(seconds=1), ttl=TTL)
    assert store.get("tx", later) is None
    assert store.get("never", NOW) is None
