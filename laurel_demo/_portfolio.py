"""Act 13: a second badge kept and made public, and the teacher's static portfolio site."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from laurel_demo._achievements import DEMO_PASSPHRASE, RESTORATIVE
from vc.results import VerificationResult
from wallet.holder import import_credential
from wallet.home import Wallet
from wallet.issuer import Evidence, IssueOptions, issue_badge, load_achievement

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["portfolio_tour"]


def portfolio_tour(
    console: Console,
    district: Wallet,
    teacher: Wallet,
    now: dt.datetime,
    employer_verifies: Callable[[bytes], VerificationResult],
) -> Path:
    """A second badge, kept and made public; the static site written where it stays."""
    from ui.i18n import environment_locale
    from wallet.portfolio import set_public, write_portfolio
    from wallet.store import short_id

    restorative = load_achievement(json.dumps(RESTORATIVE).encode())
    stored = issue_badge(
        district,
        DEMO_PASSPHRASE,
        restorative,
        teacher.identity.did,
        IssueOptions(
            now=now,
            evidence=(
                Evidence(
                    "https://portfolio.riverside.example/arivera/circles", "Circle reflections"
                ),
            ),
        ),
    )
    outcome = import_credential(teacher, stored.text.encode(), employer_verifies)
    short = short_id(outcome.credential.id)
    set_public(teacher.store, [outcome.credential.id], True)
    # Written outside the demo's temporary folder: it is the teacher's to keep.
    site = Path(tempfile.mkdtemp(prefix="laurel-portfolio-"))
    report = write_portfolio(teacher, site, locale=environment_locale())
    console.print(
        f"$ laurel import restorative.json && laurel portfolio --public {short} --out site/"
    )
    console.print(
        "Only the badges she makes public are written: a page per badge with its evidence,"
    )
    console.print("the credential as JSON and as a baked PNG, an Add-to-LinkedIn link, a QR code,")
    console.print("and a Verify button that opens any verifier page with the badge in the link.")
    console.print("For any web host, or a USB stick:")
    console.print(f"  [bold]{report.index}[/]\n")
    return report.index
