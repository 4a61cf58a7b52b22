"""Finding badges as people name them: short ids, recipients' names, email addresses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from ui.i18n import Locale
from wallet.badges import badge_line, record_roster_names
from wallet.errors import CredentialNotFoundError
from wallet.home import Wallet
from wallet.issuer import IssueOptions, issue_roster, load_achievement, read_roster
from wallet.store import AmbiguousIdError, Store, short_id

EN = Locale("en", "en")
ROSTER = (
    "name,email\n"
    "Ana Rivera,ana@lakeshore.example\n"
    "Ben Okafor,ben@lakeshore.example\n"
    "Chloé Martin,Chloe@Lakeshore.example\n"
)


@pytest.fixture
def issued(tmp_wallet: Wallet, tmp_path: Path) -> Wallet:
    achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
    rows = read_roster(ROSTER.encode())
    issue_roster(tmp_wallet, PASSPHRASE, achievement, rows, tmp_path / "out", IssueOptions())
    assert record_roster_names(tmp_wallet.store, achievement, rows) == 3
    return tmp_wallet


def ids(found: list) -> list[str]:  # type: ignore[type-arg]
    return [c.id for c in found]


def test_a_unique_prefix_names_one_badge(issued: Wallet) -> None:
    store = issued.store
    full = store.list_credentials()[0].id
    assert store.resolve_id(full) == full
    assert store.resolve_id(full[:15]) == full
    assert store.resolve_id(short_id(full)) == full, "without urn:uuid:"
    assert store.resolve_id(short_id(full)[:4]) == full


def test_too_short_or_unknown_prefixes_are_refused(issued: Wallet) -> None:
    with pytest.raises(CredentialNotFoundError, match="no badge 'ab'") as refused:
        issued.store.resolve_id("ab")
    assert "at least its first 4" in refused.value.hint
    with pytest.raises(CredentialNotFoundError, match="no badge starts with"):
        issued.store.resolve_id("zzzzzz")


def test_an_ambiguous_prefix_is_refused_naming_the_candidates(tmp_path: Path) -> None:
    with Store.create(tmp_path / "w.db") as store:
        for suffix in ("1111-aaaa", "1112-bbbb"):
            store.add_credential({"id": f"urn:uuid:abcd{suffix}", "name": "B"}, origin="imported")
        with pytest.raises(AmbiguousIdError, match="abcd1111-aaa, abcd1112-bbb"):
            store.resolve_id("abcd11")
        assert store.resolve_id("abcd1112") == "urn:uuid:abcd1112-bbbb"


def test_a_prefix_with_like_wildcards_matches_only_itself(tmp_path: Path) -> None:
    with Store.create(tmp_path / "w.db") as store:
        store.add_credential({"id": "urn:uuid:abcdef", "name": "B"}, origin="imported")
        with pytest.raises(CredentialNotFoundError):
            store.resolve_id("ab%_")


def test_search_by_name_email_and_id(issued: Wallet) -> None:
    store = issued.store
    names = store.recipient_names()
    by_name = store.search_credentials("okafor")
    assert [names[c.id] for c in by_name] == ["Ben Okafor"]
    by_email = store.search_credentials("chloe@lakeshore.example")
    assert [names[c.id] for c in by_email] == ["Chloé Martin"], "emails compare lowercased"
    assert store.search_credentials("nobody@lakeshore.example") == []
    first = store.list_credentials()[0]
    assert ids(store.search_credentials(short_id(first.id))) == [first.id]
    assert len(store.search_credentials("formative")) == 3, "the badge's name"


def test_no_email_is_kept_in_clear(issued: Wallet) -> None:
    data = issued.store.path.read_bytes()
    assert b"ana@lakeshore.example" not in data
    assert b"Ana Rivera" in data, "the issuer's own roster name, kept to find the badge"


def test_a_badge_line_names_the_recipient_and_the_date(issued: Wallet) -> None:
    store = issued.store
    stored = store.search_credentials("Ben")[0]
    line = badge_line(store, stored, EN)
    assert line.recipient == "Ben Okafor"
    assert line.describe(EN).startswith("“Formative Assessment in Practice” of Ben Okafor, issued ")
    assert line.describe(EN).endswith(f"({short_id(stored.id)})")


def test_the_cli_lists_searches_and_takes_short_ids(issued: Wallet) -> None:
    runner = CliRunner()
    env = {"LAUREL_PASSPHRASE": PASSPHRASE, "COLUMNS": "80"}
    home = str(issued.home)
    listed = runner.invoke(cli, ["list", "--home", home], env=env)
    assert listed.exit_code == 0, listed.output
    assert max(len(line) for line in listed.output.splitlines()) <= 80
    assert "Ana Rivera" in listed.output
    assert "urn:uuid:" not in listed.output
    found = runner.invoke(
        cli, ["list", "--home", home, "--search", "ben@lakeshore.example"], env=env
    )
    assert "Ben Okafor" in found.output
    assert "Ana Rivera" not in found.output
    ben = issued.store.search_credentials("Ben")[0].id
    shown = runner.invoke(cli, ["export", short_id(ben)[:6], "--home", home], env=env)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["id"] == ben
    as_json = json.loads(runner.invoke(cli, ["list", "--json", "--home", home], env=env).output)
    assert {item["recipientName"] for item in as_json} == {
        "Ana Rivera",
        "Ben Okafor",
        "Chloé Martin",
    }
