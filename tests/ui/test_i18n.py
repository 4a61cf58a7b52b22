"""Languages, names and cards: the pieces the page, the CLI and the wallet's pages share."""

from __future__ import annotations

import datetime as dt

import pytest

from ui.card import BadgeCard
from ui.i18n import (
    Locale,
    environment_locale,
    format_date,
    format_datetime,
    language_from_header,
    locale_for,
)
from ui.names import did_web_host, issuer_name, short_did


@pytest.mark.parametrize(
    ("header", "language", "tag"),
    [
        ("es-MX,es;q=0.9,en;q=0.8", "es", "es_MX"),
        ("fr-CA, fr;q=0.9, es;q=0.5", "es", "es"),
        ("en-GB", "en", "en_GB"),
        ("de, *;q=0.1", "en", "en"),
        ("", "en", "en"),
        ("es;q=0, en;q=0.2", "en", "en"),
        ("es;q=banana, en", "en", "en"),
        ("xx-YY-" + "z" * 5000, "en", "en"),
    ],
)
def test_the_browsers_languages_choose_the_page(header: str, language: str, tag: str) -> None:
    assert language_from_header(header) == Locale(language, tag)


def test_an_unknown_region_keeps_the_language() -> None:
    assert locale_for("es-QQ") == Locale("es", "es")
    assert locale_for("../../etc") is None


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LAUREL_LANG": "es"}, "es"),
        ({"LAUREL_LANG": "fr", "LANG": "es_ES.UTF-8"}, "en"),
        ({"LANG": "es_AR.UTF-8"}, "es"),
        ({"LANGUAGE": "fr:es", "LANG": "en_US.UTF-8"}, "es"),
        ({"LC_ALL": "C", "LANG": "es_ES.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_command_lines_language(environ: dict[str, str], language: str) -> None:
    assert environment_locale(environ).language == language


def test_dates_in_the_readers_locale_and_zone() -> None:
    stamp = "2026-06-30T00:00:00Z"
    chicago = dt.timezone(dt.timedelta(hours=-5), "CDT")
    assert format_date(stamp, Locale("en", "en_US")) == "Jun 30, 2026"
    assert format_date(stamp, Locale("en", "en_US"), chicago) == "Jun 29, 2026"
    assert format_date(stamp, Locale("es", "es")) == "30 jun 2026"
    assert format_datetime(stamp, Locale("en", "en_GB"), chicago) == "29 Jun 2026, 19:00 CDT"
    assert format_date("not a date", Locale("en", "en")) is None


@pytest.mark.parametrize("year", [1, 9, 99, 999, 1970, 2024, 2026, 9999])
def test_english_dates_are_written_as_babel_writes_them_without_loading_it(year: int) -> None:
    from babel.dates import format_date as babel_date

    english = Locale("en", "en")
    first, last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
    for ordinal in range(first, last + 1):
        day = dt.datetime.combine(dt.date.fromordinal(ordinal), dt.time(12), dt.UTC)
        assert format_date(day, english) == babel_date(day, "medium", locale="en")


def test_names_instead_of_dids() -> None:
    did = "did:web:badges.lakeshore.example%3A8443:districts:lusd"
    assert did_web_host(did) == "badges.lakeshore.example:8443"
    assert issuer_name(did).text == "badges.lakeshore.example:8443"
    assert issuer_name(did, profile_name="  Lakeshore\nUSD ").text == "Lakeshore USD"
    assert issuer_name(did, registry_name="LUSD", profile_name="Other").source == "registry"
    key = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
    assert short_did(key) == "did:key:z6MkiT…mDooWp"
    assert issuer_name(key, profile_name="x" * 500).text == "x" * 120


def test_a_card_reads_a_rubric_level_from_another_description() -> None:
    card = BadgeCard.from_credential(
        {
            "credentialSubject": {
                "result": [
                    {"achievedLevel": "urn:l2"},
                    {"value": "92", "resultDescription": "urn:s"},
                ],
                "achievement": {
                    "resultDescription": [
                        {
                            "id": "urn:r",
                            "name": "Rubric",
                            "rubricCriterionLevel": [{"id": "urn:l2", "name": "proficient"}],
                        },
                        {"id": "urn:s", "name": "Score"},
                    ]
                },
            }
        }
    )
    assert [(r.label, r.value) for r in card.results] == [("Rubric", "proficient"), ("Score", "92")]


def test_a_card_lists_at_most_twenty_of_anything() -> None:
    evidence = [{"id": f"https://example.org/{i}", "name": f"E{i}"} for i in range(5000)]
    card = BadgeCard.from_credential({"evidence": evidence, "credentialSubject": {}})
    assert len(card.evidence) == 20
