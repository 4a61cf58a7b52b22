"""The verdict's sentences as parts: templates translated and filled in, dates kept as dates.

A sentence is a tuple of parts: text, and :class:`Moment` for a date (a page shows it
in the reader's zone). :class:`_Context` translates a template into the reader's
language and fills its ``{issuer}``, ``{date}``, ``{count}`` and ``{age}``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from ui.i18n import Locale, format_date
from ui.names import Name
from vc.types import JSONValue

__all__ = ["Moment", "Part"]


@dataclass(frozen=True, slots=True)
class Moment:
    """A date inside a sentence: its instant (for a page to show in the reader's zone) and text."""

    iso: str
    text: str


Part = str | Moment


_PLACEHOLDER = re.compile(r"\{(issuer|date|count|age)\}")


@functools.lru_cache(maxsize=512)
def _segments(template: str) -> tuple[tuple[str, str | None], ...]:
    """`template` as (text, placeholder name or None) pairs; text may be empty."""
    segments: list[tuple[str, str | None]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        segments.append((template[position : match.start()], match.group(1)))
        position = match.end()
    if position < len(template) or not segments:
        segments.append((template[position:], None))
    return tuple(segments)


def _compose(template: str, **values: Part) -> tuple[Part, ...]:
    parts: list[Part] = []
    for text, name in _segments(template):
        if text:
            parts.append(text)
        if name is not None:
            value = values.get(name)
            parts.append(value if value is not None else "{" + name + "}")
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class _Context:
    locale: Locale
    issuer: Name
    tz: dt.tzinfo | None

    def words(self, template: str, **values: Part) -> tuple[Part, ...]:
        translated = self.locale.gettext.gettext(template)
        return _compose(translated, issuer=self.issuer.text, **values)

    def moment(self, value: JSONValue | None) -> Moment | None:
        if not isinstance(value, str):
            return None
        text = format_date(value, self.locale, self.tz)
        return Moment(value, text) if text is not None else None
