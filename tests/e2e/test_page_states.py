"""Every state of the verification page in a real headless browser, checked with axe-core.

Each state (verified; not verified because forged, revoked, suspended, expired, from
an unknown issuer; could not be verified; unreadable input; a replayed answer) is
opened as a reader would, its verdict read, its focus and live region checked, and
axe-core (WCAG 2.2 A and AA rules) run on it: 0 violations. A screenshot of each is
written to $LAUREL_SCREENSHOTS (default: a temporary folder) for people to look at.

Status lists are signed by the fixture issuer and served by a fake fetch (the
StatusFetch protocol), so nothing leaves the machine.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.builders import HOLDER, ISSUER, presentation, sign, unsigned_badge
from tests.e2e.test_browser import PHONE, Tab, chromium
from tests.service_tools import serve_app
from tests.verifier.test_status import FakeHost, signed_list
from vc.did import DidResolver
from vc.status import status_entry
from vc.types import JSONObject
from verifier.app import create_app
from verifier.images import ImageInliner
from verifier.status import StatusChecker
from verifier.trust import TrustRegistry

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 12, 3, 15, 0, tzinfo=dt.UTC)
AXE = (
    Path(__file__).resolve().parents[2]
    / ".tools"
    / "axe"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
REVOCATION = "https://riverside.example/status/revocation/1"
SUSPENSION = "https://riverside.example/status/suspension/1"
RUBRIC = {
    "id": "urn:uuid:2b1f0c52-2f43-4a49-9d4e-8f9f1d0c7a10",
    "type": ["ResultDescription"],
    "name": "District formative assessment rubric",
    "resultType": "RubricCriterionLevel",
    "rubricCriterionLevel": [
        {"id": "urn:uuid:level-1", "type": ["RubricCriterionLevel"], "name": "developing"},
        {
            "id": "urn:uuid:level-2",
            "type": ["RubricCriterionLevel"],
            "name": "proficient",
            "description": "Adjusts instruction from exit-ticket evidence in most lessons.",
        },
        {"id": "urn:uuid:level-3", "type": ["RubricCriterionLevel"], "name": "distinguished"},
    ],
}


def teacher_badge(index: int, **options: str) -> JSONObject:
    """A badge with a rubric level, evidence, an alignment and both status entries."""
    doc = unsigned_badge(**options)
    achievement = doc["credentialSubject"]["achievement"]
    achievement["resultDescription"] = [copy.deepcopy(RUBRIC)]
    achievement["alignment"] = [
        {
            "type": ["Alignment"],
            "targetName": "InTASC Standard 6: Assessment",
            "targetUrl": "https://ccsso.example/intasc/standard-6",
            "targetFramework": "InTASC",
            "targetCode": "6",
        }
    ]
    doc["credentialSubject"]["result"] = [
        {"type": ["Result"], "resultDescription": RUBRIC["id"], "achievedLevel": "urn:uuid:level-2"}
    ]
    doc["evidence"] = [
        {
            "id": "https://portfolio.example/ana/unit-3",
            "type": ["Evidence"],
            "name": "Unit 3 lesson plans",
            "narrative": "Three annotated lesson plans with student work samples.",
        }
    ]
    doc["credentialStatus"] = [
        status_entry(list_url=REVOCATION, index=index, purpose="revocation"),
        status_entry(list_url=SUSPENSION, index=index, purpose="suspension"),
    ]
    return doc


GOOD, REVOKED, SUSPENDED = 1001, 2002, 3003


def forged() -> JSONObject:
    """The demo's forgery: the rubric level and the title edited after signing."""
    doc = sign(teacher_badge(GOOD))
    doc["credentialSubject"]["result"][0]["achievedLevel"] = "urn:uuid:level-3"
    doc["credentialSubject"]["achievement"]["name"] = "Restorative Practices — District Leader"
    return doc


STATES: dict[str, Any] = {
    "verified": lambda: sign(teacher_badge(GOOD)),
    "forged": forged,
    "revoked": lambda: sign(teacher_badge(REVOKED)),
    "suspended": lambda: sign(teacher_badge(SUSPENDED)),
    "expired": lambda: sign(teacher_badge(GOOD, valid_until="2026-06-30T00:00:00Z")),
}


def make_app(host: FakeHost, *, registry: TrustRegistry | None = None) -> Any:
    app = create_app(
        resolver=DidResolver(),
        status_checker=StatusChecker(host, DidResolver()),
        clock=lambda: NOW,
        trust=registry,
    )
    app.extensions["laurel.images"] = ImageInliner(None)  # no badge image is fetched here
    return app


def lists_host() -> FakeHost:
    host = FakeHost()
    host.lists[REVOCATION] = signed_list(
        url=REVOCATION, set_bits={REVOKED: 1}, valid_from="2026-12-02T09:30:00Z"
    )
    host.lists[SUSPENSION] = signed_list(
        url=SUSPENSION,
        purpose="suspension",
        set_bits={SUSPENDED: 1},
        valid_from="2026-12-02T09:30:00Z",
    )
    return host


def serve(app: Any) -> Iterator[str]:
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    yield from serve(make_app(lists_host()))


@pytest.fixture(scope="module")
def registry_url() -> Iterator[str]:
    """A verifier whose registry of recognized issuers does not list the badges' issuer."""
    registry = TrustRegistry.from_text("did,name\ndid:web:lakeshore.example,Lakeshore USD\n", "csv")
    yield from serve(make_app(lists_host(), registry=registry))


@pytest.fixture(scope="module")
def trusting_url() -> Iterator[str]:
    """A verifier that recognizes the badges' issuer under its own name for it."""
    registry = TrustRegistry.from_text(f"did,name\n{ISSUER.did},Riverside USD (HR list)\n", "csv")
    yield from serve(make_app(lists_host(), registry=registry))


@pytest.fixture(scope="module")
def offline_url() -> Iterator[str]:
    """A verifier that cannot reach the issuer's status lists."""
    yield from serve(make_app(FakeHost()))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/axe (installs axe-core from tools/axe)")
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("LAUREL_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_tab(browser: Any, base_url: str, **options: Any) -> tuple[Any, Tab]:
    options.setdefault("timezone_id", "America/Chicago")
    options.setdefault("locale", "en-US")
    context = browser.new_context(**options)
    return context, Tab(context.new_page(), base_url)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of the WCAG 2.2 A/AA rules on the page as it is now."""
    # Evaluated through the DevTools protocol: the page's CSP (script-src 'self') is untouched.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [(n["target"], n["failureSummary"]) for n in v["nodes"]],
        }
        for v in result["violations"]
    ]


def verify_in(tab: Tab, document: Any, *, lang: str | None = None) -> None:
    tab.page.goto(tab.base_url + "/" + (f"?lang={lang}" if lang else ""))
    tab.page.locator("#document").fill(json.dumps(document))
    with tab.page.expect_navigation():
        tab.page.locator("button.verify").click()
    tab.page.wait_for_selector("#announce:not(:empty)", state="attached")


def check_state(tab: Tab, shots: Path, name: str) -> dict[str, str]:
    """The verdict as shown; asserts focus, the live region and 0 axe violations; a screenshot."""
    page = tab.page
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused in ("verdict", "error-title"), "focus moves to the verdict"
    announced = page.locator("#announce").inner_text()
    violations = axe_violations(page)
    assert violations == [], f"{name}: axe-core found {json.dumps(violations, indent=1)}"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert tab.errors == [], f"{name}: the browser reported {tab.errors}"
    assert tab.dialogs == []
    found = {"announced": announced, "focused": focused}
    if focused == "verdict":
        found["title"] = page.locator("#verdict").inner_text()
        found["sentence"] = page.locator("#verdict-sentence").inner_text()
        found["tone"] = page.locator(".result > .verdict").get_attribute("class") or ""
    return found


EXPECTED = {
    "verified": ("Verified", "Issued by Riverside School District on Dec 31, 2025."),
    "forged": ("Not verified", "Altered after it was issued: the signature does not match."),
    # As of the day the issuer signed the list (09:30 UTC is 03:30 in Chicago).
    "revoked": ("Not verified", "Revoked by Riverside School District (as of Dec 2, 2026)."),
    "suspended": (
        "Not verified",
        "Suspended by Riverside School District (as of Dec 2, 2026); it may be reinstated.",
    ),
    "expired": ("Not verified", "Expired on Jun 29, 2026."),
}


@pytest.mark.parametrize("state", list(STATES))
def test_each_state_reads_in_words_and_passes_axe(
    browser: Any, base_url: str, shots: Path, state: str
) -> None:
    context, tab = open_tab(browser, base_url)
    try:
        verify_in(tab, STATES[state]())
        found = check_state(tab, shots, state)
        title, sentence = EXPECTED[state]
        assert (found["title"], found["sentence"].replace("\u202f", " ")) == (title, sentence)
        assert found["announced"].startswith(f"{title}. ")
        if state == "verified":
            assert "verdict-verified" in found["tone"]
            page = tab.page
            assert page.get_by_role("heading", name="Formative Assessment in Practice").is_visible()
            assert page.locator(".level").inner_text() == "proficient"
            assert page.get_by_role("link", name="Unit 3 lesson plans").is_visible()
            assert page.get_by_role("link", name="InTASC Standard 6: Assessment").is_visible()
            notes = page.locator(".verdict-notes").inner_text()
            assert "Not revoked: checked with the issuer's list just now." in notes
        else:
            assert "verdict-failed" in found["tone"]
            assert tab.page.locator(".card-dimmed.card-unverified").is_visible()
    finally:
        context.close()


def test_the_forged_title_is_never_a_heading(browser: Any, base_url: str) -> None:
    context, tab = open_tab(browser, base_url)
    try:
        verify_in(tab, forged())
        page = tab.page
        claimed = page.get_by_text("Restorative Practices — District Leader")
        assert claimed.is_visible()
        assert (
            page.get_by_role("heading", name="Restorative Practices — District Leader").count() == 0
        )
        assert page.get_by_role("heading", name="Unverified: what the document claims").is_visible()
        assert claimed.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
        assert page.locator(".card-unverified .level").inner_text() == "distinguished"
    finally:
        context.close()


def test_an_issuer_not_in_the_registry(browser: Any, registry_url: str, shots: Path) -> None:
    context, tab = open_tab(browser, registry_url)
    try:
        verify_in(tab, sign(teacher_badge(GOOD)))
        found = check_state(tab, shots, "unknown-issuer")
        assert found["title"] == "Not verified"
        assert found["sentence"] == "Issued by an organization you have not listed as trusted."
    finally:
        context.close()


def test_a_recognized_issuer_is_named_by_the_registry(browser: Any, trusting_url: str) -> None:
    context, tab = open_tab(browser, trusting_url)
    try:
        verify_in(tab, sign(teacher_badge(GOOD)))
        assert (
            tab.page.locator("#verdict-sentence")
            .inner_text()
            .startswith("Issued by Riverside USD (HR list) on")
        )
        assert (
            "is in your list of trusted issuers" in tab.page.locator(".verdict-notes").inner_text()
        )
        assert tab.page.locator(".issued-by").inner_text() == "Issued by Riverside USD (HR list)"
    finally:
        context.close()


def test_status_that_cannot_be_reached(browser: Any, offline_url: str, shots: Path) -> None:
    context, tab = open_tab(browser, offline_url)
    try:
        verify_in(tab, sign(teacher_badge(GOOD)))
        found = check_state(tab, shots, "status-unreachable")
        assert found["title"] == "Could not be verified"
        assert "verdict-unknown" in found["tone"]
        assert tab.page.locator(".card-unconfirmed").is_visible()
        assert found["sentence"] == (
            "Could not confirm it is not revoked: the issuer's status list could not be reached."
        )
    finally:
        context.close()


def test_unreadable_input(browser: Any, base_url: str, shots: Path) -> None:
    context, tab = open_tab(browser, base_url)
    try:
        tab.page.goto(base_url + "/")
        tab.page.locator("#document").fill('{"a": 1, "a": 2}')
        with tab.page.expect_navigation():
            tab.page.locator("button.verify").click()
        tab.page.wait_for_selector("#announce:not(:empty)", state="attached")
        tab.errors = [e for e in tab.errors if "400" not in e]  # Chromium logs the 400 load
        found = check_state(tab, shots, "unreadable")
        assert found["focused"] == "error-title"
        assert found["announced"].startswith("Cannot verify this input. This is not a readable")
    finally:
        context.close()


def test_a_replayed_answer_has_no_green_under_the_red(
    browser: Any, base_url: str, shots: Path
) -> None:
    context, tab = open_tab(browser, base_url)
    try:
        page = tab.page
        page.goto(base_url + "/request")
        challenge = page.locator("#challenge").inner_text()
        domain = page.locator("#domain").inner_text()
        answer = presentation([sign(teacher_badge(GOOD))], challenge=challenge, domain=domain)
        for attempt in ("first", "replay"):
            page.locator("#document").fill(json.dumps(answer))
            with page.expect_navigation():
                page.locator("button.verify").click()
            page.wait_for_selector("#announce:not(:empty)", state="attached")
            if attempt == "first":
                assert page.locator("#verdict").inner_text() == "Verified"
        found = check_state(tab, shots, "replayed-answer")
        assert found["title"] == "Not verified"
        assert found["sentence"] == "This answer was already used once: this is a copy of it."
        assert page.locator(".verdict-verified").count() == 0, "no green banner anywhere"
        assert page.locator("#credential-1").inner_text() == "Not accepted"
        assert page.locator(".card-unconfirmed").count() == 1, "its badge: dimmed, not struck"
    finally:
        context.close()


def test_a_phone_sized_window(browser: Any, base_url: str, shots: Path) -> None:
    context, tab = open_tab(
        browser, base_url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    try:
        for state in ("verified", "revoked"):
            verify_in(tab, STATES[state]())
            assert tab.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            check_state(tab, shots, f"phone-{state}")
    finally:
        context.close()


def test_spanish_from_the_browser_and_from_a_link(browser: Any, base_url: str, shots: Path) -> None:
    context, tab = open_tab(browser, base_url, locale="es-MX", timezone_id="America/Mexico_City")
    try:
        verify_in(tab, STATES["revoked"]())
        found = check_state(tab, shots, "spanish-revoked")
        assert tab.page.evaluate("document.documentElement.lang") == "es"
        assert found["title"] == "No verificada"
        assert found["sentence"].startswith("Revocada por Riverside School District")
        verify_in(tab, STATES["verified"]())
        found = check_state(tab, shots, "spanish-verified")
        assert found["title"] == "Verificada"
    finally:
        context.close()
    context, tab = open_tab(browser, base_url)  # an English browser, Spanish by choice
    try:
        verify_in(tab, STATES["expired"](), lang="es")
        assert tab.page.locator("#verdict").inner_text() == "No verificada"
        assert tab.page.locator("#verdict-sentence").inner_text().startswith("Caducó el")
    finally:
        context.close()


def test_dates_follow_the_readers_time_zone(browser: Any, base_url: str) -> None:
    """validUntil 2026-06-30T00:00Z is the 29th in Chicago and the 30th in Tokyo."""
    for zone, day in (("America/Chicago", "Jun 29, 2026"), ("Asia/Tokyo", "Jun 30, 2026")):
        context, tab = open_tab(browser, base_url, timezone_id=zone)
        try:
            verify_in(tab, STATES["expired"]())
            assert tab.page.locator("#verdict-sentence").inner_text() == f"Expired on {day}."
        finally:
            context.close()


def test_the_holder_is_named_in_a_presentation(browser: Any, base_url: str) -> None:
    context, tab = open_tab(browser, base_url)
    try:
        verify_in(tab, presentation([sign(teacher_badge(GOOD))], challenge=None, domain=None))
        assert tab.page.locator("#verdict").inner_text() == "Verified"
        assert tab.page.get_by_text(HOLDER.did).first.is_visible()
        assert axe_violations(tab.page) == []
    finally:
        context.close()
