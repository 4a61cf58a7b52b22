from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from wallet.errors import (
    CredentialNotFoundError,
    WalletBusyError,
    WalletCorruptError,
    WalletError,
    WalletExistsError,
    WalletNotFoundError,
)
from wallet.store import SCHEMA_VERSION, Store

REPO = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def clock() -> dt.datetime:
    return NOW


def badge(n: int, *, pad: int = 0) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:key:z6MkIssuer", "type": ["Profile"], "name": "District"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"did:example:learner{n}",
            "type": ["AchievementSubject"],
            "achievement": {"id": "urn:a", "name": f"Badge {n}", "description": "x" * pad},
        },
    }


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wallet.db"


@pytest.fixture
def store(db: Path):
    with Store.create(db, clock=clock) as opened:
        yield opened


def filled(db: Path, count: int = 20) -> bytes:
    with Store.create(db) as store, store.transaction():
        for n in range(count):
            store.add_credential(badge(n, pad=500), origin="issued")
    return db.read_bytes()


def run_child(script: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


# --- create / open -----------------------------------------------------------------


def test_exact_text_round_trips_through_reopen(db: Path):
    text = '{"id":"urn:uuid:1",  "name": "Café ☕",\n"n": 1.50}'
    with Store.create(db, clock=clock) as store:
        stored = store.add_credential(json.loads(text), origin="imported", text=text)
    assert stored.text == text
    with Store.open(db) as store:
        again = store.get_credential("urn:uuid:1")
    assert again.text == text
    assert again.document == {"id": "urn:uuid:1", "name": "Café ☕", "n": 1.5}
    assert again == stored


def test_default_text_is_indented_unescaped_json(store: Store):
    stored = store.add_credential({"id": "urn:x", "name": "Café"}, origin="issued")
    assert stored.text == json.dumps(stored.document, ensure_ascii=False, indent=2)
    assert "Café" in stored.text
    assert stored.added_at == "2026-06-01T12:00:00Z"
    assert stored.verified
    assert not stored.anchored


def test_returned_document_is_not_the_callers_dict(store: Store):
    document = badge(1)
    stored = store.add_credential(document, origin="issued")
    document["name"] = "changed"
    assert "name" not in stored.document


def test_create_is_0600_whatever_the_umask(db: Path):
    old = os.umask(0)
    try:
        with Store.create(db) as store, store.transaction():
            store.add_credential(badge(1), origin="issued")
            journal = db.with_name(db.name + "-journal")
            assert journal.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
    assert db.stat().st_mode & 0o777 == 0o600


def test_create_refuses_an_existing_file(db: Path):
    original = filled(db)
    with pytest.raises(WalletExistsError, match=str(db)):
        Store.create(db)
    assert db.read_bytes() == original


def test_create_in_a_missing_folder_is_a_wallet_error(tmp_path: Path):
    with pytest.raises(WalletError, match="cannot create"):
        Store.create(tmp_path / "nope" / "wallet.db")


def test_open_never_creates(db: Path):
    with pytest.raises(WalletNotFoundError, match=str(db)):
        Store.open(db)
    assert not db.exists()


def test_schema_has_the_status_allocations_table(store: Store, db: Path):
    store.close()
    with sqlite3.connect(db) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
        version = raw.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    assert {"meta", "settings", "credentials", "status_allocations"} <= tables
    assert version == str(SCHEMA_VERSION)


def test_journal_mode_is_delete_and_synchronous_full(store: Store):
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 16384


# --- corrupt files -----------------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.5, 0.0], ids=["half", "empty"])
def test_truncated_database_is_corrupt_and_left_alone(db: Path, fraction: float):
    original = filled(db, 200)
    truncated = original[: int(len(original) * fraction)]
    db.write_bytes(truncated)
    with pytest.raises(WalletCorruptError, match=str(db)):
        Store.open(db)
    assert db.read_bytes() == truncated


def test_random_file_is_corrupt_and_left_alone(db: Path):
    junk = os.urandom(8192)
    db.write_bytes(junk)
    with pytest.raises(WalletCorruptError, match=str(db)):
        Store.open(db)
    assert db.read_bytes() == junk


def test_other_sqlite_database_is_not_a_wallet(db: Path):
    with sqlite3.connect(db) as raw:
        raw.execute("CREATE TABLE t (x)")
    raw.close()
    with pytest.raises(WalletCorruptError, match="not a laurel wallet"):
        Store.open(db)


def test_unknown_schema_version_is_refused(db: Path):
    filled(db, 1)
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    raw.close()
    with pytest.raises(WalletCorruptError, match="schema version 99"):
        Store.open(db)


def test_missing_tables_are_refused(db: Path):
    filled(db, 1)
    with sqlite3.connect(db) as raw:
        raw.execute("DROP TABLE status_allocations")
    raw.close()
    with pytest.raises(WalletCorruptError, match="lacks the tables"):
        Store.open(db)


def test_damaged_page_fails_quick_check(db: Path):
    filled(db, 200)
    with sqlite3.connect(db) as raw:
        root = raw.execute("SELECT rootpage FROM sqlite_schema WHERE name='credentials'").fetchone()
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    data = bytearray(db.read_bytes())
    start = (root[0] - 1) * page_size
    data[start : start + 64] = b"\xff" * 64
    db.write_bytes(bytes(data))
    with pytest.raises(WalletCorruptError, match=str(db)):
        Store.open(db)
    assert db.read_bytes() == bytes(data)


def test_unparsable_stored_json_is_corrupt(db: Path):
    filled(db, 1)
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE credentials SET text = '{not json'")
    raw.close()
    with Store.open(db) as store, pytest.raises(WalletCorruptError, match="not valid JSON"):
        store.list_credentials()


# --- credentials -------------------------------------------------------------------


def test_duplicate_id_is_refused_and_nothing_changes(store: Store):
    first = store.add_credential(badge(1), origin="issued")
    with pytest.raises(WalletError, match="already in the wallet"):
        store.add_credential({**badge(1), "name": "other"}, origin="imported")
    assert store.list_credentials() == [first]


def test_duplicate_roster_key_is_refused(store: Store):
    store.add_credential(badge(1), origin="issued", roster_key="row-1")
    with pytest.raises(WalletError, match="roster entry"):
        store.add_credential(badge(2), origin="issued", roster_key="row-1")
    assert store.count_credentials() == 1


@pytest.mark.parametrize(
    "bad_id", [None, "", 7, ["urn:x"]], ids=["missing", "empty", "int", "list"]
)
def test_credential_without_string_id_is_refused(store: Store, bad_id):
    document = badge(1)
    if bad_id is None:
        del document["id"]
    else:
        document["id"] = bad_id
    with pytest.raises(WalletError, match="no id"):
        store.add_credential(document, origin="imported")
    assert store.count_credentials() == 0


def test_unknown_origin_is_a_value_error(store: Store):
    with pytest.raises(ValueError, match="origin"):
        store.add_credential(badge(1), origin="stolen")


def test_text_must_parse_to_the_document(store: Store):
    with pytest.raises(ValueError, match="does not parse"):
        store.add_credential(badge(1), origin="imported", text='{"id": "urn:other"}')
    assert store.count_credentials() == 0


def test_document_that_is_not_json_is_refused(store: Store):
    with pytest.raises(ValueError, match="round trip"):
        store.add_credential({"id": "urn:x", "t": (1, 2)}, origin="issued")


def test_unverified_import_is_kept_as_unverified(store: Store, db: Path):
    store.add_credential(badge(1), origin="imported", verified=False)
    store.close()
    with Store.open(db) as reopened:
        stored = reopened.get_credential(badge(1)["id"])
    assert (stored.origin, stored.verified) == ("imported", False)


def test_get_missing_credential(store: Store):
    with pytest.raises(CredentialNotFoundError, match="urn:nope"):
        store.get_credential("urn:nope")


def test_delete_missing_credential(store: Store):
    with pytest.raises(CredentialNotFoundError, match="urn:nope"):
        store.delete_credential("urn:nope")


def test_delete_removes_only_that_credential(store: Store):
    for n in range(3):
        store.add_credential(badge(n), origin="issued")
    store.delete_credential(badge(1)["id"])
    assert [c.id for c in store.list_credentials()] == [badge(0)["id"], badge(2)["id"]]
    assert store.count_credentials() == 2


def test_list_is_oldest_first_even_after_a_delete(store: Store):
    for n in (5, 1, 9):
        store.add_credential(badge(n), origin="issued")
    store.delete_credential(badge(9)["id"])
    store.add_credential(badge(3), origin="issued")
    assert [c.name for c in store.list_credentials()] == ["Badge 5", "Badge 1", "Badge 3"]


def test_credential_for_roster_key(store: Store):
    stored = store.add_credential(badge(1), origin="issued", roster_key="row-1")
    assert store.credential_for_roster_key("row-1") == stored
    assert store.credential_for_roster_key("row-2") is None


def test_settings(store: Store):
    assert store.get_setting("name") is None
    store.set_setting("name", "District")
    store.set_setting("name", "District 9")
    assert store.get_setting("name") == "District 9"


# --- denormalized fields -----------------------------------------------------------


def test_summary_of_an_ob3_badge(store: Store):
    stored = store.add_credential(badge(4), origin="issued")
    assert (stored.name, stored.issuer, stored.recipient, stored.valid_from) == (
        "Badge 4",
        "did:key:z6MkIssuer",
        "did:example:learner4",
        "2026-01-01T00:00:00Z",
    )


def test_summary_prefers_the_credential_name_and_a_string_issuer(store: Store):
    document = {**badge(1), "name": "Top", "issuer": "did:web:school.example"}
    stored = store.add_credential(document, origin="issued")
    assert (stored.name, stored.issuer) == ("Top", "did:web:school.example")


def test_summary_uses_the_identity_hash_without_a_subject_id(store: Store):
    document = badge(1)
    subject = document["credentialSubject"]
    del subject["id"]
    subject["identifier"] = [
        {"type": "IdentityObject", "hashed": True, "identityHash": "sha256$abc"}
    ]
    stored = store.add_credential(document, origin="imported")
    assert stored.recipient == "sha256$abc"


@pytest.mark.parametrize(
    "changes",
    [
        {"issuer": 5, "validFrom": None, "credentialSubject": "x"},
        {"issuer": {"id": 3}, "validFrom": [], "credentialSubject": []},
        {"issuer": [], "credentialSubject": [{"identifier": {"identityHash": 1}}]},
        {"credentialSubject": {"achievement": ["x"], "identifier": "y"}},
        {"credentialSubject": {"achievement": {"name": {"en": "x"}}, "identifier": [1, {}]}},
    ],
    ids=["scalars", "empty-lists", "bad-hash", "bad-achievement", "language-map"],
)
def test_summary_of_weird_shapes_is_none(store: Store, changes):
    document = {**badge(1), **changes}
    stored = store.add_credential(document, origin="imported", verified=False)
    assert (stored.name, stored.recipient) == (None, None)
    assert stored.issuer in (None, "did:key:z6MkIssuer")


def test_summary_reads_value_objects_and_vc11_dates(store: Store):
    document = {"id": "urn:x", "name": {"@value": "Nom", "@language": "fr"}}
    document["issuanceDate"] = "2020-01-01T00:00:00Z"
    stored = store.add_credential(document, origin="imported")
    assert (stored.name, stored.valid_from) == ("Nom", "2020-01-01T00:00:00Z")


# --- transactions ------------------------------------------------------------------


def test_transaction_rolls_back_on_exception(store: Store):
    def add_then_fail() -> None:
        with store.transaction():
            store.add_credential(badge(1), origin="issued")
            store.set_setting("name", "x")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        add_then_fail()
    assert store.count_credentials() == 0
    assert store.get_setting("name") is None


def test_transaction_commits(store: Store, db: Path):
    with store.transaction():
        store.add_credential(badge(1), origin="issued")
        store.add_credential(badge(2), origin="issued")
    store.close()
    with Store.open(db) as reopened:
        assert reopened.count_credentials() == 2


def test_nested_transaction_is_an_error(store: Store):
    with store.transaction():
        with pytest.raises(RuntimeError, match="do not nest"), store.transaction():
            pass
        store.add_credential(badge(1), origin="issued")
    assert store.count_credentials() == 1


def test_second_writer_times_out_as_busy(store: Store, db: Path):
    with Store.open(db, busy_timeout=0.1) as other, store.transaction():
        store.add_credential(badge(1), origin="issued")
        with pytest.raises(WalletBusyError, match=str(db)):
            other.set_setting("name", "x")
    assert store.get_setting("name") is None


WRITER = """
    import sys
    from pathlib import Path
    from wallet.store import Store

    path, tag = Path(sys.argv[1]), sys.argv[2]
    with Store.open(path) as store:
        for n in range(200):
            with store.transaction():
                store.add_credential({"id": f"urn:{tag}:{n}", "n": n}, origin="issued")
"""


def test_two_processes_writing_at_once_lose_nothing(store: Store, db: Path):
    children = [run_child(WRITER, str(db), tag) for tag in ("a", "b")]
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    ids = {c.id for c in store.list_credentials()}
    assert len(ids) == 400
    assert {f"urn:{t}:{n}" for t in "ab" for n in range(200)} == ids


BIG_TRANSACTION = """
    import sys
    from pathlib import Path
    from wallet.store import Store

    with Store.open(Path(sys.argv[1])) as store, store.transaction():
        print("started", flush=True)
        for n in range(5000):
            store.add_credential({"id": f"urn:big:{n}", "pad": "x" * 2000}, origin="issued")
    print("committed", flush=True)
"""


@pytest.mark.slow
def test_sigkill_inside_a_transaction_is_all_or_nothing(db: Path):
    filled(db, 10)
    outcomes = []
    for delay in (0.0, 0.05, 0.15, 0.3, 0.6):
        child = run_child(BIG_TRANSACTION, str(db))
        assert child.stdout is not None
        assert child.stdout.readline() == "started\n"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
        with Store.open(db) as store:
            assert store._conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            count = store.count_credentials()
            assert count in (10, 5010)
            if count == 5010:
                with store.transaction():
                    for stored in store.list_credentials()[10:]:
                        store.delete_credential(stored.id)
        outcomes.append(count)
    assert 10 in outcomes  # at least one kill landed mid-transaction


DISK_FULL = """
    import resource, signal, sys
    from pathlib import Path
    from wallet.errors import WalletError
    from wallet.store import Store

    path = Path(sys.argv[1])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = path.stat().st_size + 8192
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    with Store.open(path) as store:
        try:
            with store.transaction():
                for n in range(1000):
                    store.add_credential({"id": f"urn:full:{n}", "pad": "x" * 4000}, origin="issued")
        except WalletError as exc:
            print(type(exc).__name__, exc)
"""


def test_disk_full_is_a_wallet_error_and_the_file_is_intact(db: Path):
    original = filled(db, 20)
    child = run_child(DISK_FULL, str(db))
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert out.startswith("WalletError"), out
    assert str(db) in out
    assert db.read_bytes() == original
    with Store.open(db) as store:
        assert store.count_credentials() == 20


# --- snapshots ---------------------------------------------------------------------


def test_snapshot_and_restore_round_trip(db: Path, tmp_path: Path):
    filled(db, 30)
    with Store.open(db) as store:
        store.set_setting("name", "District")
        data = store.snapshot()
        before = store.list_credentials()
        store.delete_credential(before[0].id)
    Store.restore_snapshot(db, data)
    with Store.open(db) as store:
        assert store.list_credentials() == before
        assert store.get_setting("name") == "District"
    assert db.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wallet.db"]


def test_restore_into_a_new_path(db: Path, tmp_path: Path):
    filled(db, 3)
    with Store.open(db) as store:
        data = store.snapshot()
    target = tmp_path / "restored.db"
    Store.restore_snapshot(target, data)
    with Store.open(target) as store:
        assert store.count_credentials() == 3


@pytest.mark.parametrize(
    "data", [b"", b"garbage" * 1000, b"SQLite format 3\x00" + bytes(4080)], ids=str
)
def test_restore_of_bad_bytes_is_refused_and_target_untouched(db: Path, tmp_path: Path, data):
    original = filled(db, 5)
    with pytest.raises(WalletCorruptError, match="the snapshot for"):
        Store.restore_snapshot(db, data)
    assert db.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wallet.db"]


def test_restore_of_a_truncated_snapshot_is_refused(db: Path):
    original = filled(db, 200)
    with Store.open(db) as store:
        data = store.snapshot()
    with pytest.raises(WalletCorruptError):
        Store.restore_snapshot(db, data[: len(data) // 2])
    assert db.read_bytes() == original


def test_restore_waits_for_a_writer_then_gives_up(db: Path):
    filled(db, 2)
    with Store.open(db) as store:
        data = store.snapshot()
        with store.transaction():
            store.add_credential(badge(99), origin="issued")
            with pytest.raises(WalletBusyError):
                Store.restore_snapshot(db, data, busy_timeout=0.1)
        assert store.count_credentials() == 3


def test_restore_over_a_corrupt_file(db: Path):
    filled(db, 2)
    with Store.open(db) as store:
        data = store.snapshot()
    db.write_bytes(os.urandom(4096))
    Store.restore_snapshot(db, data)
    with Store.open(db) as store:
        assert store.count_credentials() == 2


def test_snapshot_inside_a_transaction_is_an_error(store: Store):
    with store.transaction(), pytest.raises(RuntimeError, match="outside a transaction"):
        store.snapshot()


# --- status allocations ------------------------------------------------------------


def test_status_index_cannot_be_reused(store: Store):
    sql = (
        "INSERT INTO status_allocations (list_id, purpose, idx, credential_id) VALUES (?, ?, ?, ?)"
    )
    with store.transaction():
        store._conn.execute(sql, ("list-1", "revocation", 7, "urn:a"))
        store._conn.execute(sql, ("list-1", "suspension", 7, "urn:b"))
        store._conn.execute(sql, ("list-2", "revocation", 7, "urn:c"))
    with pytest.raises(sqlite3.IntegrityError), store.transaction():
        store._conn.execute(sql, ("list-1", "revocation", 7, "urn:d"))
    rows = store._conn.execute("SELECT count(*) FROM status_allocations").fetchone()
    assert rows[0] == 3
