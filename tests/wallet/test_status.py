"""The issuer's status lists: allocation, revoke/suspend, crash safety, publish, CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from random import Random

import pytest
from click.testing import CliRunner

from cli import cli
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from vc.jsontext import parse_document
from vc.proofs import proofs_of, verify_signature
from vc.status import Bitstring
from vc.types import JSONObject
from wallet.errors import CredentialNotFoundError
from wallet.home import Wallet
from wallet.issuer import IssueOptions, RosterRow, issue_badge, issue_roster, load_achievement
from wallet.keystore import KdfParams
from wallet.status import (
    LIST_ENTRIES,
    NoStatusListError,
    StatusChangeRefusedError,
    allocate_entries,
    publish,
    published_lists,
    set_status,
)

BASE_URL = "https://issuer.example"
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def issuer(tmp_path: Path, fast_kdf: KdfParams) -> Iterator[Wallet]:
    wallet = Wallet.create(
        tmp_path / "issuer",
        name="Riverside School District",
        passphrase=PASSPHRASE,
        base_url=BASE_URL,
        kdf=fast_kdf,
    )
    yield wallet
    wallet.close()


def _achievement() -> JSONObject:
    # Through load_achievement, as every issuing path does: the file gains its
    # `type` (without it, OB 3.0 defines none of its terms: laurel refuses to sign).
    return load_achievement(json.dumps(ACHIEVEMENT).encode())


def _issue(wallet: Wallet, recipient: str = "did:example:ana") -> JSONObject:
    stored = issue_badge(wallet, PASSPHRASE, _achievement(), recipient, IssueOptions(now=NOW))
    return stored.document


def _entries(document: JSONObject) -> dict[str, tuple[str, int]]:
    status = document["credentialStatus"]
    assert isinstance(status, list)
    found: dict[str, tuple[str, int]] = {}
    for entry in status:
        assert isinstance(entry, dict)
        assert entry["type"] == "BitstringStatusListEntry"
        found[str(entry["statusPurpose"])] = (
            str(entry["statusListCredential"]),
            int(str(entry["statusListIndex"])),
        )
    return found


def _signed_list(wallet: Wallet, url: str) -> JSONObject:
    relative = url.removeprefix(BASE_URL + "/")
    return parse_document(published_lists(wallet.store)[relative].encode())


def _assert_list_signed(wallet: Wallet, document: JSONObject) -> None:
    key = wallet.signing_key(PASSPHRASE)
    [proof] = proofs_of(document)
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert verify_signature(document, proof, key.public_key).valid
    assert document["issuer"] == wallet.identity.did


def _bits(document: JSONObject) -> Bitstring:
    subject = document["credentialSubject"]
    assert isinstance(subject, dict)
    return Bitstring.decode(str(subject["encodedList"]))


def test_issued_badge_has_two_random_entries_and_verifies(issuer: Wallet) -> None:
    document = _issue(issuer)
    entries = _entries(document)
    assert set(entries) == {"revocation", "suspension"}
    assert entries["revocation"][0] == f"{BASE_URL}/status/revocation/1"
    assert entries["suspension"][0] == f"{BASE_URL}/status/suspension/1"
    key = issuer.signing_key(PASSPHRASE)
    [proof] = proofs_of(document)
    assert verify_signature(document, proof, key.public_key).valid
    # Random, not sequential: two badges do not take 0 and 1.
    other = _entries(_issue(issuer, "did:example:ben"))
    indexes = {entries["revocation"][1], other["revocation"][1]}
    assert len(indexes) == 2
    assert indexes != {0, 1}
    # New lists are signed at once, each with every bit clear.
    for purpose in ("revocation", "suspension"):
        listed = _signed_list(issuer, entries[purpose][0])
        _assert_list_signed(issuer, listed)
        assert _bits(listed).to_bytes() == bytes(LIST_ENTRIES // 8)


def test_wallet_without_base_url_issues_without_status(tmp_wallet: Wallet) -> None:
    document = _issue(tmp_wallet)
    assert "credentialStatus" not in document
    with pytest.raises(NoStatusListError, match="no --base-url at init"):
        set_status(tmp_wallet, PASSPHRASE, str(document["id"]), "revocation", True, now=NOW)
    assert published_lists(tmp_wallet.store) == {}


ROWS = 10_000


@pytest.mark.slow
def test_roster_indexes_distinct_per_purpose(issuer: Wallet, tmp_path: Path) -> None:
    # Issue 5: 10,000 roster badges, every status index distinct.
    rows = [RosterRow(i + 2, f"Teacher {i}", f"t{i}@school.example", "") for i in range(ROWS)]
    report = issue_roster(
        issuer,
        PASSPHRASE,
        _achievement(),
        rows,
        tmp_path / "out",
        IssueOptions(suite="eddsa-jcs-2022", now=NOW),
    )
    assert report.issued == ROWS
    seen: dict[str, set[tuple[str, int]]] = {"revocation": set(), "suspension": set()}
    for stored in issuer.store.list_credentials():
        for purpose, where in _entries(stored.document).items():
            seen[purpose].add(where)
    assert len(seen["revocation"]) == len(seen["suspension"]) == ROWS
    # A re-run issues nothing new and allocates nothing new.
    again = issue_roster(
        issuer,
        PASSPHRASE,
        _achievement(),
        rows,
        tmp_path / "out",
        IssueOptions(suite="eddsa-jcs-2022", now=NOW),
    )
    assert again.issued == 0
    assert issuer.store.count_status_allocations("revocation/1", "revocation") == ROWS
    assert all(row.signed_text for row in issuer.store.status_lists())


def test_revoke_flips_exactly_that_bit_and_is_final(issuer: Wallet) -> None:
    document = _issue(issuer)
    _issue(issuer, "did:example:ben")
    url, index = _entries(document)["revocation"]
    credential_id = str(document["id"])
    assert set_status(issuer, PASSPHRASE, credential_id, "revocation", True, now=NOW)
    listed = _signed_list(issuer, url)
    _assert_list_signed(issuer, listed)
    assert listed["validFrom"] == "2026-03-01T12:00:00Z"
    subject = listed["credentialSubject"]
    assert isinstance(subject, dict)
    assert subject["ttl"] == 300_000
    expected = Bitstring.new(LIST_ENTRIES)
    expected.set(index, 1)
    assert _bits(listed) == expected
    # Revoking again changes nothing; un-revoking is refused.
    assert not set_status(issuer, PASSPHRASE, credential_id, "revocation", True, now=NOW)
    with pytest.raises(StatusChangeRefusedError, match="final"):
        set_status(issuer, PASSPHRASE, credential_id, "revocation", False, now=NOW)
    assert _bits(_signed_list(issuer, url)).get(index) == 1
    assert issuer.store.credential_status(credential_id, "revocation") == (True, None)


def test_suspend_and_unsuspend_round_trip(issuer: Wallet) -> None:
    document = _issue(issuer)
    url, index = _entries(document)["suspension"]
    credential_id = str(document["id"])
    set_status(issuer, PASSPHRASE, credential_id, "suspension", True, reason="review", now=NOW)
    assert _bits(_signed_list(issuer, url)).get(index) == 1
    assert issuer.store.credential_status(credential_id, "suspension") == (True, "review")
    later = NOW + dt.timedelta(days=1)
    set_status(issuer, PASSPHRASE, credential_id, "suspension", False, now=later)
    listed = _signed_list(issuer, url)
    _assert_list_signed(issuer, listed)
    assert _bits(listed) == Bitstring.new(LIST_ENTRIES)
    assert listed["validFrom"] == "2026-03-02T12:00:00Z"
    # The revocation list is untouched by a suspension.
    revocation_url, _ = _entries(document)["revocation"]
    assert _bits(_signed_list(issuer, revocation_url)) == Bitstring.new(LIST_ENTRIES)


def test_set_status_errors(issuer: Wallet) -> None:
    with pytest.raises(CredentialNotFoundError):
        set_status(issuer, PASSPHRASE, "urn:uuid:nope", "suspension", True, now=NOW)
    document = _issue(issuer)
    with pytest.raises(ValueError, match="unknown status purpose"):
        set_status(issuer, PASSPHRASE, str(document["id"]), "message", True, now=NOW)


def test_index_reuse_is_impossible(issuer: Wallet) -> None:
    document = _issue(issuer)
    _, index = _entries(document)["revocation"]
    with pytest.raises(sqlite3.IntegrityError):
        issuer.store.add_status_allocation("revocation/1", "revocation", index, "urn:uuid:other")
    connection = sqlite3.connect(issuer.store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute(
                "INSERT INTO status_allocations (list_id, purpose, idx, credential_id) "
                "VALUES ('revocation/1', 'revocation', ?, 'urn:uuid:other')",
                (index,),
            )
    finally:
        connection.close()


def test_allocation_is_idempotent_and_needs_a_transaction(issuer: Wallet) -> None:
    store = issuer.store
    with pytest.raises(RuntimeError, match="transaction"):
        allocate_entries(store, BASE_URL, "urn:uuid:x")
    with store.transaction():
        first = allocate_entries(store, BASE_URL, "urn:uuid:x", Random(1))  # noqa: S311 (a seeded draw, tests only)
        again = allocate_entries(store, BASE_URL, "urn:uuid:x", Random(2))  # noqa: S311 (a seeded draw, tests only)
    assert first == again


def test_allocation_rolls_back_with_the_transaction(issuer: Wallet) -> None:
    store = issuer.store

    def crash_before_signing() -> None:
        with store.transaction():
            allocate_entries(store, BASE_URL, "urn:uuid:crashed")
            raise KeyError("crash before signing")

    with pytest.raises(KeyError):
        crash_before_signing()
    assert store.status_allocation("urn:uuid:crashed", "revocation") is None
    assert store.status_lists() == []


def test_full_list_opens_a_new_one(issuer: Wallet, monkeypatch: pytest.MonkeyPatch) -> None:
    store = issuer.store
    monkeypatch.setattr("wallet.status._PROBES", 2)
    with store.transaction():
        allocate_entries(store, BASE_URL, "urn:uuid:first", Random(0))  # noqa: S311 (a seeded draw, tests only)
        # Fill the rest of revocation list 1 directly.
        used = store.status_indexes_used("revocation/1", "revocation")
        for index in range(LIST_ENTRIES):
            if index not in used:
                store.add_status_allocation("revocation/1", "revocation", index, "urn:uuid:fill")
        entries = allocate_entries(store, BASE_URL, "urn:uuid:next", Random(0))  # noqa: S311 (a seeded draw, tests only)
    assert entries[0]["statusListCredential"] == f"{BASE_URL}/status/revocation/2"
    assert entries[1]["statusListCredential"] == f"{BASE_URL}/status/suspension/1"


def test_nearly_full_list_falls_back_to_a_scan(
    issuer: Wallet, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = issuer.store
    monkeypatch.setattr("wallet.status._PROBES", 1)
    with store.transaction():
        allocate_entries(store, BASE_URL, "urn:uuid:first", Random(0))  # noqa: S311 (a seeded draw, tests only)
        used = store.status_indexes_used("revocation/1", "revocation")
        for index in range(LIST_ENTRIES - 1):
            if index not in used:
                store.add_status_allocation("revocation/1", "revocation", index, "urn:uuid:fill")
        entries = allocate_entries(store, BASE_URL, "urn:uuid:last", Random(0))  # noqa: S311 (a seeded draw, tests only)
    assert entries[0]["statusListIndex"] == str(LIST_ENTRIES - 1)


_KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time, datetime as dt
    import wallet.status as status
    from wallet.home import Wallet

    real = status.add_proof

    def slow(*args, **kwargs):
        signed = real(*args, **kwargs)
        print("ready", flush=True)  # the bit is written, not yet committed
        time.sleep(60)
        return signed

    status.add_proof = slow
    wallet = Wallet.open(__import__("pathlib").Path(sys.argv[1]))
    status.set_status(
        wallet, sys.argv[2], sys.argv[3], "revocation", True, now=dt.datetime.now(dt.UTC)
    )
    """
)


def test_sigkill_mid_revoke_leaves_the_old_list(issuer: Wallet, tmp_path: Path) -> None:
    document = _issue(issuer)
    credential_id = str(document["id"])
    url, index = _entries(document)["revocation"]
    before = published_lists(issuer.store)
    home = issuer.home
    issuer.close()
    script = tmp_path / "kill_me.py"
    script.write_text(_KILL_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, str(script), str(home), PASSPHRASE, credential_id],
        stdout=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"ready"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
    with Wallet.open(home) as reopened:
        assert published_lists(reopened.store) == before
        listed = _signed_list(reopened, url)
        _assert_list_signed(reopened, listed)
        assert _bits(listed).get(index) == 0
        row = reopened.store.status_list("revocation/1")
        assert row is not None
        assert Bitstring.from_bytes(row.bits).get(index) == 0
        # Run again, uninterrupted: the new list, whole.
        set_status(reopened, PASSPHRASE, credential_id, "revocation", True, now=NOW)
        listed = _signed_list(reopened, url)
        _assert_list_signed(reopened, listed)
        assert _bits(listed).get(index) == 1


def test_publish_writes_the_lists(issuer: Wallet, tmp_path: Path) -> None:
    document = _issue(issuer)
    set_status(issuer, PASSPHRASE, str(document["id"]), "revocation", True, now=NOW)
    out = tmp_path / "site"
    files = publish(issuer, out)
    assert sorted(p.relative_to(out.resolve()).as_posix() for p in files) == [
        "status/revocation/1",
        "status/suspension/1",
    ]
    url, index = _entries(document)["revocation"]
    written = parse_document((out / "status" / "revocation" / "1").read_bytes())
    assert written["id"] == url
    assert _bits(written).get(index) == 1
    assert (out / "status" / "revocation" / "1").stat().st_mode & 0o777 == 0o644
    # Publishing again replaces the files in place.
    assert publish(issuer, out) == files


def test_old_wallet_gains_the_status_tables(issuer: Wallet) -> None:
    path = issuer.store.path
    home = issuer.home
    issuer.close()
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE status_lists")
    connection.execute("DROP TABLE credential_status")
    connection.commit()
    connection.close()
    with Wallet.open(home) as reopened:
        assert reopened.store.status_lists() == []
        _issue(reopened)
        assert len(reopened.store.status_lists()) == 2


# -- the CLI ------------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"LAUREL_PASSPHRASE": PASSPHRASE})
    return result.exit_code, result.output


def test_cli_revoke_suspend_unsuspend_publish(issuer: Wallet, tmp_path: Path) -> None:
    document = _issue(issuer)
    credential_id = str(document["id"])
    home = str(issuer.home)
    issuer.close()
    code, output = _run("suspend", credential_id, "--home", home)
    assert code == 0
    assert f"suspended {credential_id}" in output
    code, output = _run("unsuspend", credential_id, "--home", home)
    assert code == 0
    assert f"unsuspended {credential_id}" in output
    code, output = _run("revoke", credential_id, "--reason", "error", "--yes", "--home", home)
    assert code == 0
    assert f"revoked {credential_id}" in output
    code, output = _run("revoke", credential_id, "--home", home)
    assert code == 0
    assert "already revoked" in output
    out = tmp_path / "site"
    code, output = _run("status", "publish", "--out-dir", str(out), "--home", home)
    assert code == 0, output
    revocation = json.loads((out / "status" / "revocation" / "1").read_text(encoding="utf-8"))
    suspension = json.loads((out / "status" / "suspension" / "1").read_text(encoding="utf-8"))
    _, revoked_index = _entries(document)["revocation"]
    _, suspended_index = _entries(document)["suspension"]
    assert _bits(revocation).get(revoked_index) == 1
    assert _bits(suspension).get(suspended_index) == 0
    code, output = _run("suspend", "urn:uuid:missing", "--home", home)
    assert code == 1
    assert "error:" in output


def test_cli_revoke_without_status_list(tmp_wallet: Wallet) -> None:
    document = _issue(tmp_wallet)
    home = str(tmp_wallet.home)
    tmp_wallet.close()
    code, output = _run("revoke", str(document["id"]), "--yes", "--home", home)
    assert code == 1
    assert "no --base-url at init" in output
