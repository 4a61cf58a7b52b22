"""Act 9's coda: the revocation hidden under its full IRI, and found all the same."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vc.results import VerificationResult

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["hidden_status_tour"]


def hidden_status_tour(
    console: Console,
    workdir: Path,
    badge_path: Path,
    employer_verifies: Callable[[bytes], VerificationResult],
) -> None:
    """Hide the revocation where a JSON reader would not look; the signature still holds."""
    hidden: dict[str, Any] = json.loads(badge_path.read_text(encoding="utf-8"))
    hidden["https://www.w3.org/2018/credentials#credentialStatus"] = hidden.pop("credentialStatus")
    hidden_path = workdir / "badge-status-hidden.json"
    hidden_path.write_text(json.dumps(hidden, indent=2), encoding="utf-8")
    console.print(
        "Someone hides the revocation: credentialStatus is moved under its full IRI. The RDF "
        "the signature covers is the same, so the signature still verifies."
    )
    console.print(f"[dim]$ laurel verify {hidden_path.name}[/]")
    result = employer_verifies(hidden_path.read_bytes())
    names = ", ".join(check.id for check in result.failures())
    console.print(
        f"Refused: [bold red]{names}[/]. laurel reads a document only in the form its "
        "contexts produce, and still finds the status where it was hidden.\n"
    )
