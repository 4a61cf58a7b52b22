"""The notes under a verified document's sentence: freshness, trust, anchor, caveats.

:data:`_NOTES` says, by check id, what a check adds under the sentence (or nothing);
:func:`_notes` collects them in the order of the checks, each once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from ui.i18n import format_age
from vc.results import CheckResult, Status, VerificationResult
from verifier._verdict_text import Part, _Context
from verifier.verdict_words import N_

if TYPE_CHECKING:
    from verifier.trust import TrustRegistry

__all__: list[str] = []


def _notes(
    result: VerificationResult, ctx: _Context, registry: TrustRegistry | None
) -> tuple[tuple[Part, ...], ...]:
    """The secondary sentences of a verified document: freshness, trust, anchor, caveats."""
    notes: list[tuple[Part, ...]] = []
    for check in result.checks:
        note_of = _NOTES.get(check.id)
        note = note_of(check, ctx) if note_of is not None else None
        if note is not None and note not in notes:
            notes.append(note)
    return tuple(notes)


def _status_note(check: CheckResult, ctx: _Context) -> tuple[Part, ...] | None:
    if check.status is Status.SKIPPED:
        if "no credentialStatus" in check.message or "is empty" in check.message:
            return ctx.words(N_("The issuer publishes no revocation status for it."))
        return ctx.words(N_("Whether it was revoked was not checked."))
    return None


def _revocation_note(check: CheckResult, ctx: _Context) -> tuple[Part, ...] | None:
    if check.status is not Status.PASSED:
        return None
    age = check.details.get("cache_age_s")
    if isinstance(age, int | float) and age >= 1:
        return ctx.words(
            N_("Not revoked: checked against the issuer's list as it was {age} ago."),
            age=format_age(float(age), ctx.locale),
        )
    return ctx.words(N_("Not revoked: checked with the issuer's list just now."))


def _trust_note(check: CheckResult, ctx: _Context) -> tuple[Part, ...] | None:
    if check.status is Status.PASSED:
        return ctx.words(N_("{issuer} is in your list of trusted issuers."))
    if check.status is Status.WARNING and ctx.issuer.source == "profile":
        return ctx.words(
            N_(
                "“{issuer}” is the name the issuer gives itself: no list of trusted issuers is set up here."
            )
        )
    if check.status is Status.WARNING:
        return ctx.words(N_("No list of trusted issuers is set up here."))
    return None


def _anchor_note(check: CheckResult, ctx: _Context) -> tuple[Part, ...] | None:
    if check.status is Status.PASSED:
        moment = ctx.moment(check.details.get("anchoredAt"))
        if moment is not None:
            return ctx.words(N_("Recorded on a public blockchain on {date}."), date=moment)
    return None


def _words_note(template: str) -> Callable[[CheckResult, _Context], tuple[Part, ...] | None]:
    def note(check: CheckResult, ctx: _Context) -> tuple[Part, ...] | None:
        return ctx.words(template) if check.status is Status.WARNING else None

    return note


_NOTES: Final[dict[str, Callable[[CheckResult, _Context], tuple[Part, ...] | None]]] = {
    "status": _status_note,
    "status.revocation": _revocation_note,
    "trust": _trust_note,
    "anchor.ledger": _anchor_note,
    "anchor.pending": _words_note(N_("Its blockchain record is not final yet.")),
    "anchor.unavailable": _words_note(N_("Its blockchain record was not looked up here.")),
    "presentation.challenge": _words_note(
        N_("No challenge was asked for, so a copy of an old presentation would pass too.")
    ),
    "presentation.unsigned": _words_note(
        N_("The presentation is not signed: it does not prove who presents it.")
    ),
    "issuer.host_dependent": _words_note(
        N_(
            "It is an Open Badges 2.0 badge: it verifies only while its issuer's site keeps it online."
        )
    ),
    **{
        f"endorsement.{name}": _words_note(
            N_("An endorsement it carries does not hold up; the badge itself is not affected.")
        )
        for name in ("format", "signature", "validity", "status", "schema")
    },
}
