"""AnchorRegistry: the committed artifact is a fresh compile, and the contract keeps its rules.

The behaviour runs on the embedded chain (py-evm), the same bytecode anvil and the
public chains run; each refusal is a ContractError that names the contract's custom error.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from typing import TYPE_CHECKING, Any

import pytest
from eth_account import Account

from anchor.chain import Receipt, registry_artifact
from anchor.embedded import EmbeddedChain
from anchor.errors import ContractError
from tests.chain_tools import REPO, node_binary, solc_dir

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

CONTRACTS = REPO / "anchor" / "contracts"
ARTIFACT = CONTRACTS / "AnchorRegistry.json"
ROOT = hashlib.sha256(b"batch one").digest()
LEAF = hashlib.sha256(b"credential one").digest()
WHOLE_BATCH = bytes(32)


def test_committed_artifact_is_a_fresh_compile():
    fresh = subprocess.run(
        [node_binary(), str(CONTRACTS / "compile.mjs"), str(solc_dir()), "-"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert fresh.stdout == ARTIFACT.read_bytes(), "run scripts/build-contract and commit the result"


def test_artifact_names_its_source_and_compiler():
    artifact = json.loads(ARTIFACT.read_bytes())
    source = (CONTRACTS / "AnchorRegistry.sol").read_bytes()
    assert artifact["sourceSha256"] == hashlib.sha256(source).hexdigest()
    assert artifact["compiler"]["version"].startswith("0.8.37+")
    # paris: no PUSH0 (0x5f), which py-evm's default fork and some chains lack.
    assert artifact["settings"]["evmVersion"] == "paris"


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedChain:
    path = tmp_path_factory.mktemp("contract") / "chain.db"
    with EmbeddedChain.open(path, writable=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def alice() -> LocalAccount:
    return Account.create()


@pytest.fixture(scope="module")
def bob() -> LocalAccount:
    return Account.create()


def _events(chain: EmbeddedChain, registry: str) -> Any:
    """The registry's events, read through web3 with the committed ABI."""
    contract = chain.w3.eth.contract(
        address=chain.w3.to_checksum_address(registry), abi=registry_artifact()["abi"]
    )
    return contract.events


@pytest.fixture(scope="module")
def registry(chain: EmbeddedChain, alice) -> str:
    receipt = chain.deploy_registry(alice)
    assert receipt.contract_address is not None
    return receipt.contract_address


@pytest.fixture(scope="module")
def anchored(chain: EmbeddedChain, registry: str, alice) -> Receipt:
    return chain.transact(alice, registry, "anchor", ROOT, 5)


def test_deployed_code_is_the_committed_artifact(chain, registry):
    deployed = chain.w3.eth.get_code(chain.w3.to_checksum_address(registry))
    assert "0x" + bytes(deployed).hex() == registry_artifact()["deployedBytecode"]
    assert chain.has_code(registry)
    assert not chain.has_code("0x" + "00" * 19 + "01")


def test_lookup_of_an_anchored_root(chain, registry, alice, anchored):
    lookup = chain.lookup(registry, ROOT, LEAF, sender=alice.address)
    assert lookup.anchored
    assert lookup.sender == bytes.fromhex(alice.address[2:])
    assert lookup.block == anchored.block
    assert lookup.timestamp == anchored.block_time
    assert (lookup.batch_revoked_at, lookup.leaf_revoked_at, lookup.compromised_since) == (0, 0, 0)
    assert chain.block_hash(anchored.block) == anchored.block_hash


def test_lookup_of_a_root_never_anchored(chain, registry, alice, bob, anchored):
    lookup = chain.lookup(registry, hashlib.sha256(b"never").digest(), LEAF, sender=alice.address)
    assert not lookup.anchored
    assert (lookup.sender, lookup.block, lookup.timestamp) == (bytes(20), 0, 0)
    # Alice's root is not Bob's: records are per sender.
    assert not chain.lookup(registry, ROOT, LEAF, sender=bob.address).anchored


def test_a_root_is_anchored_once_per_sender_and_a_copy_takes_nothing(
    chain, registry, alice, bob, anchored
):
    with pytest.raises(ContractError, match="AlreadyAnchored"):
        chain.transact(alice, registry, "anchor", ROOT, 5)
    # Bob copying Alice's root (front-running it) only records it under Bob.
    copied = chain.transact(bob, registry, "anchor", ROOT, 5)
    mine = chain.lookup(registry, ROOT, LEAF, sender=alice.address)
    assert (mine.block, mine.sender) == (anchored.block, bytes.fromhex(alice.address[2:]))
    assert chain.lookup(registry, ROOT, LEAF, sender=bob.address).block == copied.block


def test_an_empty_batch_is_refused(chain, registry, alice):
    with pytest.raises(ContractError, match="EmptyBatch"):
        chain.transact(alice, registry, "anchor", hashlib.sha256(b"empty").digest(), 0)


def test_only_the_anchoring_account_revokes(chain, registry, alice, anchored):
    eve = Account.create()
    with pytest.raises(ContractError, match=r"NotAnchored\b"):
        chain.transact(eve, registry, "revoke", ROOT, LEAF)
    assert chain.lookup(registry, ROOT, LEAF, sender=alice.address).leaf_revoked_at == 0


def test_revoking_in_a_root_never_anchored_is_refused(chain, registry, alice):
    with pytest.raises(ContractError, match=r"NotAnchored\b"):
        chain.transact(alice, registry, "revoke", hashlib.sha256(b"absent").digest(), LEAF)


def test_revoking_one_leaf_then_the_whole_batch(chain, registry, alice):
    root = hashlib.sha256(b"batch two").digest()
    other_leaf = hashlib.sha256(b"credential two").digest()
    chain.transact(alice, registry, "anchor", root, 2)
    revoked = chain.transact(alice, registry, "revoke", root, LEAF)
    lookup = chain.lookup(registry, root, LEAF, sender=alice.address)
    assert (lookup.leaf_revoked_at, lookup.batch_revoked_at) == (revoked.block_time, 0)
    assert chain.lookup(registry, root, other_leaf, sender=alice.address).leaf_revoked_at == 0
    with pytest.raises(ContractError, match="AlreadyRevoked"):
        chain.transact(alice, registry, "revoke", root, LEAF)
    whole = chain.transact(alice, registry, "revoke", root, WHOLE_BATCH)
    assert (
        chain.lookup(registry, root, other_leaf, sender=alice.address).batch_revoked_at
        == whole.block_time
    )


def test_a_declared_compromise_only_moves_earlier(chain, registry):
    carol = Account.create()
    root = hashlib.sha256(b"carol's batch").digest()
    chain.transact(carol, registry, "anchor", root, 1)
    with pytest.raises(ContractError, match="ZeroTime"):
        chain.transact(carol, registry, "declareCompromise", 0)
    for since, expected in ((2_000_000_000, 2_000_000_000), (2_100_000_000, 2_000_000_000)):
        chain.transact(carol, registry, "declareCompromise", since)
        assert (
            chain.lookup(registry, root, LEAF, sender=carol.address).compromised_since == expected
        )
    chain.transact(carol, registry, "declareCompromise", 1_900_000_000)
    assert (
        chain.lookup(registry, root, LEAF, sender=carol.address).compromised_since == 1_900_000_000
    )
    events = _events(chain, registry).KeyCompromised.get_logs(from_block=0)
    assert [e["args"]["since"] for e in events if e["args"]["account"] == carol.address] == [
        2_000_000_000,
        2_000_000_000,
        1_900_000_000,
    ]


def test_a_compromise_is_per_account(chain, registry, alice, anchored):
    dave = Account.create()
    chain.transact(dave, registry, "declareCompromise", 1_800_000_000)
    assert chain.lookup(registry, ROOT, LEAF, sender=alice.address).compromised_since == 0


def test_the_anchored_event_names_root_sender_and_size(chain, registry, alice, anchored):
    logs = _events(chain, registry).Anchored.get_logs(
        from_block=anchored.block, to_block=anchored.block
    )
    assert [(bytes(e["args"]["root"]), e["args"]["sender"], e["args"]["size"]) for e in logs] == [
        (ROOT, alice.address, 5)
    ]
    assert bytes(logs[0]["transactionHash"]) == anchored.tx
