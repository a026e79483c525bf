"""The web app in a real browser: Chromium (the Debian binary) driven by Playwright.

One server (loopback, free port, a decision log in a temporary directory) and one browser serve the
module. Every request the pages make is recorded; any that is not for the loopback server is aborted
and fails the test. Console errors and uncaught page errors fail the test too. Skips without
/usr/bin/chromium or Playwright, as the memo browser tests do (CI installs Chromium: .ci/run).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from webhelpers import ROOT, Server
from test_report_browser import assert_not_blank

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api")

KANALENEILAND = ROOT / "cases" / "kanaleneiland-2016.yaml"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-extensions"]


class Watch:
    """What a page did: requests (non-loopback ones aborted), console errors, page errors, dialogs."""

    def __init__(self):
        self.requests: list[str] = []
        self.external: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def route(self, route):
        url = route.request.url
        self.requests.append(url)
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def attach(self, page):
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web-browser")
    srv = Server(tmp, "--log", str(tmp / "decisions.sqlite"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path_factory.mktemp("profile"))
    watch = Watch()
    with playwright_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=ARGS, accept_downloads=True,
            viewport={"width": 1280, "height": 1600}, locale="nl-NL")
        context.route("**/*", watch.route)
        context.watch = watch
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context, server):
    watch = browser_context.watch
    pg = browser_context.new_page()
    watch.attach(pg)
    start = len(watch.errors), len(watch.external), len(watch.requests)
    yield pg
    pg.close()
    assert watch.errors[start[0]:] == [], "console or page errors"
    assert watch.external[start[1]:] == [], "a request left the machine"
    assert watch.dialogs == []
    assert len(watch.requests) > start[2], "the watch saw no request at all"


def verdict_of(page, component: str) -> str:
    return page.locator(f'#verdicts [data-component="{component}"]').get_attribute("data-verdict")


def test_sample_loads_with_the_memo(page, server, tmp_path):
    page.goto(server.base + "/")
    page.click("#sample-kanaleneiland-2016")
    page.wait_for_selector("#memo")
    assert "Kanaleneiland" in page.title()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "niet conform" in page.locator("#plan-status").inner_text()
    assert verdict_of(page, "K3") == "daeb"
    # the memo's citations are links to the dated law text
    hrefs = page.locator("#memo a.cite").evaluate_all("els => els.map(e => e.href)")
    assert hrefs and all(h.startswith("https://wetten.overheid.nl/") for h in hrefs)
    shot = tmp_path / "sample.png"
    page.screenshot(path=str(shot), full_page=False)
    assert_not_blank(shot.read_bytes())
    shutil.copy(shot, server.log_file.parent / "sample.png")  # kept with the server log for a look


def test_editing_a_rent_across_the_liberalisatiegrens_changes_the_verdict(page, server, tmp_path):
    page.goto(server.base + "/sample/kanaleneiland-2016")
    page.click("#edit-form-button")
    rent = page.locator('input[name="components.2.dwelling.rent"]')  # K3, social rent 650.00
    assert rent.input_value() == "650"
    assert page.locator('select[name="components.2.activity"]').input_value() == "build"
    assert "nieuwbouw" in page.locator('select[name="components.2.activity"] option:checked').inner_text()
    rent.fill("750")  # above the liberalisatiegrens of 2016 (EUR 710.68)
    page.click('button[name="action"][value="check"]')
    page.wait_for_selector("#verdicts")
    assert verdict_of(page, "K3") != "daeb"
    assert verdict_of(page, "K1") == "daeb"  # the other components are as before
    shot = tmp_path / "edited.png"
    page.screenshot(path=str(shot))
    assert_not_blank(shot.read_bytes())
    # and back below the limit
    page.click("#edit-form-button")
    page.locator('input[name="components.2.dwelling.rent"]').fill("700")
    page.click('button[name="action"][value="check"]')
    page.wait_for_selector("#verdicts")
    assert verdict_of(page, "K3") == "daeb"


def test_a_form_problem_is_shown_at_its_input(page, server):
    page.goto(server.base + "/sample/kanaleneiland-2016")
    page.click("#edit-form-button")
    page.locator('input[name="components.0.units"]').fill("many")
    page.click('button[name="action"][value="check"]')
    page.wait_for_selector("#problems")
    field = page.locator("label.field.invalid")
    assert field.count() == 1
    assert field.locator('input[name="components.0.units"]').count() == 1
    assert field.locator(".problem").inner_text()


def test_yaml_problems_are_shown_at_their_line(page, server):
    page.goto(server.base + "/")
    text = KANALENEILAND.read_text(encoding="utf-8").replace("    units: 150\n", "    units: 150\n    colour: red\n", 1)
    page.fill("textarea[name=case]", text)
    page.click("form[action='/check'] button[type=submit]")
    page.wait_for_selector("#problems")
    bad = page.locator("ol.listing li.bad")
    assert bad.count() == 1
    line = int(bad.get_attribute("id").split("-")[1])
    assert text.splitlines()[line - 1].strip() == "colour: red"
    assert "colour" in bad.locator(".problem").inner_text()


def test_switching_the_date_and_comparing_two_dates(page, server, tmp_path):
    page.goto(server.base + "/sample/kanaleneiland-2016")
    page.fill("#date-form input[name=at]", "2022-06-01")
    page.click("#date-form button[type=submit]:not([formaction]):not([name])")
    page.wait_for_selector("#memo")
    assert "1 juni 2022" in page.locator("#memo").inner_text()
    page.fill("#date-form input[name=at]", "2016-06-01")
    page.fill("#at2", "2022-06-01")
    page.click("#compare-button")
    table = page.wait_for_selector("#comparison")
    head = page.locator("#comparison thead").inner_text()
    assert "2016-06-01" in head and "2022-06-01" in head
    assert page.locator("#comparison tr.changed").count() >= 1
    assert page.locator("#why").inner_text().strip()
    assert table.is_visible()
    shot = tmp_path / "compare.png"
    page.screenshot(path=str(shot))
    assert_not_blank(shot.read_bytes())


def test_downloading_the_pdf(page, server, tmp_path):
    page.goto(server.base + "/sample/kanaleneiland-2016")
    with page.expect_download(timeout=180_000) as info:
        page.click("#download-pdf")
    download = info.value
    assert download.suggested_filename == "kanaleneiland-2016.nl.pdf"
    target = tmp_path / "memo.pdf"
    download.save_as(str(target))
    data = target.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def test_english_switch(page, server):
    page.goto(server.base + "/")
    page.click("header a.lang")
    page.wait_for_selector("html[lang=en]")
    assert "Start from a sample case" in page.locator("body").inner_text()
    page.click("#sample-kanaleneiland-2016")
    page.wait_for_selector("#memo")
    assert "not compliant" in page.locator("#plan-status").inner_text()
    assert "summary" in page.locator("#memo").inner_text().lower()
    page.click("#edit-form-button")  # a page reached by a post switches with a button that keeps the case
    page.wait_for_selector("html[lang=en] #case-form")
    page.locator('input[name="components.2.dwelling.rent"]').fill("750")
    page.click("#case-form .lang-switch")
    page.wait_for_selector("html[lang=nl] #case-form")
    assert page.locator('input[name="components.2.dwelling.rent"]').input_value() == "750"
    assert "Casus bewerken" in page.locator("h1").inner_text()


XSS_TITLE = '<script>window.__xss = 1</script>"><img src=x onerror="window.__xss = 2">'


def test_xss_probe_renders_as_text(page, server):
    import yaml

    data = yaml.safe_load(KANALENEILAND.read_text(encoding="utf-8"))
    data["title"] = XSS_TITLE
    for comp in data["components"][:3]:
        comp["title"] = XSS_TITLE + comp["id"]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    page.goto(server.base + "/")
    page.fill("textarea[name=case]", text)
    page.click("form[action='/check'] button[type=submit]")
    page.wait_for_selector("#memo")
    assert page.evaluate("window.__xss") is None
    assert page.locator("img").count() == 0
    scripts = page.locator("script").evaluate_all("els => els.map(e => e.src)")
    assert scripts == [server.base + "/static/app.js"]
    body = page.locator("body").inner_text()
    assert XSS_TITLE in body and XSS_TITLE + "K1" in body
    page.click("#edit-form-button")  # the form shows the text as values, not markup
    assert page.locator('input[name="title"]').input_value() == XSS_TITLE
    assert page.evaluate("window.__xss") is None
    page.click('button[name="action"][value="yaml"]')
    assert XSS_TITLE in page.locator("textarea[name=case]").input_value()
    assert page.evaluate("window.__xss") is None


def test_decision_log_pages(page, server):
    page.goto(server.base + "/sample/kanaleneiland-2016")
    page.click("button[name=record]")
    page.wait_for_selector("#recorded")
    page.click("#recorded a")
    rid = page.url.rsplit("/", 1)[1]
    assert rid.isdigit()
    page.goto(server.base + "/log")
    assert page.locator("#log tbody tr").count() >= 1
    page.goto(server.base + f"/log/{rid}/replay")
    assert page.locator("#replay.ok").count() == 1
    page.goto(server.base + "/log/verify")
    assert page.locator("#verify.ok").count() == 1
    page.goto(server.base + f"/log/{rid}/diff?at=2022-06-01")
    assert page.locator("#diff").inner_text().strip()
