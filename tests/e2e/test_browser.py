"""The verification page in a real headless browser (Debian's chromium driven by playwright).

The app runs on a real loopback server; nothing leaves the machine. Never skipped:
without /usr/bin/chromium or playwright the tests fail and say to run scripts/browser.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.builders import HOLDER, badge, presentation, sign, unsigned_badge
from tests.service_tools import serve_app
from vc.did import DidResolver
from verifier.app import create_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
PHONE = {"width": 375, "height": 740}
SCRIPT = "<script>alert(1)</script>"


def tampered() -> dict[str, Any]:
    doc = copy.deepcopy(badge())
    doc["credentialSubject"]["achievement"]["name"] = "Something Else Entirely"
    return doc


def xss_badge() -> dict[str, Any]:
    """SECURITY.md M11: script in the name, a javascript: image, evidence with a javascript: link."""
    doc = unsigned_badge()
    doc["credentialSubject"]["achievement"].update(
        name=SCRIPT, image={"id": "javascript:alert(1)", "type": "Image"}
    )
    doc["evidence"] = [{"id": "javascript:alert(2)", "type": ["Evidence"], "name": SCRIPT}]
    return sign(doc)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve_app(create_app(resolver=DidResolver(), clock=lambda: NOW)) as url:
        yield url


@contextlib.contextmanager
def chromium(args: list[str] = CHROMIUM_ARGS) -> Iterator[Any]:
    """Debian's Chromium, headless, through playwright; the test fails where either is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/browser (installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.fail(f"playwright is not installed ({exc}): run scripts/browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=args
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


class Tab:
    """A page plus everything it reported: dialogs, console errors, page errors."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _on_console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")

    def open(self) -> None:
        self.page.goto(self.base_url + "/")
        assert self.page.title().startswith("Verify an Open Badge")

    def submit(self) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Verify").click()

    def verify(self, document: Any) -> str:
        """Paste `document` into the form, press Verify, return the verdict."""
        self.open()
        self.page.get_by_label("Badge or presentation (JSON)").fill(json.dumps(document))
        self.submit()
        verdict: str = self.page.locator("#verdict").inner_text()
        return verdict


@pytest.fixture
def tab(browser: Any, base_url: str) -> Iterator[Tab]:
    context = browser.new_context()
    try:
        tab = Tab(context.new_page(), base_url)
        yield tab
        assert tab.dialogs == [], "a dialog fired"
        assert tab.errors == [], "the browser reported errors (CSP, script, console)"
    finally:
        context.close()


def test_valid_badge_is_verified(tab: Tab) -> None:
    assert tab.verify(badge()) == "Verified"
    assert tab.page.get_by_role("heading", name="Formative Assessment in Practice").is_visible()
    assert tab.page.locator(".issued-by").inner_text() == "Issued by Riverside School District"
    assert tab.page.locator(".verdict-verified").is_visible()


def test_tampered_badge_is_not_verified(tab: Tab) -> None:
    assert tab.verify(tampered()) == "Not verified"
    failed = tab.page.locator("tr.row-failed code", has_text="proof.signature_invalid")
    assert failed.is_visible()
    assert tab.page.locator(".verdict-failed").is_visible()


def test_presentation_shows_embedded_cards(tab: Tab) -> None:
    assert tab.verify(presentation([badge()], challenge=None, domain=None)) == "Verified"
    assert tab.page.locator("#credential-1").inner_text() == "Verified"
    assert tab.page.get_by_text(HOLDER.did).first.is_visible()


def test_script_in_a_badge_never_runs(tab: Tab) -> None:
    tab.verify(xss_badge())
    tab.page.wait_for_load_state("load")
    assert tab.page.get_by_role("heading", name=SCRIPT).is_visible(), "shown as text"
    assert tab.page.locator("img").count() == 0
    hrefs = tab.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    tab.page.get_by_text(SCRIPT).first.click()  # nothing to activate either
    # The tab fixture asserts that no dialog fired and nothing was blocked or failed.


def test_file_chosen_is_read_into_the_text_box(tab: Tab, tmp_path: Path) -> None:
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(badge()), encoding="utf-8")
    tab.open()
    tab.page.get_by_label("Or choose a file").set_input_files(str(path))
    textarea = tab.page.get_by_label("Badge or presentation (JSON)")
    textarea.and_(tab.page.locator("textarea:focus")).wait_for()
    assert json.loads(textarea.input_value()) == badge()
    tab.submit()
    assert tab.page.locator("#verdict").inner_text() == "Verified"


def test_file_upload_works_without_javascript(browser: Any, base_url: str, tmp_path: Path) -> None:
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(tampered()), encoding="utf-8")
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = Tab(context.new_page(), base_url)
        tab.open()
        tab.page.get_by_label("Or choose a file").set_input_files(str(path))
        tab.submit()
        assert tab.page.locator("#verdict").inner_text() == "Not verified"
        assert tab.page.get_by_text("proof.signature_invalid").is_visible()
        assert tab.errors == []
    finally:
        context.close()


def test_unreadable_input_shows_an_error(tab: Tab) -> None:
    tab.open()
    tab.page.get_by_label("Badge or presentation (JSON)").fill("this is not JSON")
    with tab.page.expect_navigation() as navigation:
        tab.page.get_by_role("button", name="Verify").click()
    assert navigation.value.status == 400
    assert "not valid JSON" in tab.page.get_by_role("alert").inner_text()
    # Chromium logs a failed (4xx) document load to the console; it is expected here.
    tab.errors = [e for e in tab.errors if "400" not in e]


def test_phone_width_has_no_horizontal_scroll(browser: Any, base_url: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    try:
        tab = Tab(context.new_page(), base_url)
        tab.open()
        assert tab.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        vp = presentation([badge(), tampered()], challenge=None, domain=None)
        assert tab.verify(vp) == "Not verified"
        assert tab.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot = tmp_path / "page-375.png"
        tab.page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert tab.dialogs == []
        assert tab.errors == []
    finally:
        context.close()


# --- Request a badge: answered with the real `laurel` CLI -----------------------------------


class _Recorder:
    """WSGI middleware: every path and query the server received (a fragment never is)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.seen.append(
            f"{environ['REQUEST_METHOD']} {environ.get('RAW_URI') or environ['PATH_INFO']}"
        )
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[str, _Recorder]]:
    """The verifier on the real clock, as `laurel serve` runs it: the CLI signs with now."""
    recorder = _Recorder(create_app(resolver=DidResolver()))
    with serve_app(recorder) as url:
        yield url, recorder


@pytest.fixture(scope="module")
def teacher(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from tests.wallet.conftest import ACHIEVEMENT, PASSPHRASE
    from wallet.home import Wallet
    from wallet.issuer import IssueOptions, issue_badge, load_achievement
    from wallet.keystore import KdfParams

    root = tmp_path_factory.mktemp("wallets")
    district = Wallet.create(
        root / "district", name="Riverside", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()
    )
    teacher = Wallet.create(
        root / "teacher", name="Ana", passphrase=PASSPHRASE, kdf=KdfParams.for_tests()
    )
    offline = {k: v for k, v in ACHIEVEMENT.items() if k != "image"}  # nothing to fetch
    stored = issue_badge(
        district,
        PASSPHRASE,
        load_achievement(json.dumps(offline).encode()),
        teacher.identity.did,
        IssueOptions(),
    )
    teacher.store.add_credential(stored.document, origin="imported", text=stored.text)
    district.close()
    teacher.close()
    return root / "teacher", stored.id


def laurel(*args: str) -> Any:
    """The `laurel` command, in process (click's runner), with the teacher's passphrase."""
    from click.testing import CliRunner

    from cli import cli
    from tests.wallet.conftest import PASSPHRASE

    result = CliRunner().invoke(cli, list(args), env={"LAUREL_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def live_tab(browser: Any, live: tuple[str, _Recorder]) -> Iterator[Tab]:
    context = browser.new_context()
    try:
        tab = Tab(context.new_page(), live[0])
        yield tab
        assert tab.dialogs == [], "a dialog fired"
        assert tab.errors == [], "the browser reported errors (CSP, script, console)"
    finally:
        context.close()


def open_request(tab: Tab) -> str:
    """Press "Request a badge" on the verify page; the request's page URL."""
    tab.open()
    tab.page.get_by_role("link", name="Request a badge").click()
    tab.page.wait_for_url(re.compile(r"/request/laurel_[A-Za-z0-9_-]{22}$"))
    assert tab.page.title().startswith("Request a badge")
    url: str = tab.page.url
    return url


def test_request_a_badge_answer_with_the_cli_then_replay(
    live_tab: Tab, teacher: tuple[Path, str], tmp_path: Path
) -> None:
    home, credential_id = teacher
    page = live_tab.page
    url = open_request(live_tab)
    challenge = page.locator("#challenge").inner_text()
    assert url.endswith("/request/" + challenge)
    assert page.locator("#domain").inner_text() == live_tab.base_url.removeprefix("http://")
    assert page.locator("#expires").inner_text().endswith(" UTC")
    qr = page.locator("img.request-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR image loaded"
    # The holder photographs the QR code on the screen and answers it.
    shot = tmp_path / "request-on-screen.png"
    qr.screenshot(path=str(shot))
    payload = page.locator("#request-text").input_value()
    command = shlex.split(page.locator("#command").inner_text())
    assert command == ["laurel", "present", "ID", "--request", payload]
    vp, vp_qr = tmp_path / "vp.json", tmp_path / "vp.png"
    made = laurel(
        "present", "--home", str(home), credential_id, "--request", str(shot),
        "--out", str(vp), "--qr", str(vp_qr),
    )  # fmt: skip
    assert f"(challenge {challenge}," in made.stderr
    page.get_by_label("Presentation (JSON or QR payload)").fill(vp.read_text())
    live_tab.submit()
    assert page.locator("#verdict").inner_text() == "Verified"
    assert page.locator("tr.row-passed code", has_text="presentation.challenge").first.is_visible()
    assert page.locator("#request-state").is_visible(), "answered"
    # The same presentation again, as the picture of its QR code: refused by name.
    page.get_by_label("Or choose its file").set_input_files(str(vp_qr))
    live_tab.submit()
    assert page.locator("#verdict").inner_text() == "Not verified"
    refused = page.locator("tr.row-failed code", has_text="presentation.challenge_reused")
    assert refused.is_visible()


def test_a_link_opens_the_page_which_verifies_the_fragment(
    live_tab: Tab, live: tuple[str, _Recorder], teacher: tuple[Path, str]
) -> None:
    home, credential_id = teacher
    page = live_tab.page
    url = open_request(live_tab)
    payload = page.locator("#request-text").input_value()
    link_base = shlex.split(page.locator("#link-command").inner_text())[6]
    assert link_base == url
    link = laurel(
        "present", "--home", str(home), credential_id, "--request", payload, "--link", link_base
    ).stdout.strip()
    assert link.startswith(url + "#LV2:")
    page.goto("about:blank")  # the link opens the page afresh, as a phone's camera does
    with page.expect_navigation(url=url):  # the page's script posts the fragment
        page.goto(link)
    page.wait_for_load_state("load")
    assert page.locator("#verdict").inner_text() == "Verified"
    assert "#" not in page.url
    # Without a request, the verify page reads a link just the same.
    plain = laurel("present", "--home", str(home), credential_id, "--link", live_tab.base_url + "/")
    with page.expect_navigation(url=live_tab.base_url + "/"):
        page.goto(plain.stdout.strip())
    page.wait_for_load_state("load")
    assert page.locator("#verdict").inner_text() == "Verified"
    # The server saw the payloads only in the posted forms, never in a URL.
    assert not [line for line in live[1].seen if "LV2" in line]
