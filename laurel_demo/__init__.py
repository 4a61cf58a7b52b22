"""`laurel demo`: a narrated tour of what laurel does, in a temporary directory.

It grows with every capability; today: two real wallets (a district that issues,
a teacher who holds), the district's status lists hosted by the verifier service on
loopback, an achievement file with typos refused by name (nothing signed), an Open
Badge with evidence and a rubric level, anchored on Ethereum (the
embedded chain), its verification (also through the VC-API, with a challenge and a
refused replay, and from a QR code), a tampered copy and the named check that catches
it, the badge revoked (status list and chain) and refused, a roster anchored in one
transaction, an encrypted backup restored, and a badge offered to a wallet over
OpenID4VCI and asked for over OpenID4VP.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from laurel_demo._achievements import ACHIEVEMENT, DEMO_PASSPHRASE, RESTORATIVE
from laurel_demo._journey import journey
from laurel_demo._qr import employer_verifies_presentation
from laurel_demo._service import Service
from verifier import VerificationPolicy
from wallet.ledger import embedded_chain_path

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "run",
    # What other tours and benchmarks reuse (bench/qr.py issues the demo's badge).
    "ACHIEVEMENT",
    "DEMO_PASSPHRASE",
    "RESTORATIVE",
    "employer_verifies_presentation",
]


def run(console: Console, *, show: Callable[..., None], keep: bool = False) -> None:
    """Run the narrated demo, printing to `console` and rendering reports with `show`."""
    workdir = Path(tempfile.mkdtemp(prefix="laurel-demo-"))
    try:
        _tour(console, workdir, show)
    finally:
        if keep:
            console.print(f"[dim]Files kept in {workdir}[/]")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _tour(console: Console, workdir: Path, show: Callable[..., None]) -> None:
    from anchor.check import ChainDirectory

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    policy = VerificationPolicy(now=now)
    # Employers look anchors up on the chain: here the district's embedded chain
    # file (on a testnet or mainnet, `laurel verify --rpc URL`).
    anchors = ChainDirectory(embedded_path=embedded_chain_path(workdir / "district"))
    with Service(anchors) as service:
        journey(console, workdir, show, service, now, policy, anchors)
