"""The anchor checks through verifier.verify: a real wallet, a real embedded chain, real attacks.

Each attack names the SECURITY.md row it builds and asserts the exact failing check id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account

from anchor.check import ChainDirectory
from anchor.embedded import EmbeddedChain
from anchor.merkle import MerkleTree, leaf_hash
from anchor.proof import (
    AnchorProof,
    anchor_proofs,
    credential_leaf,
    sign_binding,
    with_anchor_proof,
)
from tests.builders import MALLORY
from tests.conftest import REPO
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from vc.results import Status, VerificationResult
from vc.types import JSONObject
from verifier.policy import VerificationPolicy
from verifier.verify import verify
from wallet.home import Wallet
from wallet.issuer import IssueOptions, issue_badge, load_achievement
from wallet.keystore import KdfParams
from wallet.ledger import (
    AnchorReport,
    anchor_pending,
    declare_compromise,
    embedded_chain_path,
    revoke_on_chain,
)

ANCHOR_IDS = ("anchor.inclusion", "anchor.binding", "anchor.ledger")


@dataclass
class Issuer:
    wallet: Wallet
    ids: list[str]
    report: AnchorReport

    @property
    def chain(self) -> Path:
        return embedded_chain_path(self.wallet.home)

    def document(self, index: int) -> JSONObject:
        return self.wallet.store.get_credential(self.ids[index]).document

    def directory(self) -> ChainDirectory:
        # A fresh directory per verification: its cache would hide a later revocation.
        return ChainDirectory(embedded_path=self.chain)


def make_issuer(home: Path, suites: tuple[str, ...]) -> Issuer:
    wallet = Wallet.create(
        home, name="Riverside School District", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()
    )
    achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
    ids = [
        issue_badge(
            wallet, PASSPHRASE, achievement, f"did:example:teacher-{i}", IssueOptions(suite=suite)
        ).id
        for i, suite in enumerate(suites)
    ]
    (report,) = anchor_pending(wallet, PASSPHRASE)
    assert report.count == len(suites)
    return Issuer(wallet, ids, report)


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Issuer:
    """Three anchored badges, never changed on chain by the tests that share them."""
    made = make_issuer(
        tmp_path_factory.mktemp("check") / "issuer",
        ("eddsa-rdfc-2022", "eddsa-jcs-2022", "eddsa-rdfc-2022"),
    )
    yield made
    made.wallet.close()


@pytest.fixture
def own_issuer(tmp_path: Path) -> Issuer:
    """Two anchored badges for a test that changes the registry (revokes, declares)."""
    made = make_issuer(tmp_path / "issuer", ("eddsa-rdfc-2022", "eddsa-rdfc-2022"))
    yield made
    made.wallet.close()


def policy(**options: object) -> VerificationPolicy:
    # Issued moments ago: "now" is taken after issuing, like a verifier would.
    return VerificationPolicy(now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1), **options)


def check(
    document: JSONObject, anchors: ChainDirectory | None, **options: object
) -> VerificationResult:
    return verify(document, policy(**options), anchors=anchors)


def statuses(result: VerificationResult) -> dict[str, Status]:
    return {c.id: c.status for c in result.checks}


def failures(result: VerificationResult) -> list[str]:
    return [c.id for c in result.failures()]


def anchor_of(document: JSONObject) -> AnchorProof:
    (proof,) = anchor_proofs(document)
    return AnchorProof.from_proof_json(proof)


def reanchored(document: JSONObject, **changes: object) -> JSONObject:
    """`document` with its anchor proof re-encoded with `changes` (a well-formed forgery)."""
    anchor = dataclasses.replace(anchor_of(document), **changes)
    return with_anchor_proof(document, anchor.to_proof_json())


# -- what passes --------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [0, 1, 2])
def test_anchored_badge_verifies_with_every_anchor_check_passed(issuer, index):
    result = check(issuer.document(index), issuer.directory())
    found = statuses(result)
    assert result.verified, result.failures()
    for check_id in ANCHOR_IDS:
        assert found[check_id] is Status.PASSED, check_id
    # The anchor proof sits in the proof set beside the signature, which still verifies;
    # the anchor proof is not taken for a signature of an unknown suite.
    assert found["proof.signature"] is Status.PASSED
    assert found["issuer.key_binding"] is Status.PASSED
    assert not [c.id for c in result.checks if c.id.startswith("proof.unsupported")]
    assert found["schema"] is Status.PASSED
    assert found["format"] is Status.PASSED
    assert found["proof.context"] is Status.PASSED


def test_ledger_check_reports_the_chain_and_block(issuer):
    result = check(issuer.document(0), issuer.directory())
    (ledger,) = [c for c in result.checks if c.id == "anchor.ledger"]
    assert ledger.details["block"] == issuer.report.block
    assert ledger.details["account"] == issuer.report.account
    assert ledger.details["contract"] == issuer.report.contract
    assert "embedded chain" in ledger.message


def test_a_warm_directory_answers_from_its_cache(issuer):
    directory = issuer.directory()
    first = check(issuer.document(0), directory)
    assert statuses(first)["anchor.ledger"] is Status.PASSED
    # Nothing is opened for a cached record: the file could even be gone.
    directory.embedded_path = issuer.chain.with_name("moved-away.db")
    again = check(issuer.document(0), directory)
    assert statuses(again)["anchor.ledger"] is Status.PASSED


# -- without an anchor proof, or without a chain ---------------------------------------------------

_NO_WEB3 = """
import datetime as dt, json, sys
from verifier.verify import verify
from verifier.policy import VerificationPolicy
document = json.loads(sys.stdin.read())
result = verify(document, VerificationPolicy(now=dt.datetime.now(dt.UTC)))
anchor = [c.status.value for c in result.checks if c.id.startswith("anchor")]
print(json.dumps({"verified": result.verified, "anchor": anchor,
                  "web3": "web3" in sys.modules, "anchor.chain": "anchor.chain" in sys.modules}))
"""


def _verify_in_a_fresh_process(document: JSONObject) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _NO_WEB3],
        input=json.dumps(document),
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def test_without_an_anchor_proof_the_check_is_skipped_and_web3_never_imported(issuer):
    unanchored = issuer.wallet.store.get_credential(issuer.ids[0]).document
    (signature,) = [p for p in unanchored["proof"] if p["cryptosuite"] != "laurel-anchor-2026"]
    plain = {**unanchored, "proof": signature}
    in_process = check(plain, issuer.directory())
    assert [c.status for c in in_process.checks if c.id.startswith("anchor")] == [Status.SKIPPED]
    assert [c.id for c in in_process.checks if c.id.startswith("anchor")] == ["anchor"]
    seen = _verify_in_a_fresh_process(plain)
    assert seen == {"verified": True, "anchor": ["skipped"], "web3": False, "anchor.chain": False}


def test_anchor_proof_without_a_chain_does_not_import_web3_either(issuer):
    seen = _verify_in_a_fresh_process(issuer.document(0))
    assert seen == {
        "verified": True,
        "anchor": ["passed", "passed", "warning"],
        "web3": False,
        "anchor.chain": False,
    }


@pytest.mark.parametrize("anchors", [None, ChainDirectory()], ids=["none", "empty"])
def test_no_chain_configured_is_an_unavailable_warning(issuer, anchors):
    result = check(issuer.document(0), anchors)
    found = statuses(result)
    assert found["anchor.unavailable"] is Status.WARNING
    assert found["anchor.inclusion"] is Status.PASSED
    assert found["anchor.binding"] is Status.PASSED
    assert "anchor.ledger" not in found
    assert result.verified


def test_no_chain_configured_fails_when_the_policy_requires_the_anchor(issuer):
    result = check(issuer.document(0), None, require_anchor=True)
    assert not result
    assert failures(result) == ["anchor.unavailable"]


def test_missing_embedded_chain_file_is_unavailable(issuer, tmp_path):
    result = check(issuer.document(0), ChainDirectory(embedded_path=tmp_path / "none.db"))
    assert statuses(result)["anchor.unavailable"] is Status.WARNING
    assert result.verified
    required = check(
        issuer.document(0),
        ChainDirectory(embedded_path=tmp_path / "none.db"),
        require_anchor=True,
    )
    assert failures(required) == ["anchor.unavailable"]


# -- attacks on the proof ----------------------------------------------------------------------------


def test_a01_flipped_path_byte_is_inclusion_invalid(issuer):
    document = issuer.document(1)
    path = list(anchor_of(document).path)
    path[0] = bytes([path[0][0] ^ 0x01]) + path[0][1:]
    result = check(reanchored(document, path=tuple(path)), issuer.directory())
    assert not result
    assert failures(result) == ["anchor.inclusion_invalid"]


def test_a01_flipped_root_byte_is_inclusion_invalid_and_not_found(issuer):
    document = issuer.document(1)
    root = bytearray(anchor_of(document).root)
    root[5] ^= 0x80
    result = check(reanchored(document, root=bytes(root)), issuer.directory())
    assert failures(result) == ["anchor.inclusion_invalid", "anchor.root_not_found"]


def test_a02_shortened_path_is_inclusion_invalid(issuer):
    document = issuer.document(0)
    anchor = anchor_of(document)
    result = check(reanchored(document, path=anchor.path[1:]), issuer.directory())
    assert failures(result) == ["anchor.inclusion_invalid"]


def test_a13_anchor_proof_copied_onto_another_credential_is_leaf_mismatch(issuer):
    donor, target = issuer.document(0), issuer.document(1)
    (copied,) = anchor_proofs(donor)
    result = check(with_anchor_proof(target, copied), issuer.directory())
    assert not result
    assert failures(result) == ["anchor.leaf_mismatch"]
    assert statuses(result)["proof.signature"] is Status.PASSED


def test_a13_edited_credential_keeps_no_anchor(issuer):
    document = issuer.document(2)
    document["name"] = "Another badge"
    result = check(document, issuer.directory())
    # The signature fails too, and the anchor does not stand in for it.
    assert "anchor.leaf_mismatch" in failures(result)
    assert "proof.signature_invalid" in failures(result)


def test_malformed_anchor_proof_is_its_own_failure(issuer):
    document = issuer.document(0)
    (proof,) = anchor_proofs(document)
    broken = with_anchor_proof(document, {**proof, "proofValue": "u" + "A" * 10})
    result = check(broken, issuer.directory())
    assert failures(result) == ["anchor.malformed"]
    assert statuses(result)["proof.signature"] is Status.PASSED


def test_binding_signed_by_another_key_is_sender_unbound(issuer):
    document = issuer.document(0)
    anchor = anchor_of(document)
    forged = sign_binding(MALLORY.key, issuer.wallet.identity.did, anchor.account_address)
    result = check(reanchored(document, binding=forged), issuer.directory())
    assert not result
    assert failures(result) == ["anchor.sender_unbound"]
    assert "issuer's key did not bind" in result.failures()[0].message


def test_binding_by_a_key_of_another_did_is_sender_unbound(issuer):
    document = issuer.document(0)
    anchor = anchor_of(document)
    did = issuer.wallet.identity.did
    mallory_binding = sign_binding(MALLORY.key, did, anchor.account_address)
    result = check(
        reanchored(document, verification_method=MALLORY.vm, binding=mallory_binding),
        issuer.directory(),
    )
    assert failures(result) == ["anchor.sender_unbound"]
    assert "not by an assertion key of the issuer" in result.failures()[0].message


def test_a05_root_anchored_by_an_unbound_account_is_refused(issuer):
    """Mallory anchors a root holding the badge from her own account, keeping the issuer's binding."""
    document = issuer.document(2)
    leaf = credential_leaf(document)
    mallory = Account.create()
    with EmbeddedChain.open(issuer.chain, writable=True) as chain:
        receipt = chain.transact(mallory, issuer.report.contract, "anchor", leaf, 1)
        chain.commit()
    forged = reanchored(
        document,
        index=0,
        size=1,
        path=(),
        root=leaf,
        tx=receipt.tx,
        block=receipt.block,
        block_hash=receipt.block_hash,
        block_time=receipt.block_time,
    )
    # The registry keeps roots per sender: under the issuer's bound account there is
    # no such root, so the proof that keeps the issuer's binding finds nothing.
    result = check(forged, issuer.directory())
    assert failures(result) == ["anchor.root_not_found"]
    assert "anchoring account" in result.failures()[0].message
    # ... and naming her own account breaks the binding instead.
    hers = reanchored(forged, account=bytes.fromhex(mallory.address[2:]))
    assert failures(check(hers, issuer.directory())) == ["anchor.sender_unbound"]


def test_a07_contract_address_changed_is_wrong_contract(issuer):
    document = issuer.document(0)
    result = check(reanchored(document, contract=bytes(range(20))), issuer.directory())
    assert not result
    assert failures(result) == ["anchor.wrong_contract"]


def test_a06_chain_id_changed_is_wrong_chain(issuer):
    # The only chain consulted is the embedded one (eth-tester's id); the proof now
    # names Sepolia. The code fails closed with anchor.wrong_chain (not the
    # anchor.unavailable warning) because a chain *was* consulted and it is not the
    # one named: the anchor cannot be confirmed where it claims to be.
    document = issuer.document(0)
    result = check(reanchored(document, chain_id=11155111), issuer.directory())
    assert not result
    assert failures(result) == ["anchor.wrong_chain"]
    assert "11155111" in result.failures()[0].message


def test_a04_root_never_anchored_is_root_not_found(issuer):
    """A well-formed proof over a batch whose transaction was never sent."""
    document = issuer.document(0)
    leaves = [credential_leaf(document), leaf_hash(b"a badge in a batch never sent")]
    tree = MerkleTree(leaves)
    forged = reanchored(
        document, index=0, size=2, path=tuple(tree.inclusion_proof(0)), root=tree.root
    )
    result = check(forged, issuer.directory())
    assert not result
    assert failures(result) == ["anchor.root_not_found"]
    assert statuses(result)["anchor.inclusion"] is Status.PASSED


def test_a09_block_hash_changed_is_reorged(issuer):
    document = issuer.document(0)
    result = check(reanchored(document, block_hash=bytes(32)), issuer.directory())
    assert failures(result) == ["anchor.reorged"]


# -- what the issuer records on chain ----------------------------------------------------------------


def test_revoked_on_chain_is_revoked_and_the_rest_of_the_batch_stands(own_issuer):
    receipt = revoke_on_chain(own_issuer.wallet, PASSPHRASE, own_issuer.ids[0])
    assert receipt is not None
    result = check(own_issuer.document(0), own_issuer.directory())
    assert not result
    assert failures(result) == ["anchor.revoked"]
    (revoked,) = result.failures()
    assert "the credential" in revoked.message
    assert revoked.details["revokedAt"]
    assert check(own_issuer.document(1), own_issuer.directory())
    # Revoking again sends nothing.
    assert revoke_on_chain(own_issuer.wallet, PASSPHRASE, own_issuer.ids[0]) is None


def _deploy_lying_registry(chain_file: Path, account: bytes, block: int, timestamp: int) -> str:
    """A contract whose every call answers: anchored by `account` at `block`, never revoked."""
    runtime = (
        b"\x73" + account + b"\x60\x00\x52"  # mstore(0, sender)
        b"\x7f" + block.to_bytes(32, "big") + b"\x60\x20\x52"  # mstore(32, block)
        b"\x7f" + timestamp.to_bytes(32, "big") + b"\x60\x40\x52"  # mstore(64, time)
        b"\x60\xc0\x60\x00\xf3"  # return(0, 192): both revocations and compromise zero
    )
    init = bytes([0x60, len(runtime), 0x60, 12, 0x60, 0, 0x39, 0x60, len(runtime), 0x60, 0, 0xF3])
    with EmbeddedChain.open(chain_file, writable=True) as chain:
        w3 = chain.w3
        tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": init + runtime})
        address = w3.eth.wait_for_transaction_receipt(tx)["contractAddress"]
        assert w3.eth.get_code(address) == runtime
        chain.commit()
    return str(address)


def test_a07_look_alike_registry_cannot_unrevoke_a_badge(own_issuer):
    revoke_on_chain(own_issuer.wallet, PASSPHRASE, own_issuer.ids[0])
    document = own_issuer.document(0)
    anchor = anchor_of(document)
    liar = _deploy_lying_registry(own_issuer.chain, anchor.account, anchor.block, anchor.block_time)
    # Everything else in the proof is genuine: root, path, binding, block and its hash.
    moved = reanchored(document, contract=bytes.fromhex(liar[2:]))
    result = check(moved, own_issuer.directory())
    assert not result
    assert failures(result) == ["anchor.wrong_contract"]
    assert "not laurel's AnchorRegistry" in result.failures()[0].message


def test_a10_compromise_declared_in_the_future_leaves_anchors_valid(own_issuer):
    declare_compromise(
        own_issuer.wallet, PASSPHRASE, dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    )
    result = check(own_issuer.document(0), own_issuer.directory())
    assert result
    assert statuses(result)["anchor.ledger"] is Status.PASSED


def test_a10_compromise_declared_in_the_past_fails_anchors_made_since(own_issuer):
    declare_compromise(
        own_issuer.wallet, PASSPHRASE, dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    )
    result = check(own_issuer.document(0), own_issuer.directory())
    assert not result
    assert failures(result) == ["anchor.after_compromise"]
    assert result.failures()[0].details["compromisedSince"]


def test_a10_badges_anchored_before_the_compromise_stay_valid(own_issuer):
    """V0 anchored before T passes; V anchored after T fails (each block is >= 1 s later)."""
    before = own_issuer.report.block_time
    since = dt.datetime.fromtimestamp(before + 1, dt.UTC)
    declare_compromise(own_issuer.wallet, PASSPHRASE, since)
    achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
    later = issue_badge(
        own_issuer.wallet, PASSPHRASE, achievement, "did:example:late", IssueOptions()
    ).id
    (report,) = anchor_pending(own_issuer.wallet, PASSPHRASE)
    assert report.block_time >= before + 1
    assert check(own_issuer.document(0), own_issuer.directory())
    late = own_issuer.wallet.store.get_credential(later).document
    assert failures(check(late, own_issuer.directory())) == ["anchor.after_compromise"]


def test_require_anchor_fails_a_credential_without_one():
    from tests.builders import badge
    from verifier.policy import VerificationPolicy
    from verifier.verify import verify

    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    relaxed = verify(badge(), VerificationPolicy(now=now))
    assert relaxed.check("anchor").status == "skipped"
    strict = verify(badge(), VerificationPolicy(now=now, require_anchor=True))
    assert [c.id for c in strict.failures()] == ["anchor.missing"]
