"""Languages: laurel's messages in English and Spanish, and dates in the reader's locale.

The messages are gettext catalogs: ``ui/locales/laurel.pot`` (extracted from the
code and templates by ``scripts/i18n``), a ``.po`` per language (the translations,
edited by people) and its compiled ``.mo`` (committed beside it, so that an
installed laurel needs no build step; a test compiles every ``.po`` again and
fails when the committed ``.mo`` differs).

    >>> from ui.i18n import language_from_header, translator
    >>> language_from_header("es-MX,es;q=0.9,en;q=0.5").language
    'es'
    >>> translator("es").gettext("Verified")
    'Verificada'

A :class:`Locale` pairs the catalog (``en`` or ``es``) with the reader's full
locale tag (``en_GB``, ``es_MX``) for dates and numbers.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALE_DIR",
    "Locale",
    "environment_locale",
    "format_date",
    "format_datetime",
    "format_age",
    "language_from_header",
    "locale_for",
    "translator",
]

#: The languages laurel speaks; the first is the fallback.
LANGUAGES: Final = ("en", "es")
DEFAULT_LANGUAGE: Final = "en"
#: Where the catalogs live: LOCALE_DIR/<lang>/LC_MESSAGES/laurel.mo.
LOCALE_DIR: Final = Path(__file__).parent / "locales"
DOMAIN: Final = "laurel"

# A language tag as browsers and POSIX spell it: "es", "es-MX", "es_MX.UTF-8", "en-US@x".
_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|[0-9]{3}))?")


@dataclass(frozen=True, slots=True)
class Locale:
    """A catalog language (``en``/``es``) and the locale tag dates are written in."""

    language: str
    tag: str

    @property
    def gettext(self) -> gettext.NullTranslations:
        """The message catalog of this locale's language."""
        return translator(self.language)


@functools.cache
def translator(language: str) -> gettext.NullTranslations:
    """The catalog for `language` (English, the source language, has none: messages as written).

    Raises:
        ValueError: `language` is not one of :data:`LANGUAGES`.
    """
    if language not in LANGUAGES:
        raise ValueError(f"laurel speaks {', '.join(LANGUAGES)}, not {language!r}")
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    with open(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as handle:
        return gettext.GNUTranslations(handle)


def locale_for(tag: str | None) -> Locale | None:
    """The locale a tag names when laurel speaks its language, else None.

    >>> locale_for("es_MX.UTF-8"), locale_for("fr-FR")
    (Locale(language='es', tag='es_MX'), None)
    """
    if not tag:
        return None
    match = _TAG.match(tag.strip())
    if match is None:
        return None
    language = match.group(1).lower()
    if language not in LANGUAGES:
        return None
    region = match.group(2)
    if region is None:
        return Locale(language, language)
    candidate = f"{language}_{region.upper()}"
    return Locale(language, candidate if _known_tag(candidate) else language)


@functools.cache
def _known_tag(tag: str) -> bool:
    from babel import Locale as BabelLocale
    from babel.core import UnknownLocaleError

    try:
        BabelLocale.parse(tag)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def language_from_header(header: str | None) -> Locale:
    """The best locale for an HTTP ``Accept-Language`` header (RFC 9110, "Accept-Language").

    Ranges are tried by quality, highest first (ties in the order given); ``*`` and
    unknown languages are passed over; English when nothing matches.

    >>> language_from_header("fr;q=1, es;q=0.8, en;q=0.9").language
    'en'
    """
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        found = locale_for(tag)
        if found is not None:
            return found
    return Locale(DEFAULT_LANGUAGE, DEFAULT_LANGUAGE)


def environment_locale(environ: Mapping[str, str] | None = None) -> Locale:
    """The command line's locale: ``LAUREL_LANG``, else the POSIX variables gettext reads.

    ``LANGUAGE`` (a colon-separated list), ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` are
    read in that order, as gettext does; ``C`` and ``POSIX`` mean English.

    >>> environment_locale({"LAUREL_LANG": "es"}).language
    'es'
    >>> environment_locale({"LANG": "es_ES.UTF-8"}).tag
    'es_ES'
    """
    env = os.environ if environ is None else environ
    explicit = env.get("LAUREL_LANG")
    if explicit:
        return locale_for(explicit) or Locale(DEFAULT_LANGUAGE, DEFAULT_LANGUAGE)
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if not value:
            continue
        for tag in value.split(":"):
            found = locale_for(tag)
            if found is not None:
                return found
        # The first variable that is set decides, as in gettext: a French
        # LC_ALL is not overridden by a Spanish LANG.
        break
    return Locale(DEFAULT_LANGUAGE, DEFAULT_LANGUAGE)


def _aware(value: dt.datetime | str) -> dt.datetime | None:
    if isinstance(value, str):
        from vc.timestamps import parse_datetime_stamp

        try:
            return parse_datetime_stamp(value)
        except (ValueError, TypeError):
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def format_date(
    value: dt.datetime | str, locale: Locale, tz: dt.tzinfo | None = None
) -> str | None:
    """A date as the reader writes it (``3 Dec 2026``, ``3 dic 2026``), in `tz` (default UTC).

    A string must be a dateTimeStamp; anything unreadable gives None.

    >>> format_date("2026-12-03T14:05:00Z", Locale("en", "en_GB"))
    '3 Dec 2026'
    """
    return _date_text(value, locale.tag, tz)


@functools.lru_cache(maxsize=4096)
def _date_text(value: dt.datetime | str, tag: str, tz: dt.tzinfo | None) -> str | None:
    # Badges of one issuer share their dates, and CLDR formatting costs more than a
    # lookup (a tenth of a verification's verdict in the service).
    moment = _aware(value)
    if moment is None:
        return None
    local = moment.astimezone(tz or dt.UTC)
    if tag == "en":  # CLDR's "MMM d, y", without loading babel (a sixth of a cold start)
        return f"{_EN_MONTHS[local.month - 1]} {local.day}, {local.year}"
    from babel.dates import format_date as babel_date

    return str(babel_date(local, "medium", locale=tag))


#: CLDR's abbreviated month names for "en" (tests/ui/test_i18n.py holds them to babel's).
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_datetime(
    value: dt.datetime | str, locale: Locale, tz: dt.tzinfo | None = None
) -> str | None:
    """A date and time with its zone as the reader writes it, in `tz` (default UTC).

    >>> format_datetime("2026-12-03T14:05:00Z", Locale("es", "es"))
    '3 dic 2026, 14:05 UTC'
    """
    moment = _aware(value)
    if moment is None:
        return None
    from babel.dates import format_date as babel_date
    from babel.dates import format_time as babel_time

    local = moment.astimezone(tz or dt.UTC)
    zone = local.tzname() or "UTC"
    day = babel_date(local, "medium", locale=locale.tag)
    time = babel_time(local, "short", locale=locale.tag)
    return f"{day}, {time} {zone}"


def format_age(seconds: float, locale: Locale) -> str:
    """How long ago, in words (``42 seconds``, ``3 minutos``).

    >>> format_age(150, Locale("en", "en"))
    '2 minutes'
    """
    from babel.dates import format_timedelta

    return str(format_timedelta(dt.timedelta(seconds=seconds), locale=locale.tag))
