"""Benchmark: eddsa-jcs-2022 verification against the crypto limit, one core.

    python -m bench.run            # about 20 s
    python -m bench.run --json     # machine-readable

The baseline ("crypto limit") is the least any verifier must do for one
eddsa-jcs-2022 credential: read the bytes, parse JSON, JCS the document and the
proof configuration, SHA-256 both, decode the proofValue and verify Ed25519, with
no checks at all. laurel's figure runs its real proof path on the same bytes:
strict bounded parsing (duplicate keys, depth, NaN), the proof allowlist, did:key
resolution with point validation (cached per DID) and the spec's verify
algorithm. The target is >= 0.8x the limit. Rounds alternate between the two so
that drift on the machine affects both alike; the median round is reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nacl.signing
import rfc8785

from vc import proofs
from vc.did import DidResolver
from vc.jsontext import parse_document
from vc.keys import Ed25519KeyPair, decode_multibase_btc
from vc.openbadges import Achievement, build_open_badge
from verifier import VerificationPolicy, verify_bytes

TARGET = 0.8


def _signed_badge(suite: str) -> bytes:
    key = Ed25519KeyPair.from_seed(hashlib.sha256(b"laurel bench issuer").digest())
    did = f"did:key:{key.public_key.multibase}"
    badge = build_open_badge(
        Achievement(
            name="Formative Assessment in Practice",
            description="Designs and uses formative assessment to adjust instruction.",
            criteria_narrative="Three annotated lesson plans scored proficient on the district rubric.",
            id="urn:uuid:6f1a3c1e-4f1b-4d59-9a57-1c0f4b3a9e10",
        ),
        issuer_id=did,
        issuer_name="Riverside School District",
        subject_id="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        valid_from="2026-01-01T00:00:00Z",
        credential_id="urn:uuid:0c2d5a4e-8f0b-4b6e-9a3b-2f1e7d6c5b4a",
    )
    signed = proofs.add_proof(
        badge,
        key,
        f"{did}#{key.public_key.multibase}",
        cryptosuite=suite,
        created="2026-01-01T00:00:00Z",
    )
    return json.dumps(signed, indent=2).encode()


def crypto_limit(data: bytes) -> Callable[[], None]:
    """The floor: parse + 2x JCS + 2x SHA-256 + Ed25519 verify, no checks."""
    document = json.loads(data)
    vm = document["proof"]["verificationMethod"]
    verify_key = nacl.signing.VerifyKey(decode_multibase_btc(vm.split("#")[1])[2:])

    def run() -> None:
        doc = json.loads(data)
        proof = doc.pop("proof")
        signature = decode_multibase_btc(proof.pop("proofValue"))
        digest = (
            hashlib.sha256(rfc8785.dumps(proof)).digest()
            + hashlib.sha256(rfc8785.dumps(doc)).digest()
        )
        verify_key.verify(digest, signature)

    return run


def laurel_proof_path(data: bytes) -> Callable[[], None]:
    """laurel's proof verification: strict parse, allowlist, did:key, spec verify."""
    resolver = DidResolver()

    def run() -> None:
        document = parse_document(data)
        proof = proofs.proofs_of(document)[0]
        method, _ = resolver.resolve_verification_method(proof["verificationMethod"])
        if not proofs.verify_signature(document, proof, method.public_key).valid:
            raise AssertionError("benchmark credential did not verify")

    return run


def laurel_full_pipeline(data: bytes) -> Callable[[], None]:
    """`verifier.verify_bytes`: every check (format with JSON-LD terms, schema, ...)."""
    policy = VerificationPolicy(now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    resolver = DidResolver()

    def run() -> None:
        if not verify_bytes(data, policy, resolver=resolver):
            raise AssertionError("benchmark credential did not verify")

    return run


def _rate(func: Callable[[], None], seconds: float) -> float:
    func()  # warm caches (contexts, did:key documents)
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(50):
            func()
        count += 50
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - started)


def measure(pairs: dict[str, Callable[[], None]], rounds: int, seconds: float) -> dict[str, float]:
    """Median rate per function, measured in alternating rounds."""
    rates: dict[str, list[float]] = {name: [] for name in pairs}
    for _ in range(rounds):
        for name, func in pairs.items():
            rates[name].append(_rate(func, seconds))
    return {name: statistics.median(values) for name, values in rates.items()}


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures beside the baseline."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds per round per function")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    jcs = _signed_badge("eddsa-jcs-2022")
    rdfc = _signed_badge("eddsa-rdfc-2022")
    rates = measure(
        {
            "crypto limit (jcs)": crypto_limit(jcs),
            "laurel proof path (jcs)": laurel_proof_path(jcs),
        },
        args.rounds,
        args.seconds,
    )
    extra = measure(
        {
            "laurel full verify (jcs)": laurel_full_pipeline(jcs),
            "laurel full verify (rdfc)": laurel_full_pipeline(rdfc),
        },
        max(1, args.rounds // 2),
        args.seconds,
    )
    limit = rates["crypto limit (jcs)"]
    ratio = rates["laurel proof path (jcs)"] / limit
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.python_implementation()} {platform.python_version()}",
        "commit": _commit(),
        "credential_bytes": len(jcs),
        "rates_per_second": {k: round(v, 1) for k, v in {**rates, **extra}.items()},
        "ratio_proof_path_vs_limit": round(ratio, 3),
        "target": TARGET,
        "meets_target": ratio >= TARGET,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"laurel bench  commit {report['commit']}  {report['machine']}")
        print(
            f"credential: Open Badge, {len(jcs)} bytes, did:key issuer; one core, median of {args.rounds} rounds\n"
        )
        print(f"{'figure':32} {'verifications/s':>16} {'x limit':>8}")
        for name, value in {**rates, **extra}.items():
            print(f"{name:32} {value:16,.0f} {value / limit:8.2f}")
        verdict = "meets" if ratio >= TARGET else "MISSES"
        print(
            f"\nproof path / crypto limit = {ratio:.2f} (target >= {TARGET}): {verdict} the target"
        )
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
