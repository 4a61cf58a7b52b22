"""The message catalogs: every message translated, the committed .mo what the .po compiles to."""

from __future__ import annotations

import re

import pytest

from ui.catalogs import compile_catalog, extract, merged, po_path, read_po, translated
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALE_DIR, Locale, translator

TRANSLATED = [language for language in LANGUAGES if language != DEFAULT_LANGUAGE]
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


@pytest.fixture(scope="module")
def template():  # type: ignore[no-untyped-def]
    return extract()


def test_the_sources_hold_messages(template) -> None:  # type: ignore[no-untyped-def]
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    # From Python (the verdict), from templates (the page), with plurals.
    assert "Altered after it was issued: the signature does not match." in ids
    assert "Badge or presentation (JSON)" in ids
    assert "%(num)d check" in ids
    assert len(ids) > 150


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(template, language: str) -> None:  # type: ignore[no-untyped-def]
    catalog = merged(template, language)
    missing = [m.id for m in catalog if m.id and not translated(m)]
    assert missing == [], f"{language}: run scripts/i18n and translate these in {po_path(language)}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder(language: str) -> None:
    for message in read_po(language):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = sorted(set(_PLACEHOLDER.findall(ids[-1])))
        for string in strings:
            assert sorted(set(_PLACEHOLDER.findall(string))) == wanted, (message.id, string)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_mo_is_the_po_compiled(language: str) -> None:
    committed = po_path(language).with_suffix(".mo").read_bytes()
    assert committed == compile_catalog(language), "run scripts/i18n to compile the catalogs"


def test_the_committed_pot_is_up_to_date(template, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ui.catalogs import write_po

    fresh = tmp_path / "laurel.pot"
    write_po(template, fresh)
    assert fresh.read_bytes() == (LOCALE_DIR / "laurel.pot").read_bytes(), "run scripts/i18n"


def test_spanish_is_read_from_the_committed_catalog() -> None:
    assert translator("es").gettext("Verified") == "Verificada"
    assert (
        translator("es").ngettext("%(num)d check", "%(num)d checks", 3) == "%(num)d comprobaciones"
    )
    assert Locale("en", "en").gettext.gettext("Verified") == "Verified"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="laurel speaks en, es"):
        translator("fr")
