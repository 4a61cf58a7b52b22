"""Benchmark: how big a presentation's QR code is, beside plain zlib + base45.

    python -m bench.qr

The issue's target: a one-badge presentation fits QR version <= 20 at error
correction M. Reported for a small badge and for a badge as laurel issues it
with status entries, evidence and a rubric result, and for that badge with an
anchor proof from a batch of 10,000 (a 14-hash audit path). The baseline is zlib
(level 9) + base45 of the compact JSON.
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path

from vc.envelope import b45encode, encode_envelope
from vc.qr import render_qr
from vc.status import status_entry


def _documents() -> dict[str, dict]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.builders import HOLDER, badge, presentation, sign, unsigned_badge

    full = unsigned_badge()
    full["credentialStatus"] = [
        status_entry(
            list_url=f"https://badges.riverside.example/district/status/{p}/1",
            index=93_211,
            purpose=p,
        )
        for p in ("revocation", "suspension")
    ]
    full["evidence"] = [
        {
            "id": "https://portfolio.riverside.example/arivera/unit-3",
            "type": ["Evidence"],
            "name": "Unit 3 lesson plans",
        }
    ]
    full["credentialSubject"]["result"] = [
        {
            "type": ["Result"],
            "resultDescription": "urn:uuid:2b1f0c52-2f43-4a49-9d4e-8f9f1d0c7a10",
            "achievedLevel": "urn:uuid:7c1d4e2a-0b3f-4d5e-8a6b-1c2d3e4f5a61",
        }
    ]
    issued = sign(full)
    anchored = _with_anchor(issued, depth=14)
    return {
        "small badge (builder)": badge(),
        "presentation of the small badge": presentation([badge()], holder=HOLDER),
        "badge with status, evidence, rubric": issued,
        "presentation of that badge": presentation([issued], holder=HOLDER),
        "that badge + anchor (batch of 10,000)": anchored,
        "presentation of the anchored badge": presentation([anchored], holder=HOLDER),
    }


def _with_anchor(document: dict, *, depth: int) -> dict:
    import hashlib

    from anchor.proof import AnchorProof, with_anchor_proof

    def fake(label: str, size: int = 32) -> bytes:
        return hashlib.sha256(label.encode()).digest()[:size]

    proof = document["proof"]
    method = (proof[0] if isinstance(proof, list) else proof)["verificationMethod"]
    anchor = AnchorProof(
        leaf=fake("leaf"),
        index=4321,
        size=10_000,
        path=tuple(fake(f"node {i}") for i in range(depth)),
        root=fake("root"),
        chain_id=11155111,
        contract=fake("contract", 20),
        tx=fake("tx"),
        block=9_876_543,
        block_hash=fake("block"),
        block_time=1_796_150_000,
        account=fake("account", 20),
        binding=fake("binding") + fake("binding 2"),
        verification_method=method,
    )
    return with_anchor_proof(document, anchor.to_proof_json())


def main() -> int:
    """Print QR versions (error correction M) for the envelope and the baseline."""
    print(f"{'document':42} {'envelope':>16} {'zlib+base45':>16}")
    worst = 0
    for name, document in _documents().items():
        envelope = encode_envelope(document)
        baseline = b45encode(zlib.compress(json.dumps(document, separators=(",", ":")).encode(), 9))
        _, version = render_qr(envelope)
        _, base_version = render_qr(baseline)
        if name.startswith("presentation") and "anchored" not in name:
            worst = max(worst, version)
        print(
            f"{name:42} v{version:<3} {len(envelope):5} ch   v{base_version:<3} {len(baseline):5} ch"
        )
    print(
        f"\nlargest one-badge presentation without an anchor: version {worst} (target <= 20): "
        f"{'meets' if worst <= 20 else 'MISSES'}"
    )
    return 0 if worst <= 20 else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
