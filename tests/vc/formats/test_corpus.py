"""Every real-world fixture gets the library verdict EXPECTED.json records, for its reason."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.vc.formats.corpus import CORPUS, verify_file

EXPECTED = json.loads((CORPUS / "EXPECTED.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=lambda n: n.replace("/", ":"))
def test_real_world_fixture_verdict(name):
    entry = EXPECTED[name]
    verdict = verify_file(CORPUS / name)
    assert verdict.text() == entry["expected"], entry["reason"]


def test_every_badge_fixture_has_an_expectation_and_a_source():
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert (CORPUS / name).is_file(), name
        assert f"`{name}`" in sources or name.startswith(("vc-di-ecdsa/", "openbadgeslib/")), name
    kinds = Counter(entry["reason"].split(":")[0].split(" (")[0] for entry in EXPECTED.values())
    assert set(kinds) <= {
        "agrees",
        "decision",
        "open",
        "gap",
        "not a badge",
        "right",
        "the file is empty in the source repository",
    }


def test_offline_web_never_answers_outside_the_corpus():
    from tests.vc.formats.corpus import OfflineWeb
    from vc.errors import LaurelError

    web = OfflineWeb()
    with pytest.raises(LaurelError):
        web("https://attacker.example/did.json")
    assert web("https://example.org/key1.json").startswith(b"{")
