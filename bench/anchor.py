"""Benchmark: anchoring 10,000 badges in one transaction, and checking one anchor.

    python -m bench.anchor                # 10,000 badges, about 10 s
    python -m bench.anchor --count 2000   # quicker
    python -m bench.anchor --json         # machine-readable

The badges are real signed credentials: the wallet's own OB 3.0 template, one
``id`` and recipient each, signed with eddsa-jcs-2022 by the wallet's key
(`--unsigned` skips the signing; the leaf hashes the credential without its
proofs either way). They are stored in a scratch wallet and anchored with
`wallet.ledger.anchor_pending` on the embedded chain, as `laurel anchor` does.

Figures, each beside its baseline measured in the same run:
- gas: the batch's one transaction, per badge (target <= 10), beside one anchor
  transaction per badge (the mean of a few single-leaf anchors, times the count).
- Merkle build for the batch (target <= 0.5 s) beside one SHA-256 per leaf (the
  least any tree over these leaves costs); the leaf computation (JCS + SHA-256 of
  each credential) is shown on its own.
- checking one anchor once its record is cached (target <= 1 ms):
  `anchor.check.check_inclusion` + `check_ledger` with a warm `ChainDirectory`,
  the median over many calls, beside one Ed25519 signature verification. The
  whole `verifier.anchor_checks.check_anchor` (decoding, binding signature, DID
  resolution) is shown too.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import nacl.signing

from anchor.check import ChainDirectory, check_inclusion, check_ledger
from anchor.merkle import MerkleTree
from anchor.proof import AnchorProof, anchor_proofs, credential_leaf
from vc.did import DidResolver
from vc.proofs import add_proof
from vc.results import Status
from vc.timestamps import format_datetime_stamp
from verifier.anchor_checks import check_anchor
from verifier.check_context import CheckContext
from verifier.policy import VerificationPolicy
from wallet.home import Wallet
from wallet.issuer import IssueOptions, _credential, load_achievement
from wallet.keystore import KdfParams
from wallet.ledger import anchor_pending, anchoring_account, embedded_chain_path, open_chain

PASSPHRASE = "bench passphrase, not a secret"  # noqa: S105
ACHIEVEMENT = {
    "name": "Formative Assessment in Practice",
    "description": "Designs and uses formative assessment to adjust instruction.",
    "criteria": {"narrative": "Three annotated lesson plans scored on the district rubric."},
}
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
GAS_TARGET = 10.0
BUILD_TARGET = 0.5
CHECK_TARGET = 1e-3
SINGLE_ANCHORS = 20  # single-leaf transactions averaged for the per-badge baseline


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def _median_time(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _credentials(wallet: Wallet, count: int, *, signed: bool) -> tuple[list[dict], float]:
    """`count` distinct credentials from the wallet's template, and the time it took."""
    identity = wallet.identity
    key = wallet.signing_key(PASSPHRASE)
    achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
    template = _credential(identity, achievement, "did:example:teacher", IssueOptions(now=NOW))
    created = format_datetime_stamp(NOW)
    started = time.perf_counter()
    documents = []
    for i in range(count):
        document = copy.deepcopy(template)
        document["id"] = f"urn:uuid:{uuid.UUID(int=i + 1, version=4)}"
        document["credentialSubject"]["id"] = f"did:example:teacher-{i}"
        if signed:
            document = add_proof(
                document,
                key,
                identity.verification_method,
                cryptosuite="eddsa-jcs-2022",
                created=created,
            )
        documents.append(document)
    return documents, time.perf_counter() - started


def _single_anchor_gas(wallet: Wallet, leaves: list[bytes]) -> float:
    """Mean gas of anchoring one badge per transaction, on the same chain and registry."""
    account = anchoring_account(wallet, PASSPHRASE)
    with open_chain(wallet) as chain:
        contract = wallet.store.get_setting(f"anchor.contract.{chain.chain_id}")
        assert contract is not None
        used = [
            chain.transact(account, contract, "anchor", leaf, 1).gas_used
            for leaf in leaves[:SINGLE_ANCHORS]
        ]
    return statistics.mean(used)


def _check_times(wallet: Wallet, sample: int, rounds: int) -> tuple[float, float]:
    """Median seconds of inclusion+ledger, and of the whole check_anchor, with a warm cache."""
    stored = wallet.store.list_credentials()
    step = max(1, len(stored) // sample)
    documents = [s.document for s in stored[::step][:sample]]
    anchors = [AnchorProof.from_proof_json(anchor_proofs(d)[0]) for d in documents]
    directory = ChainDirectory(embedded_path=embedded_chain_path(wallet.home))
    for anchor in anchors:  # warm: each record read from the chain once
        assert check_ledger(anchor, directory).status is Status.PASSED
    inclusion_ledger = []
    for _ in range(rounds):
        for document, anchor in zip(documents, anchors, strict=True):
            started = time.perf_counter()
            included = check_inclusion(document, anchor)
            recorded = check_ledger(anchor, directory)
            inclusion_ledger.append(time.perf_counter() - started)
            assert included.status is recorded.status is Status.PASSED
    ctx = CheckContext(
        policy=VerificationPolicy(now=dt.datetime.now(dt.UTC)),
        resolver=DidResolver(),
        anchors=directory,
    )
    whole = []
    for _ in range(rounds):
        for document in documents:
            started = time.perf_counter()
            results = check_anchor(document, ctx)
            whole.append(time.perf_counter() - started)
            assert all(r.status is Status.PASSED for r in results)
    return statistics.median(inclusion_ledger), statistics.median(whole)


def _ed25519_verify_time(runs: int) -> float:
    key = nacl.signing.SigningKey(hashlib.sha256(b"bench").digest())
    message = hashlib.sha256(b"a").digest() + hashlib.sha256(b"b").digest()
    signed = key.sign(message)
    verify = key.verify_key.verify
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        verify(signed)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Run the anchoring benchmark and print the figures beside their baselines."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=10_000, help="badges in the batch")
    parser.add_argument("--unsigned", action="store_true", help="do not sign the badges")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="laurel-bench-anchor-"))
    try:
        # Argon2id at the test cost: unlocking is not what is measured here.
        wallet = Wallet.create(
            scratch / "wallet",
            name="Riverside School District",
            passphrase=PASSPHRASE,
            kdf=KdfParams.for_tests(),
        )
        documents, build_seconds = _credentials(wallet, args.count, signed=not args.unsigned)
        with wallet.store.transaction():
            for document in documents:
                wallet.store.add_credential(document, origin="issued")

        leaf_seconds = _median_time(lambda: [credential_leaf(d) for d in documents], 3)
        leaves = [credential_leaf(d) for d in documents]
        merkle_seconds = _median_time(lambda: MerkleTree(leaves), 7)
        hash_seconds = _median_time(lambda: [hashlib.sha256(leaf).digest() for leaf in leaves], 7)

        started = time.perf_counter()
        (report,) = anchor_pending(wallet, PASSPHRASE)
        anchor_seconds = time.perf_counter() - started
        assert report.count == args.count
        single_gas = _single_anchor_gas(wallet, [hashlib.sha256(leaf).digest() for leaf in leaves])

        check_seconds, whole_seconds = _check_times(wallet, sample=200, rounds=10)
        ed25519_seconds = _ed25519_verify_time(20_000)
        wallet.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    count = args.count
    gas_per_badge = report.gas_used / count
    per_badge_total = single_gas * count
    results = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.python_implementation()} {platform.python_version()}",
        "commit": _commit(),
        "badges": count,
        "badges_signed": "unsigned" if args.unsigned else "eddsa-jcs-2022",
        "build_seconds": round(build_seconds, 3),
        "gas_batch": report.gas_used,
        "gas_per_badge": round(gas_per_badge, 3),
        "gas_one_tx_per_badge_mean": round(single_gas, 1),
        "gas_ratio_per_badge_txs_vs_batch": round(per_badge_total / report.gas_used, 1),
        "leaf_seconds": round(leaf_seconds, 4),
        "merkle_build_seconds": round(merkle_seconds, 4),
        "hash_leaves_seconds": round(hash_seconds, 4),
        "merkle_ratio_vs_hashing": round(merkle_seconds / hash_seconds, 2),
        "anchor_pending_seconds": round(anchor_seconds, 3),
        "check_inclusion_ledger_seconds": check_seconds,
        "check_anchor_seconds": whole_seconds,
        "ed25519_verify_seconds": ed25519_seconds,
        "check_ratio_vs_ed25519": round(check_seconds / ed25519_seconds, 2),
        "meets_gas": gas_per_badge <= GAS_TARGET,
        "meets_merkle": merkle_seconds <= BUILD_TARGET,
        "meets_check": check_seconds <= CHECK_TARGET,
    }
    ok = results["meets_gas"] and results["meets_merkle"] and results["meets_check"]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0 if ok else 1

    def verdict(good: object) -> str:
        return "meets" if good else "MISSES"

    signed = "unsigned" if args.unsigned else "signed with eddsa-jcs-2022"
    print(f"laurel anchor bench  commit {results['commit']}  {results['machine']}")
    print(
        f"{count:,} distinct OB 3.0 credentials ({signed}, built in {build_seconds:.1f} s), "
        "one batch on the embedded chain (py-evm); one core\n"
    )
    print(f"{'gas':52} {'gas':>12} {'per badge':>10}")
    print(f"{'one transaction for the batch':52} {report.gas_used:12,} {gas_per_badge:10.2f}")
    print(
        f"{'  baseline: one anchor transaction per badge':52} {per_badge_total:12,.0f} "
        f"{single_gas:10,.0f}"
    )
    print(
        f"gas per badge {gas_per_badge:.2f} (target <= {GAS_TARGET:g}): "
        f"{verdict(results['meets_gas'])}; the batch costs "
        f"{report.gas_used / per_badge_total:.5f}x one transaction per badge "
        f"({results['gas_ratio_per_badge_txs_vs_batch']:,.0f}x less)\n"
    )
    print(f"{'time':52} {'seconds':>12} {'per badge':>10}")
    rows = [
        ("leaves: JCS + SHA-256 of each credential", leaf_seconds, count),
        (f"Merkle build over {count:,} leaves", merkle_seconds, count),
        ("  baseline: one SHA-256 per leaf", hash_seconds, count),
        ("anchor_pending end to end (deploy, send, store)", anchor_seconds, count),
    ]
    for name, seconds, n in rows:
        print(f"{name:52} {seconds:12.4f} {seconds / n * 1e6:8.1f}µs")
    print(
        f"Merkle build {merkle_seconds:.3f} s (target <= {BUILD_TARGET} s): "
        f"{verdict(results['meets_merkle'])}; {merkle_seconds / hash_seconds:.2f}x hashing "
        "the leaves once\n"
    )
    print(f"{'checking one anchor, record cached (median)':52} {'ms':>12}")
    print(f"{'check_inclusion + check_ledger':52} {check_seconds * 1e3:12.4f}")
    print(f"{'  baseline: one Ed25519 verification':52} {ed25519_seconds * 1e3:12.4f}")
    print(f"{'verifier.anchor_checks.check_anchor (all of it)':52} {whole_seconds * 1e3:12.4f}")
    print(
        f"one inclusion proof {check_seconds * 1e3:.3f} ms (target <= {CHECK_TARGET * 1e3:g} ms): "
        f"{verdict(results['meets_check'])}; "
        f"{check_seconds / ed25519_seconds:.2f}x one Ed25519 verification"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
