"""The report `laurel verify` prints for people: the verdict in words, the badge, the checks.

In the reader's language (``LAUREL_LANG``, else the POSIX locale variables), with
dates in the machine's time zone. A badge that failed is labelled as what the
document claims, never as a fact. ``--json`` prints the result as the API does
instead.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ui.i18n import Locale, environment_locale, format_date

if TYPE_CHECKING:
    from rich.console import Console

    from vc.results import VerificationResult
    from vc.types import JSONObject
    from verifier.trust import TrustRegistry
    from verifier.verdict import Verdict

__all__ = ["render_result"]

_STATUS_STYLE = {
    "passed": ("✔", "green"),
    "failed": ("✘", "bold red"),
    "warning": ("!", "yellow"),
    "skipped": ("–", "dim"),  # noqa: RUF001 (an en dash, on purpose)
}
_TONE_STYLE = {
    "verified": ("✔", "bold green"),
    "caution": ("!", "bold yellow"),
    "failed": ("✘", "bold red"),
    "unknown": ("?", "bold yellow"),
}


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _local_zone() -> dt.tzinfo | None:
    return dt.datetime.now().astimezone().tzinfo


def _title_line(verdict: Verdict, locale: Locale) -> str:
    _ = locale.gettext.gettext
    # The words a terminal reader scans for: capitals, like the exit status they mirror.
    words = {
        "verified": _("VERIFIED"),
        "caution": _("VERIFIED, WITH A CAVEAT"),
        "failed": _("NOT VERIFIED"),
        "unknown": _("COULD NOT BE VERIFIED"),
    }
    mark, style = _TONE_STYLE[verdict.tone.value]
    return f"[{style}]{mark} {words[verdict.tone.value]}[/]"


def _facts(
    document: JSONObject | None, result: VerificationResult, verdict: Verdict, locale: Locale
) -> list[tuple[str, str]]:
    """The badge's facts as (label, value) rows; labelled as claims when it did not verify."""
    from ui.card import BadgeCard

    _ = locale.gettext.gettext
    summary = result.summary
    zone = _local_zone()
    rows: list[tuple[str, str]] = []
    if document is None or "holder" in summary:
        holder = summary.get("holder")
        if isinstance(holder, str):
            rows.append((_("holder"), holder))
        return rows
    card = BadgeCard.from_credential(document)
    if card.achievement:
        claimed = _("as the document claims")
        claim = "" if verdict.verified else f"  [dim]({claimed})[/]"
        rows.append((_("badge"), _escape(card.achievement) + claim))
    for line in card.results:
        level = line.value + (f" ({line.label})" if line.label else "")
        rows.append((_("level"), _escape(level)))
    issuer = " ".join(v for v in (card.issuer_name, card.issuer_id) if v)
    if issuer:
        rows.append((_("issuer"), _escape(issuer)))
    if card.recipient:
        shown = _("a hidden email address") if card.recipient_hashed else card.recipient
        rows.append((_("earner"), _escape(shown)))
    dates = [format_date(v, locale, zone) or v for v in (card.valid_from, card.valid_until) if v]
    if dates:
        rows.append((_("valid"), " → ".join(dates)))
    for item in card.evidence:
        link = f"  {item.href}" if item.href and item.href != item.text else ""
        rows.append((_("evidence"), _escape(item.text + link)))
    for alignment in card.alignments:
        rows.append((_("aligned"), _escape(alignment.text)))
    return rows


def render_result(
    console: Console,
    name: str,
    result: VerificationResult,
    *,
    document: JSONObject | None = None,
    registry: TrustRegistry | None = None,
    locale: Locale | None = None,
) -> None:
    """Print one verification: the verdict in words first, the badge, then every check."""
    from rich.padding import Padding
    from rich.text import Text

    from verifier.verdict import check_title, verdict_of
    from verifier.verify import presented_documents

    locale = locale or environment_locale()
    verdict = verdict_of(result, locale=locale, registry=registry, tz=_local_zone())
    console.print(f"{_title_line(verdict, locale)}  [bold]{_escape(name)}[/]")
    console.print(f"  [bold]{_escape(verdict.sentence)}[/]")
    for note in verdict.note_texts:
        console.print(f"  [dim]·[/] {_escape(note)}")
    for label, value in _facts(document, result, verdict, locale):
        console.print(f"  [dim]{label:9}[/] {value}")
    titles = [check_title(check.id, locale) for check in result.checks]
    width = min(max((len(t) for t in titles), default=0), 30)
    for check, title in zip(result.checks, titles, strict=True):
        icon, style = _STATUS_STYLE[check.status.value]
        console.print(f"  [{style}]{icon}[/] {_escape(title):<{width}}  [{style}]{check.id}[/]")
        if check.status.value in ("failed", "warning"):
            # What the check found, for whoever looks further (the checks' own words).
            console.print(Padding(Text(check.message, style="dim"), (0, 0, 0, 6), expand=False))
    # The credentials as verify() selected them (an enveloped VC-JWT by its payload).
    documents = presented_documents(document) if document is not None else []
    _ = locale.gettext.gettext
    for index, inner in enumerate(result.credentials):
        inner_document = documents[index] if index < len(documents) else None
        label = _("badge %(n)d") % {"n": index + 1}
        render_result(
            console,
            f"{name} › {label}",  # noqa: RUF001
            inner,
            document=inner_document,
            registry=registry,
            locale=locale,
        )
    console.print()
