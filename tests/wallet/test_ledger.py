"""wallet.ledger: anchoring on the embedded chain across processes, crashes and kill -9.

Real wallets (SQLite files, Argon2id at the test cost), the real embedded py-evm chain,
and real `laurel` processes killed at chosen or random moments.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from anchor.chain import registry_artifact
from anchor.check import ChainDirectory, check_inclusion, check_ledger
from anchor.embedded import EmbeddedChain
from anchor.errors import ChainUnreachableError, ContractError
from anchor.merkle import MerkleTree
from anchor.proof import AnchorProof, anchor_proofs, credential_leaf
from cli import cli
from tests.conftest import REPO
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from vc.results import Status
from wallet.errors import WalletError
from wallet.home import ANCHORING_KEY, KEYSTORE_FILE, SIGNING_KEY, Wallet
from wallet.issuer import IssueOptions, issue_badge, load_achievement
from wallet.keystore import KdfParams, Keystore
from wallet.ledger import (
    ETH_KEY_ENV,
    anchor_pending,
    anchoring_account,
    embedded_chain_path,
)

LAUREL = Path(sys.executable).with_name("laurel")
# A private key used only here (not a secret): the chain funds it.
ENV_KEY = "0x" + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


@pytest.fixture(autouse=True)
def _no_configured_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ETH_KEY_ENV, raising=False)


def new_wallet(home: Path) -> Wallet:
    return Wallet.create(
        home, name="Riverside School District", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()
    )


def issue(wallet: Wallet, count: int, prefix: str = "teacher") -> list[str]:
    achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
    return [
        issue_badge(wallet, PASSPHRASE, achievement, f"did:example:{prefix}-{i}", IssueOptions()).id
        for i in range(count)
    ]


def child_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "LAUREL_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(REPO)}
    env["LAUREL_HOME"] = str(home.parent / "no-default-wallet")
    env.pop(ETH_KEY_ENV, None)
    return env


def anchored_events(chain_file: Path, contract: str) -> list[dict]:
    """Every Anchored event the registry emitted, read from the chain file."""
    with EmbeddedChain.open(chain_file) as chain:
        registry = chain.w3.eth.contract(address=contract, abi=registry_artifact()["abi"])
        return [dict(e["args"]) for e in registry.events.Anchored.get_logs(from_block=0)]


def sent_transactions(chain_file: Path, address: str) -> int:
    with EmbeddedChain.open(chain_file) as chain:
        return int(chain.w3.eth.get_transaction_count(address))


def assert_consistent(wallet: Wallet, *, account: str | None = None, newest: int = 0) -> None:
    """Every issued badge anchored exactly once; the wallet's batches are the chain's events.

    The anchor proofs are checked against the chain for the `newest` batches (all
    when 0).
    """
    store = wallet.store
    issued = [c for c in store.list_credentials() if c.origin == "issued"]
    assert store.anchor_batches("pending") == []
    batches = store.anchor_batches()
    in_batches = [cid for b in batches for cid in b.credential_ids]
    assert sorted(in_batches) == sorted(c.id for c in issued), "a badge lost or batched twice"
    chain_file = embedded_chain_path(wallet.home)
    events = anchored_events(chain_file, batches[0].contract)
    assert sorted("0x" + bytes(e["root"]).hex() for e in events) == sorted(b.root for b in batches)
    account = account or anchoring_account(wallet, PASSPHRASE).address
    assert {e["sender"] for e in events} == {account}
    # One deployment plus one transaction per batch: no root was ever sent twice.
    assert sent_transactions(chain_file, account) == 1 + len(batches)
    checked = {cid for b in batches[-newest:] for cid in b.credential_ids}
    directory = ChainDirectory(embedded_path=chain_file)
    for stored in issued:
        assert stored.anchored
        proofs = anchor_proofs(stored.document)
        assert len(proofs) == 1, stored.id
        if stored.id in checked:
            anchor = AnchorProof.from_proof_json(proofs[0])
            assert check_inclusion(stored.document, anchor).status is Status.PASSED
            assert check_ledger(anchor, directory).status is Status.PASSED


# -- across processes ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_anchored_by_one_process_verified_by_another(tmp_path):
    home = tmp_path / "issuer"
    with new_wallet(home) as wallet:
        ids = issue(wallet, 2)
    env = child_env(home)
    anchored = subprocess.run(
        [str(LAUREL), "anchor", "--home", str(home), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert anchored.returncode == 0, anchored.stderr
    report = json.loads(anchored.stdout)
    assert report["count"] == 2
    assert report["deployed"] is True
    badge = tmp_path / "badge.json"
    with Wallet.open(home) as wallet:
        badge.write_text(wallet.store.get_credential(ids[1]).text, encoding="utf-8")
    verified = subprocess.run(
        [
            str(LAUREL),
            "verify",
            "--json",
            "--embedded-chain",
            str(home / "chain.db"),
            str(badge),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    result = json.loads(verified.stdout)
    assert result["verified"] is True
    checks = {c["id"]: c for c in result["checks"]}
    assert checks["anchor.ledger"]["status"] == "passed"
    assert checks["anchor.ledger"]["details"]["block"] == report["block"]
    assert checks["anchor.inclusion"]["status"] == "passed"


# -- batches -----------------------------------------------------------------------------------------


def test_nothing_to_anchor_returns_no_report_and_opens_no_chain(tmp_path):
    with new_wallet(tmp_path / "issuer") as wallet:
        assert anchor_pending(wallet, PASSPHRASE) == []
        assert not embedded_chain_path(wallet.home).exists()  # no registry deployed for nothing
        issue(wallet, 1)
        assert len(anchor_pending(wallet, PASSPHRASE)) == 1
        assert anchor_pending(wallet, PASSPHRASE) == []


def test_second_batch_after_more_issuing(tmp_path):
    with new_wallet(tmp_path / "issuer") as wallet:
        first_ids = issue(wallet, 2, "first")
        (first,) = anchor_pending(wallet, PASSPHRASE)
        texts = {cid: wallet.store.get_credential(cid).text for cid in first_ids}
        issue(wallet, 3, "second")
        (second,) = anchor_pending(wallet, PASSPHRASE)
        assert (first.count, second.count) == (2, 3)
        assert first.root != second.root
        assert first.deployed
        assert not second.deployed
        assert second.contract == first.contract
        assert second.block > first.block
        # The first batch's badges are left exactly as they were.
        assert {cid: wallet.store.get_credential(cid).text for cid in first_ids} == texts
        assert [b.state for b in wallet.store.anchor_batches()] == ["anchored", "anchored"]
        assert_consistent(wallet)


def test_gas_per_badge_falls_with_the_batch(tmp_path):
    with new_wallet(tmp_path / "issuer") as wallet:
        issue(wallet, 1, "one")
        (one,) = anchor_pending(wallet, PASSPHRASE)
        issue(wallet, 12, "many")
        (many,) = anchor_pending(wallet, PASSPHRASE)
    # One storage slot per batch: the same gas whatever the batch size.
    assert abs(many.gas_used - one.gas_used) < 100
    assert many.gas_used / many.count < one.gas_used / 10


def test_imported_badges_are_not_anchored(tmp_path):
    with new_wallet(tmp_path / "issuer") as issuer:
        (cid,) = issue(issuer, 1)
        text = issuer.store.get_credential(cid).text
    with new_wallet(tmp_path / "teacher") as teacher:
        teacher.store.add_credential(json.loads(text), origin="imported")
        assert anchor_pending(teacher, PASSPHRASE) == []


# -- crashes at chosen points ----------------------------------------------------------------------

_CRASH_AT = """
    import os, sys
    from pathlib import Path
    from anchor.embedded import EmbeddedChain
    from wallet.home import Wallet
    from wallet.ledger import anchor_pending
    from wallet.store import Store

    point = sys.argv[2]

    def die(*args, **kwargs):
        os._exit(9)

    if point == "recorded":
        # The batch is committed as pending; nothing is sent.
        real = Store.add_anchor_batch
        def recorded_then_die(self, *args, **kwargs):
            real(self, *args, **kwargs)
            os._exit(9)
        Store.add_anchor_batch = recorded_then_die
    elif point == "mined":
        # Mined in the chain file's open transaction, never committed.
        EmbeddedChain.commit = die
    elif point == "stored":
        # Mined and committed on chain; the wallet never stores the proofs.
        Store.complete_anchor_batch = die
    with Wallet.open(Path(sys.argv[1])) as wallet:
        anchor_pending(wallet, os.environ["LAUREL_PASSPHRASE"])
    os._exit(0)
"""


def crash_at(home: Path, point: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_CRASH_AT), str(home), point],
        env=child_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 9, done.stderr


@pytest.mark.parametrize("point", ["recorded", "mined", "stored"])
def test_interrupted_batch_is_finished_once(tmp_path, point):
    home = tmp_path / "issuer"
    with new_wallet(home) as wallet:
        ids = issue(wallet, 3)
        account = anchoring_account(wallet, PASSPHRASE).address
    crash_at(home, point)
    chain_file = embedded_chain_path(home)
    with Wallet.open(home) as wallet:
        (pending,) = wallet.store.anchor_batches("pending")
        assert list(pending.credential_ids) == ids
        assert wallet.store.unanchored_issued() == []  # held by the pending batch
        on_chain = anchored_events(chain_file, pending.contract) if point == "stored" else []
        assert len(on_chain) == (1 if point == "stored" else 0)
        if point == "recorded":
            # Its root needs every badge: none may be deleted until it is finished.
            with pytest.raises(WalletError, match="pending"):
                wallet.store.delete_credential(ids[0])
        sent_before = sent_transactions(chain_file, account) if point == "stored" else None
        (report,) = anchor_pending(wallet, PASSPHRASE)
        assert report.root == pending.root
        assert report.count == 3
        if point == "stored":
            # Found on chain, not sent again.
            assert sent_transactions(chain_file, account) == sent_before
            assert "0x" + bytes(on_chain[0]["root"]).hex() == report.root
        assert anchor_pending(wallet, PASSPHRASE) == []
        assert_consistent(wallet)
        wallet.store.delete_credential(ids[0])  # allowed once the batch is finished


def test_pending_batch_whose_badges_changed_is_refused_not_batched_again(tmp_path):
    home = tmp_path / "issuer"
    with new_wallet(home) as wallet:
        ids = issue(wallet, 2)
    crash_at(home, "stored")
    # Something outside laurel rewrote a badge (the text no longer hashes to the leaf).
    with sqlite3.connect(home / "wallet.db") as db:
        text = db.execute("SELECT text FROM credentials WHERE id = ?", (ids[0],)).fetchone()[0]
        edited = json.loads(text)
        edited["name"] = "Edited"
        db.execute("UPDATE credentials SET text = ? WHERE id = ?", (json.dumps(edited), ids[0]))
    with Wallet.open(home) as wallet:
        with pytest.raises(WalletError, match="no longer hash to its root"):
            anchor_pending(wallet, PASSPHRASE)
        assert len(wallet.store.anchor_batches()) == 1


def test_a_root_copied_by_another_account_first_does_not_block_the_issuer(tmp_path):
    """Someone copies the root from the pending transaction and anchors it first."""
    with new_wallet(tmp_path / "issuer") as wallet:
        issue(wallet, 1, "first")
        (first,) = anchor_pending(wallet, PASSPHRASE)
        issue(wallet, 2, "second")
        todo = wallet.store.unanchored_issued()
        root = MerkleTree([credential_leaf(c.document) for c in todo]).root
        with EmbeddedChain.open(embedded_chain_path(wallet.home), writable=True) as chain:
            chain.transact(Account.create(), first.contract, "anchor", root, len(todo))
            chain.commit()
        # Roots are kept per sender: the copy is the copier's, and the issuer's own
        # anchor goes through and verifies.
        (second,) = anchor_pending(wallet, PASSPHRASE)
        assert second.root == "0x" + root.hex()
        assert second.count == len(todo)
        for stored in todo:
            assert len(anchor_proofs(wallet.store.get_credential(stored.id).document)) == 1


def test_given_contract_that_is_not_the_registry_is_refused(tmp_path):
    with new_wallet(tmp_path / "issuer") as wallet:
        issue(wallet, 1)
        with EmbeddedChain.open(embedded_chain_path(wallet.home), writable=True) as chain:
            w3 = chain.w3
            runtime = b"\x00"  # STOP: a contract, but not AnchorRegistry
            init = bytes([0x60, 1, 0x60, 12, 0x60, 0, 0x39, 0x60, 1, 0x60, 0, 0xF3]) + runtime
            tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": init})
            other = str(w3.eth.wait_for_transaction_receipt(tx)["contractAddress"])
            chain.commit()
        with pytest.raises(ContractError, match="not laurel's AnchorRegistry"):
            anchor_pending(wallet, PASSPHRASE, contract=other)
        with pytest.raises(ContractError, match="no contract"):
            anchor_pending(wallet, PASSPHRASE, contract="0x" + "12" * 20)


# -- kill -9 at random moments ---------------------------------------------------------------------


def _outcome(wallet: Wallet, killed: bool) -> str:
    pending = wallet.store.anchor_batches("pending")
    if not killed:
        return "finished"
    if not pending:
        return "before the batch" if wallet.store.unanchored_issued() else "after storing"
    batch = pending[0]
    try:
        events = anchored_events(embedded_chain_path(wallet.home), batch.contract)
    except ChainUnreachableError:  # killed before the chain file's first commit
        events = []
    roots = {"0x" + bytes(e["root"]).hex() for e in events}
    return "pending, on chain" if batch.root in roots else "pending, not on chain"


@pytest.mark.slow
def test_kill_9_at_random_moments_during_laurel_anchor(tmp_path):
    home = tmp_path / "issuer"
    with new_wallet(home) as wallet:
        account = anchoring_account(wallet, PASSPHRASE).address
    env = child_env(home)
    rng = random.Random(20260601)  # noqa: S311 (kill timings, not secrets)
    outcomes = []
    for trial in range(10):
        wallet = Wallet.open(home)
        issue(wallet, 20, f"trial{trial}")
        child = subprocess.Popen(
            [str(LAUREL), "anchor", "--home", str(home), "--json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert child.stderr is not None
        if trial % 3 == 2:
            # Anywhere: imports, unlocking, deploying, sending, storing.
            time.sleep(rng.uniform(0.2, 1.2))
        else:
            # Aimed at the batch: "anchoring 20 badges" is printed just before it is
            # recorded, mined (~0.1 s) and stored.
            for line in child.stderr:
                if b"anchoring" in line:
                    break
            time.sleep(rng.uniform(0.0, 0.15))
        killed = child.poll() is None
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stderr.close()
        outcomes.append(_outcome(wallet, killed))
        # A verifier reading the chain file meanwhile gets an answer, never a crash.
        earlier = wallet.store.anchor_batches("anchored")
        if earlier:
            stored = wallet.store.get_credential(earlier[0].credential_ids[0])
            anchor = AnchorProof.from_proof_json(anchor_proofs(stored.document)[0])
            seen = check_ledger(anchor, ChainDirectory(embedded_path=embedded_chain_path(home)))
            assert seen.status in (Status.PASSED, Status.WARNING), seen
        anchor_pending(wallet, PASSPHRASE)  # the re-run completes what was cut short
        assert_consistent(wallet, account=account, newest=1)
        wallet.close()
    with Wallet.open(home) as wallet:
        assert_consistent(wallet, account=account)
        assert sum(1 for c in wallet.store.list_credentials() if c.anchored) == 200
    print("kill -9 outcomes:", outcomes)


# -- the anchoring key --------------------------------------------------------------------------------


def test_keystore_holds_an_anchoring_key_from_init(tmp_path):
    with new_wallet(tmp_path / "issuer") as wallet:
        keystore = wallet.unlock(PASSPHRASE)
        assert ANCHORING_KEY in keystore.names()
        address = anchoring_account(wallet, PASSPHRASE).address
        assert address == Account.from_key(keystore.secret(ANCHORING_KEY)).address
    with Wallet.open(tmp_path / "issuer") as reopened:
        assert anchoring_account(reopened, PASSPHRASE).address == address


def test_old_wallet_gets_its_anchoring_key_on_first_use(tmp_path):
    home = tmp_path / "issuer"
    with new_wallet(home) as wallet:
        seed = wallet.unlock(PASSPHRASE).secret(SIGNING_KEY)
    # A keystore as laurel wrote it before anchoring: the signing key alone.
    (home / KEYSTORE_FILE).unlink()
    Keystore.create(
        home / KEYSTORE_FILE, PASSPHRASE, {SIGNING_KEY: seed}, kdf=KdfParams.for_tests()
    )
    with Wallet.open(home) as wallet:
        assert wallet.unlock(PASSPHRASE).names() == [SIGNING_KEY]
        address = anchoring_account(wallet, PASSPHRASE).address
    sealed = Keystore.open(home / KEYSTORE_FILE, PASSPHRASE)
    assert sorted(sealed.names()) == sorted([SIGNING_KEY, ANCHORING_KEY])
    assert sealed.secret(SIGNING_KEY) == seed
    with Wallet.open(home) as wallet:
        assert anchoring_account(wallet, PASSPHRASE).address == address
        issue(wallet, 1)
        (report,) = anchor_pending(wallet, PASSPHRASE)
        assert report.account == address


def test_configured_private_key_anchors_instead_of_the_keystore(tmp_path, monkeypatch):
    monkeypatch.setenv(ETH_KEY_ENV, ENV_KEY)
    expected = Account.from_key(ENV_KEY).address
    with new_wallet(tmp_path / "issuer") as wallet:
        assert anchoring_account(wallet, PASSPHRASE).address == expected
        issue(wallet, 1)
        (report,) = anchor_pending(wallet, PASSPHRASE)
        assert report.account == expected


BAD_KEYS = [
    "not hex at all",
    "0x1234",
    "ab" * 31 + "c",  # 63 digits
    "ab" * 33,
    "00" * 32,  # zero is not a secp256k1 key
    "ff" * 32,  # nor is anything >= the group order
]


@pytest.mark.parametrize("value", BAD_KEYS)
def test_bad_configured_private_key_is_a_wallet_error(tmp_path, monkeypatch, value):
    monkeypatch.setenv(ETH_KEY_ENV, value)
    with new_wallet(tmp_path / "issuer") as wallet:
        issue(wallet, 1)
        with pytest.raises(WalletError, match=ETH_KEY_ENV) as info:
            anchor_pending(wallet, PASSPHRASE)
        assert value not in str(info.value)
        assert value not in info.value.hint
        assert info.value.__cause__ is None
        assert not embedded_chain_path(wallet.home).exists()


def _cli(home: Path, *args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(
        cli,
        ["anchor", "--home", str(home), *args],
        env={"LAUREL_PASSPHRASE": PASSPHRASE, **(env or {})},
    )
    return result, result.output + (result.stderr or "")


def test_private_keys_never_appear_in_laurel_anchor_output(tmp_path):
    home = tmp_path / "issuer"
    with new_wallet(home) as wallet:
        issue(wallet, 2)
        keystore_key = wallet.unlock(PASSPHRASE).secret(ANCHORING_KEY).hex()
    result, text = _cli(home, "--json")
    assert result.exit_code == 0, text
    report = json.loads(result.stdout)
    assert report["account"] == Account.from_key(bytes.fromhex(keystore_key)).address
    shown, _ = _cli(home, "--account")
    assert shown.stdout.strip() == report["account"]
    again, again_text = _cli(home, "--json")
    assert json.loads(again.stdout) == {"count": 0}
    with Wallet.open(home) as wallet:
        issue(wallet, 1, "env")
    with_env, env_text = _cli(home, "--json", env={ETH_KEY_ENV: ENV_KEY})
    assert with_env.exit_code == 0, env_text
    assert json.loads(with_env.stdout)["account"] == Account.from_key(ENV_KEY).address
    for output in (text, shown.output, again_text, env_text):
        for secret in (keystore_key, ENV_KEY[2:]):
            assert secret not in output.lower()


def test_bad_private_key_error_does_not_echo_it(tmp_path):
    home = tmp_path / "issuer"
    with new_wallet(home) as wallet:
        issue(wallet, 1)
    almost = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231"  # one digit short
    result, text = _cli(home, "--json", env={ETH_KEY_ENV: almost})
    assert result.exit_code == 1
    assert ETH_KEY_ENV in text
    assert almost not in text
    assert almost[:16] not in text
