"""Act 6: the badge presented by QR code over the principal's request, and its replay refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from laurel_demo._achievements import DEMO_PASSPHRASE
from vc.results import VerificationResult
from verifier import VerificationPolicy, verify_bytes
from verifier.verify import networked_resolver, networked_status_checker
from wallet.home import Wallet

if TYPE_CHECKING:
    from rich.console import Console

    from anchor.check import ChainDirectory

__all__ = ["employer_verifies_presentation", "qr_tour"]


def employer_verifies_presentation(
    policy: VerificationPolicy, anchors: ChainDirectory | None = None
) -> Callable[[bytes, str, str], VerificationResult]:
    """An employer's `laurel verify --challenge C --domain D` on one document."""

    def run(data: bytes, challenge: str, domain: str) -> VerificationResult:
        asked = VerificationPolicy(now=policy.now, challenge=challenge, domain=domain)
        return verify_bytes(
            data,
            asked,
            resolver=networked_resolver(allow_private_network=True),
            status_checker=networked_status_checker(allow_private_network=True),
            anchors=anchors,
        )

    return run


def qr_tour(
    console: Console,
    workdir: Path,
    teacher: Wallet,
    credential_id: str,
    now: dt.datetime,
    verify_presentation: Callable[[bytes, str, str], VerificationResult],
) -> None:
    """Present by QR: answer the employer's request, render, read back from the image."""
    import secrets

    from vc.envelope import encode_envelope
    from vc.qr import render_qr
    from vc.request import PresentationRequest
    from verifier.sources import documents_in
    from wallet.holder import present_credentials

    # The principal's page ("Request a badge") shows a request as a QR code; the
    # teacher's laptop reads it from a photo, which sets the challenge and the domain.
    domain = "hiring.westside.example"
    asked = PresentationRequest.for_badges(
        secrets.token_urlsafe(16), domain, now + dt.timedelta(minutes=5)
    )
    request_image, _ = render_qr(asked.to_payload())
    request_image.save(workdir / "request-qr.png", format="PNG")
    request = PresentationRequest.from_bytes((workdir / "request-qr.png").read_bytes())
    request.require_unexpired(now)
    challenge = request.challenge
    presentation = present_credentials(
        teacher, DEMO_PASSPHRASE, [credential_id], challenge=challenge, domain=domain, now=now
    )
    payload = encode_envelope(presentation)
    image, version = render_qr(payload)
    path = workdir / "badge-qr.png"
    image.save(path, format="PNG")
    console.print(
        f"The principal's page shows a request: {domain}, challenge {challenge}, for 5 minutes."
    )
    console.print(
        f"$ laurel present {credential_id[:22]}… --request request-qr.png --qr badge-qr.png"
    )
    console.print(
        f"  QR version {version} at error correction M: the whole signed presentation, {len(payload)} characters,"
    )
    console.print("  so the principal's phone can check it offline.")
    lean = present_credentials(
        teacher,
        DEMO_PASSPHRASE,
        [credential_id],
        challenge=challenge,
        domain=domain,
        now=now,
        without_anchors=True,
    )
    _, lean_version = render_qr(encode_envelope(lean))
    console.print(
        f"  (with --no-anchor, which leaves the ledger anchor proof out: version {lean_version})"
    )
    (_label, document), *_ = documents_in(path.read_bytes())
    console.print(f"[dim]$ laurel verify --challenge {challenge} --domain {domain} badge-qr.png[/]")
    result = verify_presentation(document, challenge, domain)
    from verifier.verdict import verdict_of

    verdict = "[bold green]✔ VERIFIED[/]" if result.verified else "[bold red]✘ NOT VERIFIED[/]"
    console.print(f"{verdict}  {verdict_of(result).sentence}")
    console.print("  read from the image: the holder's proof, the challenge and every badge inside")
    replay = verify_presentation(document, "another-interview", domain)
    failed = ", ".join(c.id for c in replay.failures())
    console.print(f"Shown again at another interview: [bold red]{failed}[/]\n")
