"""Anchoring on a real Ethereum node: anvil on loopback, through the library and the CLI.

One anvil serves the module (started here from .tools, see scripts/node-tools); every
test makes its own wallets, so each deploys its own registry and only block numbers
are shared. The verdicts come from the real verifier: `verify()` with a ChainDirectory
pointing at the node, and `laurel verify --rpc`. Negative cases re-encode a real anchor
proof with one field changed (`AnchorProof`, `dataclasses.replace`) and assert the exact
failing check: SECURITY.md A01, A04-A06, A08-A12 (A11 and A12 through a proxy in front of anvil).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from eth_account import Account

from anchor.check import ChainDirectory
from anchor.errors import UnfundedAccountError, WrongChainError
from anchor.merkle import MerkleTree
from anchor.proof import AnchorProof, anchor_proofs, credential_leaf, with_anchor_proof
from anchor.rpc import RpcChain
from tests.chain_tools import anvil_binary
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from vc.results import Status, VerificationResult
from verifier.policy import VerificationPolicy
from verifier.verify import verify
from wallet.home import Wallet
from wallet.issuer import IssueOptions, issue_badge, load_achievement
from wallet.keystore import KdfParams
from wallet.ledger import anchor_pending, anchoring_account, declare_compromise, revoke_on_chain

pytestmark = pytest.mark.chain

CHAIN_ID = 31337
LAUREL = Path(sys.executable).with_name("laurel")
# anvil reports `finalized` two epochs (2 x 32 slots) below its head.
ANVIL_FINALITY_LAG = 64


class Anvil:
    """The running node, and the test-only RPC methods anvil adds."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rpc(self, method: str, *params: Any) -> Any:
        answer = requests.post(
            self.url,
            json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)},
            timeout=10,
        ).json()
        assert "error" not in answer, answer
        return answer["result"]

    def head(self) -> int:
        return int(self.rpc("eth_blockNumber"), 16)

    def mine(self, blocks: int = 1) -> None:
        self.rpc("anvil_mine", hex(blocks))

    def fund(self, address: str, wei: int = 10**18) -> None:
        self.rpc("anvil_setBalance", address, hex(wei))


@pytest.fixture(scope="module")
def anvil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Anvil]:
    log_path = tmp_path_factory.mktemp("anvil") / "anvil.log"
    with log_path.open("wb") as log:
        # --port 0: the kernel picks a free port, which anvil prints (no race for it).
        process = subprocess.Popen(
            [
                str(anvil_binary()),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--chain-id",
                str(CHAIN_ID),
                "--accounts",
                "1",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        node = Anvil(_wait_for_anvil(process, log_path))
        yield node
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_anvil(process: subprocess.Popen[bytes], log_path: Path) -> str:
    deadline = time.monotonic() + 30
    url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"anvil exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        if url is None:
            for line in log_path.read_text(errors="replace").splitlines():
                if line.startswith("Listening on "):
                    url = "http://" + line.removeprefix("Listening on ").strip()
        if url is not None:
            try:
                answer = requests.post(
                    url,
                    json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
                    timeout=2,
                ).json()
            except requests.RequestException:
                pass
            else:
                assert int(answer["result"], 16) == CHAIN_ID
                return url
        time.sleep(0.05)
    pytest.fail(f"anvil did not answer eth_chainId within 30 s: {log_path.read_text()[-2000:]}")


# -- wallets, badges and verdicts ------------------------------------------------------


def _wallet(tmp_path: Path, name: str = "Riverside School District") -> Wallet:
    return Wallet.create(
        tmp_path / name.split()[0].lower(),
        name=name,
        passphrase=PASSPHRASE,
        kdf=KdfParams.for_tests(),
    )


@pytest.fixture
def issuer(tmp_path: Path) -> Iterator[Wallet]:
    wallet = _wallet(tmp_path)
    yield wallet
    wallet.close()


def _issue(wallet: Wallet, recipient: str = "ana@school.example") -> str:
    achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
    return issue_badge(wallet, PASSPHRASE, achievement, recipient, IssueOptions()).id


def _anchor(wallet: Wallet, anvil: Anvil, **kwargs: Any) -> Any:
    anvil.fund(anchoring_account(wallet, PASSPHRASE).address)
    reports = anchor_pending(wallet, PASSPHRASE, rpc=anvil.url, **kwargs)
    assert len(reports) == 1
    return reports[0]


def _document(wallet: Wallet, credential_id: str) -> dict[str, Any]:
    return wallet.store.get_credential(credential_id).document


def _anchor_of(document: dict[str, Any]) -> AnchorProof:
    [proof] = anchor_proofs(document)
    return AnchorProof.from_proof_json(proof)


def _reanchored(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The document with its anchor proof re-encoded with `changes`."""
    forged = dataclasses.replace(_anchor_of(document), **changes)
    return with_anchor_proof(document, forged.to_proof_json())


def _verify(
    document: dict[str, Any],
    url: str,
    *,
    confirmations: int | None = 1,
    require_anchor: bool = False,
) -> VerificationResult:
    policy = VerificationPolicy(
        now=dt.datetime.now(dt.UTC),
        anchor_confirmations=confirmations,
        require_anchor=require_anchor,
    )
    return verify(document, policy, anchors=ChainDirectory(rpc_urls=(url,)))


def _anchor_checks(result: VerificationResult) -> dict[str, Status]:
    return {c.id: c.status for c in result.checks if c.id.startswith("anchor")}


def _failures(result: VerificationResult) -> list[str]:
    return [c.id for c in result.failures()]


def _check(result: VerificationResult, check_id: str) -> Any:
    [check] = [c for c in result.checks if c.id == check_id]
    return check


def _cli_env() -> dict[str, str]:
    """The environment without the caller's LAUREL_* settings (RPC URL, keys), plus the passphrase."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LAUREL_")}
    return {**clean, "LAUREL_PASSPHRASE": PASSPHRASE}


PASSED = {
    "anchor.inclusion": Status.PASSED,
    "anchor.binding": Status.PASSED,
    "anchor.ledger": Status.PASSED,
}


# -- a pass, and finality --------------------------------------------------------------


def test_anchored_batch_passes_once_deep_enough(anvil, issuer):
    first, second = _issue(issuer), _issue(issuer, "ben@school.example")
    report = _anchor(issuer, anvil)
    assert (report.count, report.chain_id, report.deployed) == (2, CHAIN_ID, True)
    assert issuer.store.unanchored_issued() == []
    document = _document(issuer, second)
    assert _anchor_of(document).size == 2

    result = _verify(document, anvil.url, confirmations=1)
    assert result.verified
    assert _anchor_checks(result) == PASSED
    assert _check(result, "anchor.ledger").details["chainId"] == CHAIN_ID

    # Below the asked depth: a warning (still verified), never a pass.
    result = _verify(_document(issuer, first), anvil.url, confirmations=3)
    assert result.verified
    assert _anchor_checks(result)["anchor.pending"] is Status.WARNING
    assert "1 of 3 confirmations" in _check(result, "anchor.pending").message
    anvil.mine(2)
    assert _anchor_checks(_verify(document, anvil.url, confirmations=3)) == PASSED


def test_default_policy_waits_for_anvils_finalized_block(anvil, issuer):
    credential_id = _issue(issuer)
    report = _anchor(issuer, anvil)
    node = RpcChain(anvil.url)
    # What anvil's `finalized` tag says: two epochs of 32 slots below the head.
    assert node.finalized() == max(0, node.head() - ANVIL_FINALITY_LAG)
    document = _document(issuer, credential_id)

    pending = _verify(document, anvil.url, confirmations=None)
    assert pending.verified
    assert _anchor_checks(pending)["anchor.pending"] is Status.WARNING
    assert "not yet finalized" in _check(pending, "anchor.pending").message

    anvil.mine(ANVIL_FINALITY_LAG - 1)
    assert node.finalized() == report.block - 1
    assert "anchor.pending" in _anchor_checks(_verify(document, anvil.url, confirmations=None))
    anvil.mine(1)
    assert node.finalized() == report.block
    final = _verify(document, anvil.url, confirmations=None)
    assert _anchor_checks(final) == PASSED
    assert "finalized" in _check(final, "anchor.ledger").message


def test_cli_anchors_and_verifies_on_the_node(anvil, issuer, tmp_path):
    home = issuer.home
    issuer.close()
    env = {**_cli_env(), "LAUREL_HOME": str(home)}
    achievement = tmp_path / "achievement.json"
    achievement.write_text(json.dumps(ACHIEVEMENT), encoding="utf-8")

    def laurel(*args: str) -> subprocess.CompletedProcess[str]:
        assert LAUREL.exists(), LAUREL
        return subprocess.run(
            [str(LAUREL), *args], env=env, capture_output=True, text=True, timeout=60
        )

    issued = laurel(
        "issue",
        "--home",
        str(home),
        "--achievement",
        str(achievement),
        "--recipient",
        "a@b.example",
    )
    assert issued.returncode == 0, issued.stderr
    credential_id = issued.stdout.strip()
    account = laurel("anchor", "--account", "--home", str(home))
    assert account.returncode == 0, account.stderr
    anvil.fund(account.stdout.strip())

    anchored = laurel(
        "anchor", "--rpc", anvil.url, "--chain-id", str(CHAIN_ID), "--confirmations", "1", "--json"
    )
    assert anchored.returncode == 0, anchored.stderr
    report = json.loads(anchored.stdout)
    assert (report["count"], report["chainId"], report["account"]) == (
        1,
        CHAIN_ID,
        account.stdout.strip(),
    )
    again = laurel("anchor", "--rpc", anvil.url, "--json", "--home", str(home))
    assert json.loads(again.stdout) == {"count": 0}

    badge = tmp_path / "badge.json"
    assert laurel("export", credential_id, "--out", str(badge)).returncode == 0
    verified = laurel("verify", "--rpc", anvil.url, "--confirmations", "1", "--json", str(badge))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    line = json.loads(verified.stdout)
    assert line["verified"] is True
    statuses = {c["id"]: c["status"] for c in line["checks"] if c["id"].startswith("anchor")}
    assert statuses == {k: v.value for k, v in PASSED.items()}

    deeper = laurel("verify", "--rpc", anvil.url, "--confirmations", "50", str(badge))
    assert deeper.returncode == 0, deeper.stdout + deeper.stderr
    assert "anchor.pending" in deeper.stdout


# -- what must fail --------------------------------------------------------------------


def test_tampered_path_fails_inclusion(anvil, issuer):
    credential_id = _issue(issuer)
    _issue(issuer, "ben@school.example")
    _anchor(issuer, anvil)
    document = _document(issuer, credential_id)
    anchor = _anchor_of(document)
    first = bytearray(anchor.path[0])
    first[0] ^= 0x01
    forged = _reanchored(document, path=(bytes(first), *anchor.path[1:]))
    result = _verify(forged, anvil.url)
    assert _failures(result) == ["anchor.inclusion_invalid"]


def test_root_in_another_registry_is_not_found(anvil, issuer):
    credential_id = _issue(issuer)
    _anchor(issuer, anvil)
    document = _document(issuer, credential_id)
    # A second, empty registry: the proof's root was never recorded there.
    stranger = Account.create()
    anvil.fund(stranger.address)
    empty = RpcChain(anvil.url).deploy_registry(stranger).contract_address
    assert empty is not None
    result = _verify(_reanchored(document, contract=bytes.fromhex(empty[2:])), anvil.url)
    assert _failures(result) == ["anchor.root_not_found"]


def test_contract_without_code_is_the_wrong_contract(anvil, issuer):
    credential_id = _issue(issuer)
    _anchor(issuer, anvil)
    forged = _reanchored(_document(issuer, credential_id), contract=b"\x42" * 20)
    assert _failures(_verify(forged, anvil.url)) == ["anchor.wrong_contract"]


def test_root_never_anchored_is_not_found(anvil, issuer):
    anchored_id = _issue(issuer)
    _anchor(issuer, anvil)
    # A badge that was never anchored, given a self-consistent proof copied from the
    # anchored one (same registry, account, binding, block): only the chain can tell.
    unanchored_id = _issue(issuer, "ben@school.example")
    unanchored = _document(issuer, unanchored_id)
    leaf = credential_leaf(unanchored)
    tree = MerkleTree([leaf])
    template = _anchor_of(_document(issuer, anchored_id))
    forged = dataclasses.replace(template, leaf=leaf, index=0, size=1, path=(), root=tree.root)
    document = with_anchor_proof(unanchored, forged.to_proof_json())
    result = _verify(document, anvil.url)
    assert _failures(result) == ["anchor.root_not_found"]
    assert _anchor_checks(result)["anchor.inclusion"] is Status.PASSED


def test_proof_naming_another_chain_is_the_wrong_chain(anvil, issuer):
    credential_id = _issue(issuer)
    _anchor(issuer, anvil)
    forged = _reanchored(_document(issuer, credential_id), chain_id=11155111)
    result = _verify(forged, anvil.url)
    assert _failures(result) == ["anchor.wrong_chain"]
    assert "31337" in _check(result, "anchor.wrong_chain").message


def test_root_anchored_by_mallory_is_unbound(anvil, issuer):
    credential_id = _issue(issuer)
    _anchor(issuer, anvil)
    document = _document(issuer, credential_id)
    genuine = _anchor_of(document)
    # Mallory anchors her own batch holding the victim's credential, from her account.
    mallory = Account.create()
    anvil.fund(mallory.address)
    tree = MerkleTree([genuine.leaf, credential_leaf({"forged": "by mallory"})])
    node = RpcChain(anvil.url)
    receipt = node.transact(mallory, genuine.contract_address, "anchor", tree.root, tree.size)
    batch = {
        "index": 0,
        "size": 2,
        "path": tuple(tree.inclusion_proof(0)),
        "root": tree.root,
        "tx": receipt.tx,
        "block": receipt.block,
        "block_hash": receipt.block_hash,
        "block_time": receipt.block_time,
    }

    # (a) The proof keeps the victim's account and its genuine binding: the registry
    # keeps roots per sender, and the victim's account never sent this one.
    as_victim = _verify(_reanchored(document, **batch), anvil.url)
    assert _failures(as_victim) == ["anchor.root_not_found"]
    assert "anchoring account" in _check(as_victim, "anchor.root_not_found").message
    # (b) The proof names Mallory's account with the victim's binding: the issuer's
    # key never bound that account.
    as_mallory = _verify(
        _reanchored(document, **batch, account=bytes.fromhex(mallory.address[2:])), anvil.url
    )
    assert _failures(as_mallory) == ["anchor.sender_unbound"]
    assert "did not bind" in _check(as_mallory, "anchor.sender_unbound").message
    # The genuine anchor still passes.
    assert _anchor_checks(_verify(document, anvil.url)) == PASSED


def test_revoked_on_chain(anvil, issuer):
    revoked_id, kept_id = _issue(issuer), _issue(issuer, "ben@school.example")
    _anchor(issuer, anvil)
    receipt = revoke_on_chain(issuer, PASSPHRASE, revoked_id, rpc=anvil.url)
    assert receipt is not None
    assert revoke_on_chain(issuer, PASSPHRASE, revoked_id, rpc=anvil.url) is None  # once
    result = _verify(_document(issuer, revoked_id), anvil.url)
    assert _failures(result) == ["anchor.revoked"]
    assert "the credential" in _check(result, "anchor.revoked").message
    # Revocation is per leaf: the other badge of the batch stands.
    assert _anchor_checks(_verify(_document(issuer, kept_id), anvil.url)) == PASSED


def test_anchor_after_declared_compromise(anvil, issuer):
    before_id = _issue(issuer)
    before = _anchor(issuer, anvil)
    since = dt.datetime.fromtimestamp(before.block_time + 30, dt.UTC)
    declare_compromise(issuer, PASSPHRASE, since, rpc=anvil.url)
    anvil.rpc("evm_increaseTime", 60)
    after_id = _issue(issuer, "ben@school.example")
    after = _anchor(issuer, anvil)
    assert after.block_time >= since.timestamp()

    result = _verify(_document(issuer, after_id), anvil.url)
    assert _failures(result) == ["anchor.after_compromise"]
    # Anchored before the declared time: still good (Blockcerts' revoked issuing address).
    assert _anchor_checks(_verify(_document(issuer, before_id), anvil.url)) == PASSED


def test_reorg_that_drops_the_anchor(anvil, issuer):
    _issue(issuer)
    _anchor(issuer, anvil)  # deploys the registry before the snapshot
    snapshot = anvil.rpc("evm_snapshot")
    credential_id = _issue(issuer, "ben@school.example")
    report = _anchor(issuer, anvil)
    document = _document(issuer, credential_id)
    assert _anchor_checks(_verify(document, anvil.url)) == PASSED

    assert anvil.rpc("evm_revert", snapshot) is True
    assert anvil.head() == report.block - 1
    # Right after the revert the chain is shorter than the anchor's block: the root
    # is absent and the chain no longer reaches that block (SECURITY.md A09).
    assert _failures(_verify(document, anvil.url)) == ["anchor.reorged"]
    # Once new blocks fill that height, the block there is another one than the proof
    # names: the anchor was reorganized away.
    anvil.mine(3)
    result = _verify(document, anvil.url)
    assert _failures(result) == ["anchor.reorged"]
    assert f"block {report.block}" in _check(result, "anchor.reorged").message


# -- a node that cannot be used --------------------------------------------------------


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_node_down_is_a_warning_within_the_timeout(anvil, issuer):
    credential_id = _issue(issuer)
    _anchor(issuer, anvil)
    document = _document(issuer, credential_id)
    dead = _closed_port_url()
    started = time.monotonic()
    result = _verify(document, dead)
    assert time.monotonic() - started < 15
    assert result.verified
    assert _anchor_checks(result)["anchor.unavailable"] is Status.WARNING
    assert _failures(_verify(document, dead, require_anchor=True)) == ["anchor.unavailable"]


def test_node_that_never_answers_is_a_warning_within_the_timeout(anvil, issuer):
    credential_id = _issue(issuer)
    _anchor(issuer, anvil)
    with socket.socket() as silent:
        # Accepts connections (the kernel's backlog) but never answers a request.
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        result = _verify(_document(issuer, credential_id), url)
        elapsed = time.monotonic() - started
    assert elapsed < 15
    assert _anchor_checks(result)["anchor.unavailable"] is Status.WARNING


class _Proxy:
    """A JSON-RPC proxy on loopback in front of anvil: slow, or rewriting response ids."""

    def __init__(self, upstream: str, *, delay: float = 0.0, rewrite_ids: bool = False) -> None:
        import http.server
        import threading

        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(delay)
                try:
                    answer = requests.post(
                        upstream,
                        data=body,
                        headers={"Content-Type": "application/json"},
                        timeout=10,
                    ).content
                except requests.RequestException:
                    return  # anvil has stopped after the test: nobody waits for this answer
                proxy.requests += 1
                if rewrite_ids:
                    message = json.loads(answer)
                    message["id"] = message["id"] + 1
                    answer = json.dumps(message).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: that is the point of the slow proxy

            def log_message(self, *args: object) -> None:
                pass

        self.requests = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self) -> _Proxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a11_a_node_answering_each_request_slowly_is_cut_off_at_the_checks_budget(anvil, issuer):
    """2 s per request: the third would end past the 5 s budget, so it is not waited for."""
    credential_id = _issue(issuer)
    _anchor(issuer, anvil)
    document = _document(issuer, credential_id)
    assert _anchor_checks(_verify(document, anvil.url))["anchor.ledger"] is Status.PASSED
    with _Proxy(anvil.url, delay=2.0) as slow:
        started = time.monotonic()
        result = _verify(document, slow.url)
        elapsed = time.monotonic() - started
    assert elapsed < 6.5, elapsed
    assert result.verified
    assert _anchor_checks(result)["anchor.unavailable"] is Status.WARNING
    assert "did not answer" in _check(result, "anchor.unavailable").message


def test_a12_answers_carrying_another_requests_id_are_not_trusted(anvil, issuer):
    credential_id = _issue(issuer)
    _anchor(issuer, anvil)
    with _Proxy(anvil.url, rewrite_ids=True) as confused:
        result = _verify(_document(issuer, credential_id), confused.url)
        assert confused.requests >= 1
    assert _failures(result) == ["anchor.rpc_invalid"]
    assert "carries id" in _check(result, "anchor.rpc_invalid").message


def test_cli_anchor_on_a_dead_node_fails_cleanly(issuer):
    home = issuer.home
    _issue(issuer)
    issuer.close()
    env = _cli_env()
    dead = _closed_port_url()
    started = time.monotonic()
    run = subprocess.run(
        [str(LAUREL), "anchor", "--rpc", dead, "--json", "--home", str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 15
    assert run.returncode == 1
    assert dead in run.stderr
    assert "error:" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    with Wallet.open(home) as reopened:
        assert len(reopened.store.unanchored_issued()) == 1


def test_unfunded_account_is_named(anvil, issuer):
    credential_id = _issue(issuer)
    address = anchoring_account(issuer, PASSPHRASE).address
    with pytest.raises(UnfundedAccountError, match=address):
        anchor_pending(issuer, PASSPHRASE, rpc=anvil.url)
    assert [c.id for c in issuer.store.unanchored_issued()] == [credential_id]


def test_wrong_chain_id_is_refused(anvil, issuer):
    credential_id = _issue(issuer)
    with pytest.raises(WrongChainError, match=r"serves chain 31337, not 1$"):
        anchor_pending(issuer, PASSPHRASE, rpc=anvil.url, chain_id=1)
    assert [c.id for c in issuer.store.unanchored_issued()] == [credential_id]
    home = issuer.home
    issuer.close()
    run = subprocess.run(
        [str(LAUREL), "anchor", "--rpc", anvil.url, "--chain-id", "1", "--home", str(home)],
        env=_cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "serves chain 31337, not 1" in run.stderr
    assert "Traceback" not in run.stderr
