"""`laurel demo`: a narrated tour of what laurel does, in a temporary directory.

It grows with every capability; today: an issuer key, a signed Open Badge, its
verification, a tampered copy, and the named check that catches it.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vc.did import did_key_from_public_key
from vc.keys import Ed25519KeyPair
from vc.openbadges import Achievement, build_open_badge
from vc.proofs import add_proof
from vc.results import VerificationResult
from vc.timestamps import format_datetime_stamp
from verifier import VerificationPolicy, verify_bytes

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["run"]


def _step(console: Console, number: int, text: str) -> None:
    console.rule(f"[bold cyan]{number}. {text}", align="left")


def run(
    console: Console, *, show: Callable[[str, VerificationResult], None], keep: bool = False
) -> None:
    """Run the narrated demo, printing to `console` and rendering reports with `show`."""
    workdir = Path(tempfile.mkdtemp(prefix="laurel-demo-"))
    try:
        _tour(console, workdir, show)
    finally:
        if keep:
            console.print(f"[dim]Files kept in {workdir}[/]")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _tour(console: Console, workdir: Path, show: Callable[[str, VerificationResult], None]) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    policy = VerificationPolicy(now=now)

    _step(console, 1, "An issuer makes its signing key")
    issuer_key = Ed25519KeyPair.generate()
    issuer_did = did_key_from_public_key(issuer_key.public_key)
    console.print(
        "Riverside School District generates an Ed25519 key. Its identifier is a did:key,"
    )
    console.print("which anyone can turn back into the public key, with no server involved:")
    console.print(f"  [bold]{issuer_did}[/]\n")

    _step(console, 2, "It signs an Open Badges 3.0 credential for a teacher")
    teacher_did = did_key_from_public_key(Ed25519KeyPair.generate().public_key)
    badge = build_open_badge(
        Achievement(
            name="Formative Assessment in Practice",
            description="Designs and uses formative assessment to adjust instruction.",
            criteria_narrative="Submitted three annotated lesson plans and student work samples, "
            "scored proficient or above on the district rubric.",
        ),
        issuer_id=issuer_did,
        issuer_name="Riverside School District",
        subject_id=teacher_did,
        valid_from=format_datetime_stamp(now),
    )
    signed = add_proof(
        badge,
        issuer_key,
        f"{issuer_did}#{issuer_key.public_key.multibase}",
        cryptosuite="eddsa-rdfc-2022",
        created=format_datetime_stamp(now),
    )
    badge_path = workdir / "badge.json"
    badge_path.write_text(json.dumps(signed, indent=2), encoding="utf-8")
    console.print(f"Awarded to teacher {teacher_did[:28]}…, signed with eddsa-rdfc-2022")
    console.print(
        f"(RDF canonicalization + Ed25519, the suite Open Badges 3.0 certifies): {badge_path.name}\n"
    )

    _step(console, 3, "An employer verifies it")
    console.print(f"[dim]$ laurel verify {badge_path.name}[/]")
    show(badge_path.name, verify_bytes(badge_path.read_bytes(), policy))

    _step(console, 4, "Someone tampers with the badge")
    tampered: dict[str, Any] = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = (
        "Formative Assessment in Practice (Distinguished)"
    )
    tampered_path = workdir / "badge-tampered.json"
    tampered_path.write_text(json.dumps(tampered, indent=2), encoding="utf-8")
    console.print(
        "The achievement name is edited to claim a higher level; the proof is left as it was."
    )
    console.print(f"[dim]$ laurel verify {tampered_path.name}[/]")
    result = verify_bytes(tampered_path.read_bytes(), policy)
    show(tampered_path.name, result)
    names = ", ".join(check.id for check in result.failures())
    console.print(f"The forgery is caught by name: [bold red]{names}[/].\n")
