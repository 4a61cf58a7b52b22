"""Benchmark: how big a presentation's QR code is, beside plain zlib + base45.

    python -m bench.qr

The issue's target: a one-badge presentation fits QR version <= 20 at error
correction M. Measured on

- a badge issued by a real laurel wallet, as the demo issues it: two status entries,
  evidence, a three-level rubric and the level earned (about 2.6 kB of JSON), alone, in a
  presentation, and with the anchor proof the wallet adds on the embedded chain;
- that badge's anchor proof as it would be from a batch of 10,000 (a 14-hash path);
- a small badge (the tests' builder);
- three 1EdTech Open Badges 3.0 examples (``tests/vectors``), re-signed: other
  issuers' wording and URLs, which the envelope's dictionary has never seen. Reported,
  not part of the target.

The baseline is zlib (level 9) + base45 of the compact JSON, in the same run.
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path

from vc.envelope import b45encode, encode_envelope
from vc.qr import render_qr


def _documents() -> dict[str, tuple[dict, bool]]:
    """Each document, and whether it counts toward the target."""
    from tests.builders import HOLDER, badge, presentation

    issued, presented, anchored_vp = _laurel_issued()
    anchored = _with_anchor(issued, depth=14)
    documents = {
        "small badge (builder)": (badge(), False),
        "presentation of the small badge": (presentation([badge()], holder=HOLDER), True),
        "badge as laurel issues it (rubric, status)": (issued, False),
        "presentation of that badge": (presented, True),
        "  ... with its anchor proof (batch of 1)": (anchored_vp, False),
        "that badge + anchor (batch of 10,000)": (anchored, False),
        "presentation of the anchored badge": (presentation([anchored], holder=HOLDER), False),
    }
    for name in ("basicOpenBadgeCredential", "achievementAlignmentCase", "skillAssertionCase"):
        documents[f"OB 3.0 example {name} (presented)"] = (_spec_example(name), False)
    return documents


def _laurel_issued() -> tuple[dict, dict, dict]:
    """A badge issued, presented and anchored by real wallets, as `laurel demo` does."""
    import datetime as dt
    import json
    import tempfile

    from laurel_demo import ACHIEVEMENT, DEMO_PASSPHRASE
    from wallet.holder import present_credentials
    from wallet.home import Wallet
    from wallet.issuer import Evidence, IssueOptions, issue_badge, load_achievement
    from wallet.ledger import anchor_pending

    now = dt.datetime(2026, 9, 14, 15, 30, tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory(prefix="laurel-bench-qr-") as tmp:
        district = Wallet.create(
            Path(tmp) / "district",
            name="Riverside School District",
            passphrase=DEMO_PASSPHRASE,
            base_url="https://badges.riverside.example/district",
        )
        teacher = Wallet.create(
            Path(tmp) / "teacher", name="Ana Rivera", passphrase=DEMO_PASSPHRASE
        )
        options = IssueOptions(
            now=now,
            evidence=(
                Evidence(
                    "https://portfolio.riverside.example/arivera/unit-3", "Unit 3 lesson plans"
                ),
            ),
            result="proficient",
        )
        achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
        stored = issue_badge(district, DEMO_PASSPHRASE, achievement, teacher.identity.did, options)
        teacher.store.add_credential(stored.document, origin="imported")
        ask = {"challenge": "Zk3n4QvL0fY2mS8aBx1c7w", "domain": "hiring.westside.example"}
        presented = present_credentials(teacher, DEMO_PASSPHRASE, [stored.id], now=now, **ask)
        anchor_pending(district, DEMO_PASSPHRASE)
        anchored = district.store.get_credential(stored.id).document
        teacher.store.delete_credential(stored.id)
        teacher.store.add_credential(anchored, origin="imported")
        anchored_vp = present_credentials(teacher, DEMO_PASSPHRASE, [stored.id], now=now, **ask)
        district.close()
        teacher.close()
    return stored.document, presented, anchored_vp


def _spec_example(name: str) -> dict:
    from tests.builders import HOLDER, ISSUER, presentation, sign
    from tests.conftest import load_vector

    document = load_vector(f"openbadges3/examples/{name}.json")
    document.pop("proof", None)
    issuer = document["issuer"]
    document["issuer"] = {**issuer, "id": ISSUER.did} if isinstance(issuer, dict) else ISSUER.did
    # eddsa-jcs-2022: the examples name contexts laurel does not bundle (RDFC would refuse)
    signed = sign(document, suite="eddsa-jcs-2022")
    return presentation([signed], holder=HOLDER, suite="eddsa-jcs-2022")


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
    print(f"{'document':50} {'JSON':>6} {'envelope':>14} {'zlib+base45':>14}")
    worst = 0
    for name, (document, counted) in _documents().items():
        compact = json.dumps(document, separators=(",", ":")).encode()
        envelope = encode_envelope(document)
        baseline = b45encode(zlib.compress(compact, 9))
        _, version = render_qr(envelope)
        _, base_version = render_qr(baseline)
        if counted:
            worst = max(worst, version)
        print(
            f"{name:50} {len(compact):6} v{version:<3} {len(envelope):5} ch"
            f"   v{base_version:<3} {len(baseline):5} ch"
        )
    print(
        f"\nlargest one-badge presentation of a laurel badge without an anchor: version {worst} "
        f"(target <= 20): {'meets' if worst <= 20 else 'MISSES'}"
    )
    return 0 if worst <= 20 else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
