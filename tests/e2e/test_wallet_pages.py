"""The teacher's portfolio and the issuer's console in a real headless browser, with axe-core.

Real wallets (a district and a teacher) on disk; the verifier app with the wallet's
pages (`laurel serve --wallet HOME --console`, as `cli.web` joins them) on a
loopback server. Each page is checked with axe-core (WCAG 2.2 A/AA, 0 violations)
and photographed into $LAUREL_SCREENSHOTS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli.web import add_wallet_pages
from tests.e2e.test_browser import PHONE
from tests.e2e.test_page_states import axe_violations, browser, shots  # noqa: F401 (fixtures)
from tests.service_tools import serve_app
from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
from vc.did import DidResolver
from verifier.app import create_app
from verifier.images import ImageInliner
from wallet.home import Wallet
from wallet.issuer import Evidence, IssueOptions, issue_badge, load_achievement
from wallet.keystore import KdfParams
from wallet.portfolio import set_public, write_portfolio

pytestmark = pytest.mark.browser

ROSTER = (
    "name,email\n"
    "Ana Rivera,ana@lakeshore.example\n"
    "Ben Okafor,ben@lakeshore.example\n"
    "Not An Email,ben-at-lakeshore\n"
    "Chloé Martin,chloe@lakeshore.example\n"
    "Ben Again,ben@lakeshore.example\n"
)


@pytest.fixture(scope="module")
def wallets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("wallets")
    # The teacher's badge comes from a district without status lists (nothing to fetch
    # offline); the console's district has them, to revoke and suspend.
    district = Wallet.create(
        root / "riverside",
        name="Lakeshore Unified School District",
        passphrase=PASSPHRASE,
        kdf=KdfParams.for_tests(),
    )
    Wallet.create(
        root / "district",
        name="Lakeshore Unified School District",
        passphrase=PASSPHRASE,
        kdf=KdfParams.for_tests(),
        base_url="https://badges.lakeshore.example",
    ).close()
    teacher = Wallet.create(
        root / "teacher", name="Ana Rivera", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()
    )
    offline = {k: v for k, v in ACHIEVEMENT.items() if k != "image"}
    stored = issue_badge(
        district,
        PASSPHRASE,
        load_achievement(json.dumps(offline).encode()),
        teacher.identity.did,
        IssueOptions(
            evidence=(Evidence("https://portfolio.example/ana/unit-3", "Unit 3 lesson plans"),),
            result="proficient",
        ),
    )
    teacher.store.add_credential(stored.document, origin="imported", text=stored.text)
    badge_file = root / "formative.json"
    badge_file.write_text(stored.text, encoding="utf-8")
    (root / "achievement.json").write_text(json.dumps(offline), encoding="utf-8")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    district.close()
    teacher.close()
    return {"root": root, "district": root / "district", "teacher": root / "teacher"}


def serve_wallet(home: Path, *, console: bool) -> Iterator[str]:
    app = create_app(resolver=DidResolver())
    app.extensions["laurel.images"] = ImageInliner(None)
    add_wallet_pages(app, home, secret=b"x" * 32, loopback=True, console=console)
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def teacher_url(wallets: dict[str, Any]) -> Iterator[str]:
    yield from serve_wallet(wallets["teacher"], console=False)


@pytest.fixture(scope="module")
def district_url(wallets: dict[str, Any]) -> Iterator[str]:
    yield from serve_wallet(wallets["district"], console=True)


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:  # noqa: F811 (browser is a fixture)
    context = browser.new_context(locale="en-US", timezone_id="America/Chicago")
    try:
        yield context.new_page()
    finally:
        context.close()


def check(page: Any, shots: Path, name: str) -> None:  # noqa: F811 (shots is a fixture)
    assert axe_violations(page) == [], name
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def log_in(page: Any, base: str, path: str) -> None:
    page.goto(base + path)
    assert "/wallet/login" in page.url
    page.get_by_label("Wallet passphrase or issuer token").fill(PASSPHRASE)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.url == base + path


def test_the_pages_ask_for_the_passphrase_first(
    tab: Any,
    teacher_url: str,
    shots: Path,  # noqa: F811
) -> None:
    tab.goto(teacher_url + "/wallet/")
    check(tab, shots, "wallet-login")
    tab.get_by_label("Wallet passphrase or issuer token").fill("not the passphrase")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Log in").click()
    assert "not the wallet's passphrase" in tab.get_by_role("alert").inner_text()
    assert "/wallet/login" in tab.url


def test_the_teacher_chooses_public_badges_and_imports_one(
    tab: Any,
    teacher_url: str,
    wallets: dict[str, Any],
    shots: Path,  # noqa: F811
) -> None:
    log_in(tab, teacher_url, "/wallet/")
    assert tab.get_by_role("link", name="Formative Assessment in Practice").is_visible()
    assert tab.get_by_text("Private", exact=True).is_visible()
    with tab.expect_navigation():
        tab.get_by_role("button", name="Make public: Formative Assessment in Practice").click()
    assert "now public" in tab.get_by_role("status").inner_text()
    check(tab, shots, "wallet-index")
    # Importing the same badge again is refused (already in the wallet), by name.
    tab.get_by_label("The badge's file").set_input_files(str(wallets["root"] / "formative.json"))
    with tab.expect_navigation():
        tab.get_by_role("button", name="Verify and add").click()
    assert "already in the wallet" in tab.get_by_role("alert").inner_text()
    # A tampered badge is refused, with the verdict's sentence.
    tampered = json.loads((wallets["root"] / "formative.json").read_text())
    tampered["id"] = "urn:uuid:00000000-0000-4000-8000-00000000beef"
    forged = wallets["root"] / "forged.json"
    forged.write_text(json.dumps(tampered), encoding="utf-8")
    tab.get_by_label("The badge's file").set_input_files(str(forged))
    with tab.expect_navigation():
        tab.get_by_role("button", name="Verify and add").click()
    alert = tab.get_by_role("alert").inner_text()
    assert "does not verify" in alert
    assert "Altered after it was issued: the signature does not match." in alert
    check(tab, shots, "wallet-import-refused")


def test_a_badge_page_on_loopback(tab: Any, teacher_url: str, shots: Path) -> None:  # noqa: F811
    log_in(tab, teacher_url, "/wallet/")
    with tab.expect_navigation():
        tab.get_by_role("link", name="Formative Assessment in Practice").click()
    assert tab.get_by_role("heading", name="Formative Assessment in Practice").is_visible()
    assert tab.locator(".level").inner_text() == "proficient"
    linkedin = tab.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href")
    assert linkedin.startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")
    json_link = tab.get_by_role("link", name="Download the credential (JSON)")
    body = tab.request.get(teacher_url + "/wallet/badges/" + tab.url.split("/")[-2] + "/badge.json")
    assert json.loads(body.text())["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert json_link.get_attribute("download").endswith(".json")
    check(tab, shots, "wallet-badge")


def test_the_static_portfolio_verifies_through_a_verifier_page(
    browser: Any,  # noqa: F811
    wallets: dict[str, Any],
    teacher_url: str,
    tmp_path: Path,
    shots: Path,  # noqa: F811
) -> None:
    from ui.i18n import Locale

    with Wallet.open(wallets["teacher"]) as wallet:
        (stored,) = wallet.store.list_credentials()
        set_public(wallet.store, [stored.id], True)
        report = write_portfolio(
            wallet, tmp_path / "site", locale=Locale("en", "en"), verifier_url=teacher_url + "/"
        )
    assert report.badges == 1
    context = browser.new_context(locale="en-US", timezone_id="America/Chicago")
    try:
        page = context.new_page()
        page.goto(report.index.as_uri())
        check(page, shots, "portfolio-index")
        with page.expect_navigation():
            page.get_by_role("link", name="Formative Assessment in Practice").click()
        check(page, shots, "portfolio-badge")
        baked = Path(page.url.removeprefix("file://")).parent / "badge.png"
        assert b"openbadgecredential" in baked.read_bytes()
        # The Verify button opens the verifier page, which verifies the badge in the fragment.
        with page.expect_navigation(url=re.compile(re.escape(teacher_url) + "/$")):
            page.get_by_role("button", name="Verify this badge").click()
        page.wait_for_selector("#verdict")
        assert page.locator("#verdict").inner_text() == "Verified"
        assert (
            page.locator("#verdict-sentence")
            .inner_text()
            .startswith("Issued by Lakeshore Unified School District on")
        )
    finally:
        context.close()


def test_the_issuer_previews_issues_finds_and_revokes(
    tab: Any,
    district_url: str,
    wallets: dict[str, Any],
    shots: Path,  # noqa: F811
) -> None:
    log_in(tab, district_url, "/console/roster")
    check(tab, shots, "console-roster")
    tab.get_by_label("Achievement (JSON: name, description, criteria)").set_input_files(
        str(wallets["root"] / "achievement.json")
    )
    tab.get_by_label("Roster (CSV with name,email and optionally did)").set_input_files(
        str(wallets["root"] / "roster.csv")
    )
    tab.get_by_label("Signature").select_option("eddsa-jcs-2022")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Preview the badges").click()
    bad = tab.locator("tr.row-bad")
    assert bad.count() == 2, "every bad row, not only the first"
    assert "'ben-at-lakeshore' is not an email address" in bad.nth(0).inner_text()
    assert "the same recipient as line 3" in bad.nth(1).inner_text()
    check(tab, shots, "console-preview")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Sign and issue 3 badges").click()
    tab.locator("#job-status", has_text="Done: 3 issued").wait_for(timeout=30_000)
    assert tab.locator("#job-progress").evaluate("p => [p.value, p.max]") == [3, 3]
    check(tab, shots, "console-issued")
    # Find Ben by his email address (the badge holds only its salted hash).
    tab.goto(district_url + "/console/")
    tab.get_by_label("Find a badge by the recipient's name, email address, or the badge's id").fill(
        "ben@lakeshore.example"
    )
    with tab.expect_navigation():
        tab.get_by_role("button", name="Search").click()
    rows = tab.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "Ben Okafor" in rows.first.inner_text()
    check(tab, shots, "console-search")
    with tab.expect_navigation():
        rows.first.get_by_role("link").click()
    with tab.expect_navigation():
        tab.get_by_role("link", name="Revoke…").click()
    question = tab.locator(".confirm-what").inner_text()
    assert question.startswith("“Formative Assessment in Practice” of Ben Okafor, issued ")
    check(tab, shots, "console-confirm")
    tab.get_by_label("Why (kept in this wallet, not published)").fill("issued in error")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Revoke the badge of Ben Okafor").click()
    assert "Revoked." in tab.get_by_role("status").inner_text()
    assert "revoked (issued in error)" in tab.locator(".facts").inner_text()


def test_a_form_from_another_site_is_refused(tab: Any, district_url: str) -> None:
    from wallet.webauth import Gate

    gate = Gate(secret=b"x" * 32, loopback=True)
    session = gate.open_session(None, "passphrase")
    cookie = gate.cookie_value(session)
    port = district_url.rsplit(":", 1)[1]
    headers = {"Cookie": f"laurel_wallet={cookie}", "Origin": "https://evil.example"}
    token = gate.csrf_token(session, "revoke")
    target = "abcd1234"  # refused before any badge is looked up
    response = tab.request.post(
        f"http://127.0.0.1:{port}/console/badges/{target}/revoke",
        form={"form": "revoke", "csrf": token},
        headers=headers,
    )
    assert response.status == 403
    assert "another site" in response.text()
    forged = tab.request.post(
        f"http://127.0.0.1:{port}/console/badges/{target}/revoke",
        form={"form": "revoke", "csrf": "0" * 64},
        headers={"Cookie": f"laurel_wallet={cookie}"},
    )
    assert forged.status == 403
    assert "token" in forged.text()


def test_the_console_on_a_phone(
    browser: Any,  # noqa: F811
    district_url: str,
    shots: Path,  # noqa: F811
) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    try:
        page = context.new_page()
        log_in(page, district_url, "/console/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        check(page, shots, "console-phone")
    finally:
        context.close()
