"""The verdict in words: one sentence that says what a person should conclude.

A :class:`~vc.results.VerificationResult` names every check; people need the
conclusion first ("Revoked by Lakeshore USD on 3 Dec 2026", "Altered after it was
issued: the signature does not match"), then the checks under it. The page, the
CLI's report and the API's ``verdict`` member all come from :func:`verdict_of`.

    >>> from vc.results import CheckResult, VerificationResult
    >>> result = VerificationResult((
    ...     CheckResult.failed("proof.signature_invalid", "the signature does not match"),
    ...     CheckResult.failed("validity.expired", "expired", validUntil="2026-06-30T00:00:00+00:00"),
    ... ))
    >>> verdict = verdict_of(result)
    >>> verdict.tone.value, verdict.sentence
    ('failed', 'Altered after it was issued: the signature does not match.')
    >>> verdict_of(result, locale=Locale("es", "es")).sentence
    'Modificada después de emitirse: la firma no coincide.'

How a failed check reads is a table, :data:`FAILURES`: one line per check id,
with a rank (the highest failure present makes the sentence, the next two become
notes) and a tone. A check id the table does not know reads as its group does
(:data:`GROUP_FAILURES`), so new checks are never silent: add their line when
they deserve their own words. A sentence's parts and the words that fill them are
composed by :mod:`verifier._verdict_text`; the notes under a verified document's
sentence come from :mod:`verifier._verdict_notes`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ui.i18n import DEFAULT_LANGUAGE, Locale
from ui.names import Name, issuer_name
from vc.results import CheckResult, Status, VerificationResult
from vc.types import JSONObject
from verifier._verdict_notes import _notes
from verifier._verdict_text import Moment, Part, _compose, _Context
from verifier.verdict_words import (
    CAVEATS,
    ENGLISH,
    FAILURES,
    GROUP_FAILURES,
    N_,
    PRESENTATION_PROOF,
    TITLES,
    Tone,
    Words,
    check_title,
    status_label,
)

if TYPE_CHECKING:
    from verifier.trust import TrustRegistry

__all__ = [
    "ENGLISH",
    "FAILURES",
    "GROUP_FAILURES",
    "Moment",
    "Tone",
    "Verdict",
    "check_title",
    "status_label",
    "verdict_json",
    "verdict_of",
]


@dataclass(frozen=True, slots=True)
class Verdict:
    """One document's verdict: tone, title, the sentence (with its dates) and notes."""

    tone: Tone
    title: str
    parts: tuple[Part, ...]
    reason: str | None
    notes: tuple[tuple[Part, ...], ...] = ()
    language: str = DEFAULT_LANGUAGE
    credentials: tuple[Verdict, ...] = ()

    @property
    def sentence(self) -> str:
        """The sentence as plain text."""
        return _plain(self.parts)

    @property
    def note_texts(self) -> tuple[str, ...]:
        """The notes as plain text."""
        return tuple(_plain(note) for note in self.notes)

    @property
    def verified(self) -> bool:
        """Whether the document is to be believed (verified, with or without a caveat)."""
        return self.tone in (Tone.VERIFIED, Tone.CAUTION)

    def to_json(self) -> JSONObject:
        """The verdict as the API returns it: ``{tone, title, sentence, reason, notes, lang}``."""
        out: JSONObject = {
            "tone": self.tone.value,
            "title": self.title,
            "sentence": self.sentence,
            "reason": self.reason,
            "notes": list(self.note_texts),
            "lang": self.language,
        }
        if self.credentials:
            out["credentials"] = [c.to_json() for c in self.credentials]
        return out


def _plain(parts: tuple[Part, ...]) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in parts)


def _words_for(check: CheckResult, presentation: bool) -> Words:
    if presentation and check.group == "proof":
        return PRESENTATION_PROOF
    return FAILURES.get(check.id) or GROUP_FAILURES[check.group]


def _failure_parts(check: CheckResult, words: Words, ctx: _Context) -> tuple[Part, ...]:
    if words.date is not None:
        moment = ctx.moment(check.details.get(words.date))
        if moment is not None:
            return ctx.words(words.sentence, date=moment)
        return ctx.words(words.undated or words.sentence)
    return ctx.words(words.sentence)


def _signature_holds(result: VerificationResult) -> bool:
    signed = False
    for check in result.checks:
        if check.id.startswith("proof") and check.group == "proof":
            if check.status is Status.FAILED:
                return False
            signed = signed or check.id == "proof.signature"
    return signed


def _issuer(result: VerificationResult, registry: TrustRegistry | None, locale: Locale) -> Name:
    issuer = result.summary.get("issuer")
    issuer_obj = issuer if isinstance(issuer, dict) else {}
    did = issuer_obj.get("id")
    did = did if isinstance(did, str) else None
    profile = issuer_obj.get("name")
    if did is None:
        return Name(locale.gettext.gettext(N_("its issuer")), "did")
    return issuer_name(
        did,
        registry_name=registry.name_of(did) if registry is not None else None,
        # An altered badge's profile is nobody's word.
        profile_name=profile if isinstance(profile, str) and _signature_holds(result) else None,
    )


def verdict_of(
    result: VerificationResult,
    *,
    locale: Locale = ENGLISH,
    registry: TrustRegistry | None = None,
    tz: dt.tzinfo | None = None,
) -> Verdict:
    """The verdict on one verification, in `locale`, with dates in `tz` (default UTC).

    `registry` (the verifier's recognized issuers) gives issuers their trusted names.
    A presentation's verdict carries one verdict per embedded credential.
    """
    ctx = _Context(locale, _issuer(result, registry, locale), tz)
    gettext = locale.gettext.gettext
    if result.unreadable:
        return Verdict(
            Tone.UNKNOWN,
            gettext(TITLES[Tone.UNKNOWN]),
            ctx.words(N_("This is not a readable credential.")),
            result.checks[0].id if result.checks else None,
            language=locale.language,
        )
    presentation = bool(result.credentials) or "holder" in result.summary
    inner = tuple(
        verdict_of(sub, locale=locale, registry=registry, tz=tz) for sub in result.credentials
    )
    ranked = sorted(
        ((_words_for(c, presentation), c) for c in result.checks if c.status is Status.FAILED),
        key=lambda pair: -pair[0].rank,
    )
    if ranked:
        words, check = ranked[0]
        others: list[tuple[Part, ...]] = []
        for other_words, other in ranked[1:]:
            if other.id.rsplit(".", 1)[-1] == check.id.rsplit(".", 1)[-1]:
                continue  # the same finding from another place (revoked: list and chain)
            parts = _failure_parts(other, other_words, ctx)
            if parts != _failure_parts(check, words, ctx) and parts not in others:
                others.append(parts)
        return Verdict(
            words.tone,
            gettext(TITLES[words.tone]),
            _failure_parts(check, words, ctx),
            check.id,
            tuple(others[:2]),
            locale.language,
            inner,
        )
    if presentation:
        return _presentation_verdict(result, inner, ctx)
    return _credential_verdict(result, ctx, registry)


def _presentation_verdict(
    result: VerificationResult, inner: tuple[Verdict, ...], ctx: _Context
) -> Verdict:
    gettext, ngettext = ctx.locale.gettext.gettext, ctx.locale.gettext.ngettext
    rejected = [v for v in inner if not v.verified]
    if rejected:
        tone = Tone.UNKNOWN if all(v.tone is Tone.UNKNOWN for v in rejected) else Tone.FAILED
        template = ngettext(
            "{count} of the badges presented is not verified: ",
            "{count} of the badges presented are not verified: ",
            len(rejected),
        )
        parts = _compose(template, count=str(len(rejected))) + rejected[0].parts
        return Verdict(
            tone,
            gettext(TITLES[tone]),
            parts,
            rejected[0].reason,
            language=ctx.locale.language,
            credentials=inner,
        )
    notes = _notes(result, ctx, None)
    count = len(inner)
    template = ngettext(
        "Presented by the person it was issued to: {count} badge verified.",
        "Presented by the person they were issued to: {count} badges verified.",
        count,
    )
    tone = Tone.CAUTION if any(v.tone is Tone.CAUTION for v in inner) else Tone.VERIFIED
    return Verdict(
        tone,
        gettext(TITLES[tone]),
        _compose(template, count=str(count)),
        None,
        notes,
        ctx.locale.language,
        inner,
    )


def _credential_verdict(
    result: VerificationResult, ctx: _Context, registry: TrustRegistry | None
) -> Verdict:
    gettext = ctx.locale.gettext.gettext
    caveat = next(
        (c for c in result.checks if c.status is Status.WARNING and c.id in CAVEATS), None
    )
    issued = ctx.moment(result.summary.get("validFrom"))
    if issued is not None:
        parts = ctx.words(N_("Issued by {issuer} on {date}."), date=issued)
    else:
        parts = ctx.words(N_("Issued by {issuer}."))
    notes = _notes(result, ctx, registry)
    if caveat is not None:
        return Verdict(
            Tone.CAUTION,
            gettext(TITLES[Tone.CAUTION]),
            ctx.words(CAVEATS[caveat.id]),
            caveat.id,
            (parts, *notes),
            ctx.locale.language,
        )
    return Verdict(
        Tone.VERIFIED, gettext(TITLES[Tone.VERIFIED]), parts, None, notes, ctx.locale.language
    )


def verdict_json(
    result: VerificationResult,
    *,
    locale: Locale = ENGLISH,
    registry: TrustRegistry | None = None,
) -> JSONObject:
    """The ``verdict`` member of an API result: ``{tone, title, sentence, reason, notes, lang}``.

    Dates are written in UTC. A presentation's carries ``credentials``, one per badge.

    >>> from vc.results import CheckResult, VerificationResult
    >>> verdict_json(VerificationResult((CheckResult.failed("status.revoked", "revoked"),)))["sentence"]
    'Revoked by its issuer.'
    """
    return verdict_of(result, locale=locale, registry=registry).to_json()
