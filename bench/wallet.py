"""Benchmark: issuing a roster, and opening a wallet.

    python -m bench.wallet              # 10,000 rows with eddsa-jcs-2022, 500 with eddsa-rdfc-2022
    python -m bench.wallet --rows 2000  # quicker

Figures, each beside its baseline measured in the same run:
- roster (jcs): `issue_roster` end to end as `laurel issue --roster` runs it (build,
  check by the rule book, sign, verify what was signed with the verifier's pipeline,
  SQLite in chunks of 500, one export file per badge) against the bare signing floor
  (build + JCS + SHA-256 + Ed25519 for the same badges, nothing stored). Target:
  10,000 rows <= 10 s.
- roster (rdfc): the same with eddsa-rdfc-2022, beside the cost of RDF
  canonicalization alone for the same badges (the suite's floor).
- open + unlock: `Wallet.open` + the Argon2id (MODERATE) unlock, beside one bare
  Argon2id derivation. Target: <= 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nacl.pwhash

from vc import canon
from vc.keys import Ed25519KeyPair
from verifier.issued import verify_issued
from wallet.home import Wallet
from wallet.issuer import IssueOptions, _credential, issue_roster, load_achievement, read_roster
from wallet.keystore import KdfParams

PASSPHRASE = "bench passphrase, not a secret"  # noqa: S105
ACHIEVEMENT = {
    "name": "Formative Assessment in Practice",
    "description": "Designs and uses formative assessment to adjust instruction.",
    "criteria": {"narrative": "Three annotated lesson plans scored on the district rubric."},
}
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _roster(rows: int) -> bytes:
    return (
        "name,email\n" + "\n".join(f"Teacher {i},t{i}@riverside.example" for i in range(rows))
    ).encode()


def _signing_floor(wallet: Wallet, rows: int, suite: str) -> float:
    """Build + canonicalize + hash + sign the same badges, storing nothing."""
    key = Ed25519KeyPair.from_seed(hashlib.sha256(b"floor").digest())
    achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
    options = IssueOptions(now=NOW, suite=suite)
    identity = wallet.identity
    started = time.perf_counter()
    for row in read_roster(_roster(rows)):
        credential = _credential(identity, achievement, row.recipient, options)
        if suite == "eddsa-jcs-2022":
            data = hashlib.sha256(canon.jcs(credential)).digest() * 2
        else:
            # The suite canonicalizes the document and the proof configuration.
            config = {
                "@context": credential["@context"],
                "type": "DataIntegrityProof",
                "cryptosuite": suite,
                "created": "2026-06-01T00:00:00Z",
                "verificationMethod": "did:example:x#k",
                "proofPurpose": "assertionMethod",
            }
            data = hashlib.sha256(canon.rdfc(credential).encode()).digest()
            data += hashlib.sha256(canon.rdfc(config).encode()).digest()
        key.sign(data)
    return time.perf_counter() - started


def _roster_run(home: Path, rows: int, suite: str) -> float:
    wallet = Wallet.open(home)
    try:
        achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
        parsed = read_roster(_roster(rows))
        out = home.parent / f"out-{suite}-{rows}"
        started = time.perf_counter()
        # As the CLI issues: every badge verified after signing (verifier.issued).
        options = IssueOptions(now=NOW, suite=suite, check=verify_issued)
        report = issue_roster(wallet, PASSPHRASE, achievement, parsed, out, options)
        elapsed = time.perf_counter() - started
        assert report.issued == rows
        return elapsed
    finally:
        wallet.close()


def _open_unlock(home: Path) -> float:
    started = time.perf_counter()
    wallet = Wallet.open(home)
    wallet.unlock(PASSPHRASE)
    elapsed = time.perf_counter() - started
    wallet.close()
    return elapsed


def _bare_argon2id() -> float:
    moderate = KdfParams.moderate()
    started = time.perf_counter()
    nacl.pwhash.argon2id.kdf(
        32,
        PASSPHRASE.encode(),
        b"\x00" * 16,
        opslimit=moderate.opslimit,
        memlimit=moderate.memlimit,
    )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the wallet benchmark and print the figures beside their baselines."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000, help="roster rows for eddsa-jcs-2022")
    parser.add_argument(
        "--rdfc-rows", type=int, default=500, help="roster rows for eddsa-rdfc-2022"
    )
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="laurel-bench-"))
    try:
        jcs_home, rdfc_home = scratch / "jcs" / "wallet", scratch / "rdfc" / "wallet"
        for home in (jcs_home, rdfc_home):
            Wallet.create(home, name="Riverside School District", passphrase=PASSPHRASE).close()
        probe = Wallet.open(jcs_home)
        jcs_floor = _signing_floor(probe, args.rows, "eddsa-jcs-2022")
        rdfc_floor = _signing_floor(probe, args.rdfc_rows, "eddsa-rdfc-2022")
        probe.close()
        jcs_time = _roster_run(jcs_home, args.rows, "eddsa-jcs-2022")
        rdfc_time = _roster_run(rdfc_home, args.rdfc_rows, "eddsa-rdfc-2022")
        opens = sorted(_open_unlock(jcs_home) for _ in range(3))
        argon = sorted(_bare_argon2id() for _ in range(3))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print("laurel wallet bench (one core)\n")
    print(f"{'figure':44} {'seconds':>9} {'per badge':>11} {'badges/s':>9}")
    rows = [
        (f"roster {args.rows:,} rows, eddsa-jcs-2022", jcs_time, args.rows),
        ("  baseline: sign only (build+JCS+Ed25519)", jcs_floor, args.rows),
        (f"roster {args.rdfc_rows:,} rows, eddsa-rdfc-2022", rdfc_time, args.rdfc_rows),
        ("  baseline: 2x RDFC + sign only", rdfc_floor, args.rdfc_rows),
    ]
    for name, seconds, count in rows:
        print(f"{name:44} {seconds:9.2f} {seconds / count * 1e3:9.2f}ms {count / seconds:9,.0f}")
    print(f"{'open + unlock (Argon2id MODERATE), median of 3':44} {opens[1]:9.2f}")
    print(f"{'  baseline: one bare Argon2id derivation':44} {argon[1]:9.2f}")
    projected = jcs_time * 10_000 / args.rows
    ok_roster = projected <= 10.0
    ok_open = opens[1] <= 1.0
    print(
        f"\n10,000-row jcs roster: {projected:.1f} s (target <= 10 s): {'meets' if ok_roster else 'MISSES'}; "
        f"rdfc costs {rdfc_time / rdfc_floor:.2f}x its canonicalize+sign floor"
    )
    print(f"open + unlock: {opens[1]:.2f} s (target <= 1 s): {'meets' if ok_open else 'MISSES'}")
    return 0 if ok_roster and ok_open else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
