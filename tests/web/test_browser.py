"""The pages in a real browser: Debian's headless Chromium (Playwright) against `quotetrail serve`.

Without Chromium (or the playwright package) these tests skip, saying why; with
QUOTETRAIL_REQUIRE_BROWSER=1 (CI) they fail instead. Playwright never downloads a browser here:
it drives /usr/bin/chromium (or $QUOTETRAIL_CHROMIUM).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from webtools import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REQUIRE_BROWSER,
    browser_missing,
    seed_database,
    serve,
)

from apitools import POWER_LINE, WAR_CRIMES, Server, stop_server  # isort: skip

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, launched once for the module."""
    missing = browser_missing()
    if missing is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"{missing} (QUOTETRAIL_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _server(folder: Path, *, primary: bool) -> Iterator[Server]:
    url = f"sqlite:///{folder / 'browser.db'}"
    seed_database(url, primary=primary)
    server = serve(url, folder)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def site(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real server (uvicorn) over a temporary SQLite database holding the seeds."""
    yield from _server(tmp_path_factory.mktemp("browser"), primary=False)


@pytest.fixture(scope="module")
def site_with_primary(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The same, plus the OHCHR statement in which Zeid said the war-crimes words."""
    yield from _server(tmp_path_factory.mktemp("browser-primary"), primary=True)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; any dialog (alert) it opens fails the test."""
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        yield page
    finally:
        context.close()
    assert not dialogs, f"the page opened a dialog: {dialogs}"


def search(page: Any, site: Server, words: str) -> None:
    page.goto(f"{site.base_url}/")
    page.get_by_label("Paste a quote").fill(words)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=*")


def test_search_power_line_shows_samantha_power_with_three_appearances(
    page: Any, site: Server
) -> None:
    search(page, site, POWER_LINE)
    first = page.locator(".quote-item").first
    assert "Samantha Power" in first.locator(".speaker").inner_text()
    assert first.locator(".count").inner_text() == "3 appearances"
    assert first.locator(".badge").inner_text().lower() == "consistent"
    first.locator(".quote-text").click()
    page.wait_for_url("**/quotes/*")
    assert page.locator("li.appearance").count() == 3
    assert "Samantha Power" in page.locator(".byline").inner_text()
    # The speaker's page is a click away and lists the quote.
    page.locator(".byline .speaker").click()
    page.wait_for_url("**/speakers/*")
    assert page.locator("h1").inner_text() == "Samantha Power"
    assert page.locator(".quote-item").count() >= 1


def test_war_crimes_quote_credited_to_erdogan_warns_and_names_zeid(page: Any, site: Server) -> None:
    search(page, site, WAR_CRIMES)
    page.locator(".quote-item .quote-text").first.click()
    page.wait_for_url("**/quotes/*")
    assert "Erdogan" in page.locator(".byline").inner_text()
    warning = page.locator("section.warning")
    assert warning.is_visible()
    text = warning.inner_text()
    assert "Zeid" in text and "Erdogan" in text
    assert page.locator(".byline .badge").inner_text().lower() in ("uncertain", "disputed")


def test_the_conflicts_page_links_to_the_quote(page: Any, site: Server) -> None:
    page.goto(f"{site.base_url}/")
    page.get_by_role("link", name="Conflicts").first.click()
    page.wait_for_url("**/conflicts")
    conflict = page.locator("li.conflict", has_text="international law")
    assert "Zeid" in conflict.inner_text()
    conflict.locator(".quote-text").click()
    assert page.locator("section.warning").is_visible()


def test_with_the_primary_source_the_erdogan_credit_is_a_misattribution(
    page: Any, site_with_primary: Server
) -> None:
    search(page, site_with_primary, WAR_CRIMES)
    page.locator(".quote-item .quote-text").first.click()
    page.wait_for_url("**/quotes/*")
    assert "Zeid" in page.locator(".byline").inner_text()
    warning = page.locator("section.warning")
    # The quote is disputed; the news appearance crediting Erdogan is the misattribution.
    assert "Erdogan" in warning.locator(".summary").inner_text()
    dissent = warning.locator(".dissent li", has_text="Erdogan")
    assert dissent.locator(".badge").inner_text().lower() == "misattributed"
    assert page.locator(".tag", has_text="primary source").count() >= 1


def test_a_script_query_shows_as_text(page: Any, site: Server) -> None:
    query = "<script>window.__xss = 1; alert('xss')</script> shame"
    response = page.goto(f"{site.base_url}/search?q={quote(query)}")
    assert response is not None and response.ok
    assert page.locator("script").count() == 0  # nothing became an element
    assert page.evaluate("window.__xss") is None
    assert page.locator("#q").input_value() == query
    assert "<script>window.__xss" in page.locator(".searched").inner_text()


def test_search_works_without_javascript_and_pages_carry_the_policy(
    browser: Any, site: Server
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        response = page.goto(f"{site.base_url}/")
        assert response is not None
        headers = response.headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        page.get_by_label("Paste a quote").fill(POWER_LINE)
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/search?q=*")
        assert "Samantha Power" in page.locator(".quote-item").first.inner_text()
    finally:
        context.close()


def test_pages_fit_a_phone_screen(browser: Any, site: Server) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    try:
        page = context.new_page()
        for path in ("/", f"/search?q={quote(POWER_LINE)}", "/conflicts", "/quotes/6"):
            page.goto(f"{site.base_url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"
        # The stylesheet loaded (the CSP allows our own files): the header is coloured.
        colour = page.evaluate(
            "getComputedStyle(document.querySelector('header.site')).backgroundColor"
        )
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    finally:
        context.close()


def test_unknown_quote_is_a_friendly_404_page(page: Any, site: Server) -> None:
    response = page.goto(f"{site.base_url}/quotes/987654")
    assert response is not None and response.status == 404
    assert "Nothing here" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Home").click()
    assert page.get_by_label("Paste a quote").is_visible()
