"""The teacher's static portfolio, and the console's roster check."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from ui.i18n import Locale
from vc.baking import unbake
from vc.envelope import decode_envelope
from wallet.console import check_roster
from wallet.home import Wallet
from wallet.issuer import Evidence, IssueOptions, issue_badge, load_achievement
from wallet.keystore import KdfParams
from wallet.portfolio import public_ids, set_public, write_portfolio

EN = Locale("en", "en")


@pytest.fixture
def teacher(tmp_path: Path, tmp_wallet: Wallet) -> Wallet:
    teacher = Wallet.create(
        tmp_path / "teacher", name="Ana Rivera", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()
    )
    achievement = load_achievement(json.dumps(ACHIEVEMENT).encode())
    for level in ("proficient", "developing"):
        stored = issue_badge(
            tmp_wallet,
            PASSPHRASE,
            achievement,
            teacher.identity.did,
            IssueOptions(result=level, evidence=(Evidence("https://example.org/plans", "Plans"),)),
        )
        teacher.store.add_credential(stored.document, origin="imported", text=stored.text)
    yield teacher
    teacher.close()


def test_nothing_is_public_until_chosen(teacher: Wallet, tmp_path: Path) -> None:
    report = write_portfolio(teacher, tmp_path / "site", locale=EN)
    assert report.badges == 0
    assert "No badge is public yet." in report.index.read_text()
    assert not (tmp_path / "site" / "badges").exists()


def test_only_public_badges_are_written(teacher: Wallet, tmp_path: Path) -> None:
    public, private = teacher.store.list_credentials()
    assert set_public(teacher.store, [public.id], True) == [public.id]
    report = write_portfolio(
        teacher, tmp_path / "site", locale=EN, verifier_url="https://verify.example/",
        site_url="https://ana.example/badges",
    )  # fmt: skip
    site = tmp_path / "site"
    assert report.badges == 1
    written = "".join(p.read_text(errors="ignore") for p in site.rglob("*.html"))
    assert private.id not in written
    (folder,) = (site / "badges").iterdir()
    assert (folder / "badge.json").read_text() == public.text, "exactly as stored"
    assert unbake((folder / "badge.png").read_bytes()) == public.text
    page = (folder / "index.html").read_text()
    # Relative links only: the site works from any host or a USB stick.
    for link in re.findall(r'(?:href|src)="([^"]+)"', page):
        assert link.startswith(("../", "qr.svg", "badge.", "https://", "#")), link
    linkedin = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', page)
    assert linkedin is not None
    query = parse_qs(urlsplit(linkedin.group(1).replace("&amp;", "&")).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == ["Formative Assessment in Practice"]
    assert query["organizationName"] == ["Riverside School District"]
    assert query["certId"] == [public.id]
    assert query["certUrl"] == [f"https://ana.example/badges/badges/{folder.name}/"]
    payload = re.search(r'data-payload="(LV2:[^"]+)"', page)
    assert payload is not None
    assert decode_envelope(payload.group(1).replace("&#34;", '"'))["id"] == public.id
    set_public(teacher.store, [public.id], False)
    assert public_ids(teacher.store) == []


def test_urls_with_a_fragment_or_another_scheme_are_refused(
    teacher: Wallet, tmp_path: Path
) -> None:
    for bad in ("javascript:alert(1)", "https://verify.example/#x", "ftp://verify.example/"):
        with pytest.raises(ValueError, match="http"):
            write_portfolio(teacher, tmp_path / "site", locale=EN, verifier_url=bad)


def test_a_roster_check_names_every_bad_row_in_the_issuers_words() -> None:
    roster = (
        b"Name,Email,DID\n"
        b"Ana,ana@example.org,\n"
        b",,\n"
        b"Ben,ben-at-example,\n"
        b"Cy,,not-a-did\n"
        b"Ana again,ANA@example.org,\n"
        b"Dee,,did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\n"
    )
    rows, problem = check_roster(roster)
    assert problem is None
    assert [r.line for r in rows if r.problem is None] == [2, 7]
    problems = {r.line: r.problem for r in rows if r.problem is not None}
    assert set(problems) == {4, 5, 6}, "a blank line is skipped, as laurel issue skips it"
    assert "is not an email address" in problems[4]
    assert "is not a DID" in problems[5]
    assert "the same recipient as line 2" in problems[6]
    rows, problem = check_roster(b"who,what\n")
    assert rows == []
    assert "needs name and email" in (problem or "")
    assert "not UTF-8" in (check_roster(b"\xff\xfe")[1] or "")
