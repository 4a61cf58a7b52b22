"""The shared state stores: memory, SQLite and a real Redis, held to one contract."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service_tools import RedisServer, redis_server
from verifier.challenges import StoredChallenges
from verifier.state import StateStore, StateUnavailableError, open_store
from verifier.state.memory import MemoryStateStore
from verifier.state.redis_store import RedisStateStore
from verifier.state.sqlite import SqliteStateStore

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StateStore:
    if request.param == "memory":
        return open_store("memory://")
    if request.param == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'state.db'}")
    server: RedisServer = request.getfixturevalue("redis")
    made = open_store(server.uri)
    assert isinstance(made, RedisStateStore)
    made._client.flushdb()
    return made


def test_put_get_take(store: StateStore) -> None:
    store.put("t", "a", b"one", ttl=60)
    assert store.get("t", "a") == b"one"
    assert store.get("other", "a") is None
    assert store.count("t") == 1
    assert store.take("t", "a") == b"one"
    assert store.take("t", "a") is None
    assert store.get("t", "a") is None
    assert store.count("t") == 0


def test_put_replaces(store: StateStore) -> None:
    store.put("t", "a", b"one", ttl=60)
    store.put("t", "a", b"two", ttl=60)
    assert store.take("t", "a") == b"two"


def test_entries_die_after_their_ttl(store: StateStore) -> None:
    store.put("t", "short", b"x", ttl=0.2)
    store.put("t", "long", b"y", ttl=60)
    time.sleep(0.35)
    assert store.get("t", "short") is None
    assert store.take("t", "short") is None
    assert store.get("t", "long") == b"y"


def test_delete(store: StateStore) -> None:
    store.put("t", "a", b"x", ttl=60)
    store.delete("t", "a")
    store.delete("t", "never")
    assert store.get("t", "a") is None


def test_take_is_single_use_under_concurrency(store: StateStore) -> None:
    # 16 threads race for one value: exactly one gets it, in every store.
    store.put("t", "prize", b"won", ttl=60)
    got: list[bytes | None] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def race() -> None:
        start.wait()
        value = store.take("t", "prize")
        with lock:
            got.append(value)

    threads = [threading.Thread(target=race) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got, key=lambda v: v is None) == [b"won"] + [None] * 15


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_full_namespace_sheds_its_oldest(kind: str, tmp_path: Path) -> None:
    store: StateStore = (
        MemoryStateStore() if kind == "memory" else SqliteStateStore(tmp_path / "s.db")
    )
    for index in range(25):
        store.put("t", f"k{index}", b"x", ttl=60, limit=10)
    assert store.count("t") <= 10
    assert store.get("t", "k0") is None
    assert store.get("t", "k24") == b"x"


def test_challenges_on_redis_behave_as_on_sqlite(redis: RedisServer, tmp_path: Path) -> None:
    for store in (open_store(redis.uri), open_store(f"sqlite:///{tmp_path / 'c.db'}")):
        book = StoredChallenges(store)
        issued = book.issue(NOW, domain="hiring.example")
        assert book.peek(issued.value, NOW).outcome == "ok"
        assert [book.consume(issued.value, NOW) for _ in range(3)] == ["ok", "reused", "reused"]
        assert book.peek(issued.value, NOW).outcome == "reused"
        assert book.take(issued.value, NOW + dt.timedelta(minutes=6)).outcome == "expired"
        assert book.take("never-issued", NOW).outcome == "unknown"
        assert book.take("not a challenge at all \x00", NOW).outcome == "unknown"


def test_redis_that_went_away_is_a_named_error_quickly() -> None:
    server = RedisServer()
    server.start()
    store = open_store(server.uri)
    store.put("t", "a", b"x", ttl=60)
    server.stop()
    started = time.monotonic()
    with pytest.raises(StateUnavailableError) as caught:
        store.take("t", "a")
    assert time.monotonic() - started < 2
    assert "Redis" in caught.value.message
    with pytest.raises(StateUnavailableError):
        StoredChallenges(store).issue(NOW)
    # It comes back (empty: nothing was saved) and the same store object works again.
    server.start()
    try:
        store.put("t", "b", b"y", ttl=60)
        assert store.take("t", "b") == b"y"
    finally:
        server.stop()


def test_redis_store_hides_its_uri() -> None:
    store = RedisStateStore("redis://:s3cret-password@127.0.0.1:1/0")
    assert "s3cret" not in repr(store)


def test_open_store_names_what_it_accepts(tmp_path: Path) -> None:
    assert open_store("").kind == "memory"
    assert open_store("", default_sqlite=tmp_path / "d.db").kind == "sqlite"
    with pytest.raises(ValueError, match="redis://"):
        open_store("postgres://db")


# --- OID4VP transactions on the shared store --------------------------------------------------


@pytest.fixture(params=["sqlite-original", "memory", "sqlite", "redis"])
def transactions(request: pytest.FixtureRequest, tmp_path: Path):
    from verifier.oid4vp_store import SqliteTransactionStore
    from verifier.state.transactions import StateTransactionStore

    if request.param == "sqlite-original":
        return SqliteTransactionStore(tmp_path / "tx.db")  # the contract's reference
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis")
        server.flush()
        return StateTransactionStore(open_store(server.uri))
    uri = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 's.db'}"
    return StateTransactionStore(open_store(uri))


def test_transactions_follow_the_oid4vp_store_contract(transactions) -> None:
    ttl = dt.timedelta(minutes=5)
    transactions.put("tx", {"nonce": "n"}, now=NOW, ttl=ttl)
    assert transactions.get("tx", NOW).state == "live"
    first = transactions.take("tx", NOW)
    assert (first.value, first.state) == ({"nonce": "n"}, "live")
    assert transactions.take("tx", NOW).state == "taken"
    assert transactions.get("tx", NOW).state == "taken"
    assert transactions.get("tx", NOW + dt.timedelta(minutes=6)).state == "expired"
    assert transactions.take("never", NOW) is None
    transactions.put("late", {"nonce": "m"}, now=NOW, ttl=ttl)
    assert transactions.take("late", NOW + dt.timedelta(minutes=6)).state == "expired"
    transactions.put("late", {"nonce": "m"}, now=NOW, ttl=ttl)  # put again: live again
    assert transactions.take("late", NOW).state == "live"


def test_transactions_are_taken_once_under_concurrency(transactions) -> None:
    transactions.put("tx", {"nonce": "n"}, now=NOW, ttl=dt.timedelta(minutes=5))
    states: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def race() -> None:
        start.wait()
        found = transactions.take("tx", NOW)
        with lock:
            states.append(found.state)

    threads = [threading.Thread(target=race) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(states) == ["live"] + ["taken"] * 11
