"""The report of a real run, rendered by headless Chromium (Debian's chromium, driven by
Playwright without its own browser download): every alert rule and dashboard panel of the stack
is on the page, every in-page link leads somewhere, nothing is loaded from anywhere, and the
page fits a laptop's width. A screenshot is kept in reports/runs/browser/."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from fixtures.model.stack import Stack
from tests.layout import ROOT

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LAPTOP = {"width": 1366, "height": 768}
ARTIFACTS = ROOT / "reports" / "runs" / "browser"

BROKEN_LINKS = """() => [...document.querySelectorAll('a[href^="#"]')]
    .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))"""


@pytest.fixture
def page(tmp_path):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/bootstrap installs Debian's chromium", pytrace=False)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=FLAGS, viewport=LAPTOP)
        try:
            yield context.new_page()
        finally:
            context.close()


def test_the_report_of_a_real_run_renders_whole_in_chromium(planted_run, page):
    report = planted_run.report_dir / "report.html"
    assert report.is_file(), planted_run.run.stdout[-3000:]
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    began = time.monotonic()
    page.goto(report.as_uri(), wait_until="load")
    render_s = time.monotonic() - began

    stack = Stack.load(planted_run.stack)
    matrix = page.locator("#alerts").inner_text()
    missing_rules = [rule.name for rule in stack.alert_rules if rule.name not in matrix]
    assert stack.alert_rules and not missing_rules, f"alert rules not in the alert matrix: {missing_rules}"
    panels = page.locator("#dashboards").inner_text()
    missing_panels = [p.id for d in stack.dashboards for p in d.panels if p.id not in panels]
    assert not missing_panels, f"panels not in the dashboards section: {missing_panels}"
    assert page.locator("#regression").is_visible(), "the previous run was given: the regression view is missing"

    assert page.evaluate(BROKEN_LINKS) == [], "in-page links without a target"
    link = page.locator("#alerts a.cell").first
    target = link.get_attribute("href")
    link.click()
    assert page.evaluate("location.hash") == target
    assert page.locator(target).is_visible() and page.evaluate(
        f"document.getElementById('{target[1:]}').getBoundingClientRect().top") < LAPTOP["height"], \
        f"following {target} does not bring its check into view"

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= LAPTOP["width"], f"the page is {width}px wide at a {LAPTOP['width']}px window: it scrolls sideways"
    assert [url for url in requests if not url.startswith("file://")] == [], "the report loads something from outside"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(report.as_uri())
    page.screenshot(path=ARTIFACTS / "report-1366.png")
    page.screenshot(path=ARTIFACTS / "report-1366-full.png", full_page=True)
    print(f"rendered {report.stat().st_size} bytes in {render_s:.2f}s; screenshots in {ARTIFACTS}")
