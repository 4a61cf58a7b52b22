"""The pages' language: chosen per request, and installed in the app's templates.

The reader's browser says which languages it prefers (``Accept-Language``); a
``?lang=es`` link overrides it. Templates translate with ``_()`` / ``ngettext()``
(Jinja's i18n extension, "new style": arguments are escaped) and format dates with
the ``date`` and ``datetime`` filters, in the request's locale and in UTC; the
page's script then rewrites each ``<time>`` in the reader's own time zone.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, g, has_request_context, request
from markupsafe import Markup

from ui.i18n import DEFAULT_LANGUAGE, Locale, format_date, format_datetime, language_from_header
from ui.i18n import locale_for as _locale_for

__all__ = ["gettext", "install", "page_locale", "time_element"]

_ENGLISH = Locale(DEFAULT_LANGUAGE, DEFAULT_LANGUAGE)


def page_locale() -> Locale:
    """The locale of the current request: ``?lang=``, else ``Accept-Language``, else English."""
    if not has_request_context():
        return _ENGLISH
    found: Locale | None = g.get("laurel_locale")
    if found is None:
        found = _locale_for(request.args.get("lang")) or language_from_header(
            request.headers.get("Accept-Language")
        )
        g.laurel_locale = found
    return found


# Jinja's "new style" wrappers call these with the message alone, then escape the
# arguments and fill them in (``%(name)s``) themselves.
def gettext(message: str) -> str:
    """`message` in the request's language (the pages import it as ``_``)."""
    return page_locale().gettext.gettext(message)


def _ngettext(singular: str, plural: str, number: int) -> str:
    return page_locale().gettext.ngettext(singular, plural, number)


def time_element(value: object, kind: str = "date") -> Markup:
    """A ``<time>`` for a dateTimeStamp: UTC text here, the reader's zone after the script.

    `kind` is ``date`` or ``datetime``; an unreadable value is shown as it is.
    """
    if isinstance(value, dt.datetime):
        iso = value.isoformat()
    elif isinstance(value, str):
        iso = value
    else:
        return Markup("")
    locale = page_locale()
    text = (format_datetime if kind == "datetime" else format_date)(iso, locale)
    if text is None:
        return Markup("<span>{}</span>").format(iso)
    return Markup('<time datetime="{}" data-format="{}">{}</time>').format(iso, kind, text)


def install(app: Flask) -> None:
    """Give `app`'s templates ``_``, ``ngettext``, ``lang`` and the date filters (once)."""
    env = app.jinja_env
    if "laurel_i18n" in env.globals:
        return
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=gettext, ngettext=_ngettext, newstyle=True
    )
    env.globals["laurel_i18n"] = True
    env.globals["page_locale"] = page_locale
    env.filters["time"] = time_element
