"""Building the message catalogs: extract, merge into each language, compile (``scripts/i18n``).

``python -m ui.catalogs`` (what ``scripts/i18n`` runs) extracts every message the
code and templates mark (``_()``, ``gettext()``, ``ngettext()``, ``N_()``, and
``{% trans %}`` in templates) into ``ui/locales/laurel.pot``, merges it into each
language's ``.po`` (new messages arrive untranslated; gone ones are dropped) and
compiles every ``.po`` into its ``.mo``. The output is deterministic (no creation
dates, sorted by message), so re-running it on unchanged sources changes nothing.

The ``.mo`` files are committed: an installed laurel then reads them with the
standard library's :mod:`gettext` alone, with no build step at install time, as
the committed contract artifact needs none; ``tests/ui/test_catalogs.py`` compiles
each ``.po`` again and fails when the committed ``.mo`` differs or a message lacks
its translation.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po as babel_read_po
from babel.messages.pofile import write_po as babel_write_po

from ui.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALE_DIR

__all__ = [
    "SOURCES",
    "compile_catalog",
    "extract",
    "main",
    "merged",
    "po_path",
    "read_po",
    "translated",
    "write_po",
]

ROOT: Final = Path(__file__).resolve().parent.parent
#: What is scanned for messages, relative to the project root.
SOURCES: Final = ("ui", "verifier", "wallet", "cli", "laurel_demo")
_METHODS: Final = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
_JINJA_OPTIONS: Final = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}


def po_path(language: str) -> Path:
    """Where `language`'s translations are."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


# Fixed dates and header fields: the catalogs must not change when nothing else did.
_EPOCH: Final = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _header(catalog: Catalog) -> None:
    catalog.creation_date = _EPOCH
    catalog.revision_date = _EPOCH
    catalog.project = "laurel"
    catalog.version = "0.1"
    catalog.copyright_holder = "the laurel authors"
    catalog.msgid_bugs_address = ""
    catalog.language_team = ""
    catalog.last_translator = ""


def extract(root: Path = ROOT) -> Catalog:
    """A template catalog of every message marked in :data:`SOURCES`."""
    catalog = Catalog(domain=DOMAIN, fuzzy=False)
    _header(catalog)
    for source in SOURCES:
        path = root / source
        found: Iterable[tuple[str, int, str | tuple[str, ...], list[str], str | None]]
        if path.is_dir():
            found = (
                (str(Path(source) / name), line, message, comments, context)
                for name, line, message, comments, context in extract_from_dir(
                    path,
                    _METHODS,
                    options_map={"**/templates/**.html": _JINJA_OPTIONS},
                    strip_comment_tags=True,
                )
            )
        elif path.is_file():
            found = [
                (source, line, message, comments, context)
                for line, message, comments, context in extract_from_file(
                    "python", str(path), strip_comment_tags=True
                )
            ]
        else:
            continue
        for name, line, message, comments, context in found:
            catalog.add(
                message,
                None,
                [(name.replace("\\", "/"), line)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def read_po(language: str) -> Catalog:
    """`language`'s catalog as it is on disk (an empty one when there is none yet)."""
    path = po_path(language)
    if not path.exists():
        catalog = Catalog(locale=language, domain=DOMAIN)
        _header(catalog)
        return catalog
    with path.open("rb") as handle:
        return babel_read_po(handle, locale=language, domain=DOMAIN)


def merged(template: Catalog, language: str) -> Catalog:
    """`language`'s catalog updated to `template`: new messages empty, gone ones dropped."""
    catalog = read_po(language)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()
    _header(catalog)
    return catalog


def write_po(catalog: Catalog, path: Path) -> None:
    """Write `catalog` as a .po (or .pot) file, sorted, without line numbers or wrapping."""
    buffer = io.BytesIO()
    babel_write_po(
        buffer,
        catalog,
        width=0,
        include_lineno=False,
        sort_output=True,
        omit_header=False,
        include_previous=False,
        ignore_obsolete=True,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    data = buffer.getvalue()
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def compile_catalog(language: str) -> bytes:
    """The .mo bytes of `language`'s .po file (fuzzy and empty translations left out)."""
    buffer = io.BytesIO()
    write_mo(buffer, read_po(language), use_fuzzy=False)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Extract, merge and compile; print what is left to translate (exit 1 if anything)."""
    del argv
    template = extract()
    write_po(template, LOCALE_DIR / f"{DOMAIN}.pot")
    missing = 0
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        catalog = merged(template, language)
        write_po(catalog, po_path(language))
        mo = po_path(language).with_suffix(".mo")
        data = compile_catalog(language)
        if not mo.exists() or mo.read_bytes() != data:
            mo.write_bytes(data)
        for message in catalog:
            if message.id and not translated(message):
                missing += 1
                print(f"{language}: untranslated: {message.id!r}", file=sys.stderr)
    return 1 if missing else 0


def translated(message: Message) -> bool:
    """Whether `message` has a translation that is used (every plural form, not fuzzy)."""
    if message.fuzzy:
        return False
    if isinstance(message.string, tuple | list):
        return all(bool(s) for s in message.string)
    return bool(message.string)


if __name__ == "__main__":
    raise SystemExit(main())
