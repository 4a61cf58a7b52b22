"""One verification as a page shows it: the verdict in words, the badge card, the checks.

Built from a :class:`~vc.results.VerificationResult` and the document it was computed
from, in the reader's locale. A badge that fails is still shown (people need to see
what was claimed) but marked: its card is rendered dimmed and labelled unverified,
never as the headline. Inside a presentation that failed, no embedded badge gets a
verdict of its own that could read as a pass.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from ui.card import BadgeCard
from ui.i18n import Locale
from ui.names import Name, issuer_name
from vc.model import document_kind
from vc.results import CheckResult, Status, VerificationResult
from vc.types import JSONObject
from verifier.verdict import ENGLISH, Tone, Verdict, check_title, status_label, verdict_of

if TYPE_CHECKING:
    from verifier.images import ImageInliner
    from verifier.trust import TrustRegistry

__all__ = ["MAX_IMAGES", "CheckRow", "Report", "page_message"]

#: At most this many badge images are fetched for one page (each within the fetch guard's limits).
MAX_IMAGES: Final = 4
_STATUS_ORDER: Final = (Status.PASSED, Status.WARNING, Status.FAILED, Status.SKIPPED)
# Advice for the command line ("(pass --rpc URL)") means nothing on a web page.
_CLI_ADVICE: Final = re.compile(r"\s*\((?:pass|use|run|try|add|give)\b[^()]*?--[a-z][^()]*\)")


def page_message(message: str) -> str:
    """A check's message without command-line advice, for a web page.

    >>> page_message("the anchor was not looked up: no chain is configured (pass --rpc URL)")
    'the anchor was not looked up: no chain is configured'
    """
    return _CLI_ADVICE.sub("", message)


@dataclass(frozen=True, slots=True)
class CheckRow:
    """One line of the checks table: status, plain title, check id and what it found."""

    status: Status
    status_text: str
    id: str
    title: str
    message: str


def _rows(checks: tuple[CheckResult, ...], locale: Locale) -> tuple[CheckRow, ...]:
    return tuple(
        CheckRow(
            c.status,
            status_label(c.status, locale),
            c.id,
            check_title(c.id, locale),
            page_message(c.message),
        )
        for c in checks
    )


def _tally(checks: tuple[CheckResult, ...], locale: Locale) -> str:
    counts = Counter(check.status for check in checks)
    t = locale.gettext
    words = {
        Status.PASSED: t.ngettext("%(num)d passed", "%(num)d passed", counts[Status.PASSED]),
        Status.WARNING: t.ngettext("%(num)d warning", "%(num)d warnings", counts[Status.WARNING]),
        Status.FAILED: t.ngettext("%(num)d failed", "%(num)d failed", counts[Status.FAILED]),
        Status.SKIPPED: t.ngettext("%(num)d skipped", "%(num)d skipped", counts[Status.SKIPPED]),
    }
    parts = [words[s] % {"num": counts[s]} for s in _STATUS_ORDER if counts[s]]
    head = t.ngettext("%(num)d check", "%(num)d checks", len(checks)) % {"num": len(checks)}
    return f"{head}: {', '.join(parts)}"


def _signature_holds(result: VerificationResult) -> bool:
    proofs = [c for c in result.checks if c.group == "proof"]
    return any(c.id == "proof.signature" for c in proofs) and not any(
        c.status is Status.FAILED for c in proofs
    )


@dataclass(frozen=True, slots=True)
class Report:
    """One verification as the page renders it.

    `trusted` is False for the card of a badge that failed, or that sits in a
    presentation that failed: the page dims it and says so.
    """

    verified: bool
    checks: tuple[CheckResult, ...]
    tally: str
    verdict: Verdict
    rows: tuple[CheckRow, ...] = ()
    card: BadgeCard | None = None
    issuer: Name | None = None
    holder: str | None = None
    credentials: tuple[Report, ...] = ()
    trusted: bool = True

    @property
    def tone(self) -> str:
        """The verdict's tone (``verified``, ``caution``, ``failed``, ``unknown``)."""
        return self.verdict.tone.value

    @classmethod
    def build(
        cls,
        result: VerificationResult,
        document: JSONObject,
        *,
        locale: Locale = ENGLISH,
        registry: TrustRegistry | None = None,
        images: ImageInliner | None = None,
    ) -> Report:
        """Pair a result with the document it was computed from, in `locale`."""
        verdict = verdict_of(result, locale=locale, registry=registry)
        report = cls._build(result, document, verdict, locale, registry)
        return report._with_images(images) if images is not None else report

    @classmethod
    def _build(
        cls,
        result: VerificationResult,
        document: JSONObject,
        verdict: Verdict,
        locale: Locale,
        registry: TrustRegistry | None,
    ) -> Report:
        if document_kind(document) != "presentation":
            card = BadgeCard.from_credential(document)
            holds = _signature_holds(result)
            name = issuer_name(
                card.issuer_id,
                registry_name=registry.name_of(card.issuer_id) if registry is not None else None,
                profile_name=card.issuer_name if holds else None,
            )
            return cls(
                result.verified,
                result.checks,
                _tally(result.checks, locale),
                verdict,
                _rows(result.checks, locale),
                card=card,
                issuer=name,
                trusted=result.verified,
            )
        # The same selection verify() made, in the same order (enveloped VC-JWTs decoded).
        from verifier.verify import presented_documents

        documents = presented_documents(document)
        holder = result.summary.get("holder")
        # Not strict: a presentation refused whole (too many credentials) has no results.
        credentials = tuple(
            cls._build(sub, doc, inner, locale, registry)
            for sub, doc, inner in zip(
                result.credentials, documents, verdict.credentials, strict=False
            )
        )
        if not result.verified:
            # A refused presentation vouches for none of its badges, whatever their own checks say.
            credentials = tuple(replace(c, trusted=False) for c in credentials)
        return cls(
            result.verified,
            result.checks,
            _tally(result.checks, locale),
            verdict,
            _rows(result.checks, locale),
            holder=holder if isinstance(holder, str) else None,
            credentials=credentials,
        )

    @property
    def card_state(self) -> str:
        """How the card is shown: ``verified``, ``unverified`` or ``unconfirmed``.

        ``unverified``: it failed (struck through); ``unconfirmed``: it could not be
        decided, or it sits in a refused presentation (dimmed).
        """
        if self.trusted:
            return "verified"
        if self.verdict.tone is Tone.FAILED and self.verdict.reason is not None:
            return "unverified"
        return "unconfirmed"

    @property
    def presentation_refused(self) -> bool:
        """A presentation that failed on its own checks (its badges are then not vouched for)."""
        return self.card is None and any(c.status is Status.FAILED for c in self.checks)

    @property
    def caution(self) -> bool:
        """Whether the verdict is a pass with a caveat."""
        return self.verdict.tone is Tone.CAUTION

    def _with_images(self, images: ImageInliner, budget: list[int] | None = None) -> Report:
        budget = budget if budget is not None else [MAX_IMAGES]
        card = self.card
        if card is not None and card.image is None and card.image_url and budget[0] > 0:
            budget[0] -= 1
            card = card.with_image(images.inline(card.image_url))
        credentials = tuple(c._with_images(images, budget) for c in self.credentials)
        return replace(self, card=card, credentials=credentials)
