"""The pages through httpx, in-process, on SQLite and PostgreSQL: happy paths, escaping, errors."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest
from conftest import Pages
from webtools import (
    HOSTILE_ALIAS,
    HOSTILE_NAME,
    HOSTILE_OUTLET,
    HOSTILE_ROLE,
    HOSTILE_TITLE,
    HOSTILE_WORDS,
    XSS,
)

from apitools import POWER_LINE, WAR_CRIMES  # isort: skip
from quotetrail.api.schemas import MAX_LOOKUP_CHARS
from quotetrail.web.render import CUT_WORDS

PAGES = ("/", "/search?q=shame", "/quotes/1", "/speakers/1", "/conflicts")


def html_of(response: httpx.Response, status: int = 200) -> str:
    """The response is an HTML page with this status and the security headers; its text."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    text = response.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    return text


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]*)"', html)]


def quote_id_for(pages: Pages, words: str) -> int:
    (match,) = pages.client.post("/v1/lookup", json={"text": words, "limit": 1}).json()["matches"]
    return int(match["quote"]["id"])


def no_markup_from(html: str, *values: str) -> None:
    """None of these values appears unescaped; each appears escaped."""
    for value in values:
        assert value not in html, value
        assert value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in (
            html.replace("&#34;", "&quot;").replace("&#39;", "'")
        ).replace("&quot;", '"'), value


# --- happy paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_html_with_security_headers_and_links_home(pages: Pages, path: str) -> None:
    html = html_of(pages.client.get(path))
    hrefs = links(html)
    assert "/" in hrefs and "/conflicts" in hrefs
    assert "/static/style.css" in hrefs
    assert "<script" not in html  # no JavaScript anywhere: the pages work without it


def test_home_has_the_search_box(pages: Pages) -> None:
    html = html_of(pages.client.get("/"))
    assert 'action="/search"' in html and 'name="q"' in html
    assert "Paste a quote" in html


def test_search_finds_power_with_three_appearances(pages: Pages) -> None:
    html = html_of(pages.client.get("/search", params={"q": POWER_LINE}))
    first = html.split('<li class="quote-item">')[1]
    assert "Samantha Power" in first
    assert "3 appearances" in first
    assert "badge-consistent" in first
    # The excerpt shows where the words are (the canonical wording says "literally").
    assert "<mark>Is there literally nothing that can shame you?</mark>" in first
    quote_id = quote_id_for(pages, POWER_LINE)
    assert f"/quotes/{quote_id}" in links(first)


def test_search_without_a_match_says_so(pages: Pages) -> None:
    html = html_of(pages.client.get("/search", params={"q": "zebra quintessence xylophone"}))
    assert "No quote matches" in html


def test_quote_page_shows_every_appearance_with_its_wording(pages: Pages) -> None:
    quote_id = quote_id_for(pages, POWER_LINE)
    api = pages.client.get(f"/v1/quotes/{quote_id}").json()
    html = html_of(pages.client.get(f"/quotes/{quote_id}"))
    assert html.count('<li class="appearance"') == 3 == len(api["appearances"])
    assert "Samantha Power" in html and "First appearance" in html
    for appearance in api["appearances"]:
        assert f'id="appearance-{appearance["id"]}"' in html
        # The page shows the API's own word diff: every changed word is marked; a long cut at
        # either end is counted instead.
        ops = appearance["diff"]
        for at, op in enumerate(ops):
            words = len(op["canonical"].split())
            if op["op"] == "delete" and at in (0, len(ops) - 1) and words > CUT_WORDS:
                assert f"[{words} words {'before' if at == 0 else 'after'} this" in html
            elif op["op"] in ("delete", "replace"):
                assert f"<del>{op['canonical']}</del>" in unescape(html)
            if op["op"] in ("insert", "replace"):
                assert f"<ins>{op['appearance']}</ins>" in unescape(html)
    assert f"/v1/quotes/{quote_id}" in links(html)
    assert f"/speakers/{api['speaker']['id']}" in links(html)
    assert 'class="warning' not in html  # consistent: no warning


def test_erdogan_quote_warns_and_names_zeid(pages: Pages) -> None:
    quote_id = quote_id_for(pages, WAR_CRIMES)
    html = html_of(pages.client.get(f"/quotes/{quote_id}"))
    warning = html.split('<section class="warning')[1].split("</section>")[0]
    assert "Erdogan" in warning
    assert "Zeid" in warning
    assert re.search(r"badge-(uncertain|disputed)", html)
    assert "Turkish President Erdogan" in html  # the speaker as the source wrote it


def test_speaker_page_lists_aliases_role_and_quotes(pages: Pages) -> None:
    quote_id = quote_id_for(pages, POWER_LINE)
    speaker_id = pages.client.get(f"/v1/quotes/{quote_id}").json()["speaker"]["id"]
    api = pages.client.get(f"/v1/speakers/{speaker_id}").json()
    html = html_of(pages.client.get(f"/speakers/{speaker_id}"))
    assert "<h1" in html and "Samantha Power" in html
    for alias in api["aliases"]:
        if alias != api["name"]:
            assert unescape(alias) in unescape(html)
    for quote in api["quotes"]:
        assert f"/quotes/{quote['id']}" in links(html)


def test_conflicts_page_lists_every_conflict(pages: Pages) -> None:
    api = pages.client.get("/v1/conflicts", params={"limit": 100}).json()["items"]
    assert api
    html = html_of(pages.client.get("/conflicts"))
    for item in api:
        assert f"/quotes/{item['quote']['id']}" in links(html)
    assert "Zeid" in html and "Erdogan" in html
    only = html_of(pages.client.get("/conflicts", params={"status": "misattributed"}))
    assert 'aria-current="page">misattributed' in only


def test_static_stylesheet_is_served_with_nosniff(pages: Pages) -> None:
    response = pages.client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "@media" in response.text  # narrow screens have their own rules


def test_pages_stay_out_of_the_openapi_document(pages: Pages) -> None:
    paths = set(pages.client.get("/openapi.json").json()["paths"])
    ours = {"/", "/search", "/quotes/{quote_id}", "/speakers/{speaker_id}", "/conflicts"}
    assert not paths & ours


# --- escaping ------------------------------------------------------------------------------------


def test_a_script_query_is_shown_as_text(pages: Pages) -> None:
    query = f'{XSS}"><img src=x onerror=alert(9)>'
    html = html_of(pages.client.get("/search", params={"q": query}))
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_article_text_title_outlet_and_origin_are_escaped(pages: Pages) -> None:
    html = html_of(pages.client.get(f"/quotes/{pages.hostile.quote_id}"))
    assert HOSTILE_WORDS in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # in the quote's own words
    assert "<script" not in html
    no_markup_from(html, HOSTILE_TITLE, HOSTILE_OUTLET)
    assert "javascript:" not in " ".join(links(html)).lower()  # an origin is linked only if http(s)


def test_speaker_names_roles_and_aliases_are_escaped(pages: Pages) -> None:
    for path in (
        f"/speakers/{pages.hostile.speaker_id}",
        f"/quotes/{pages.hostile.quote_id}",
        f"/search?q={HOSTILE_WORDS}",
    ):
        html = html_of(pages.client.get(path))
        no_markup_from(html, HOSTILE_NAME)
        assert "onmouseover" not in html.replace("onmouseover=&#34;", "").replace(
            "onmouseover=&quot;", ""
        )
    speaker = html_of(pages.client.get(f"/speakers/{pages.hostile.speaker_id}"))
    no_markup_from(speaker, HOSTILE_ROLE, HOSTILE_ALIAS)


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/quotes/999999",
        "/quotes/0",
        "/quotes/abc",
        "/quotes/99999999999999999999",
        "/speakers/999999",
        "/speakers/-1",
        "/no-such-page",
    ],
)
def test_unknown_ids_and_paths_get_a_friendly_404_page(pages: Pages, path: str) -> None:
    html = html_of(pages.client.get(path, headers={"accept": "text/html"}), 404)
    assert "Nothing here" in html
    assert 'name="q"' in html  # a way on: search


def test_the_api_keeps_problem_json(pages: Pages) -> None:
    response = pages.client.get("/v1/quotes/999999", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_an_escaped_id_is_not_reflected_as_markup(pages: Pages) -> None:
    html = html_of(pages.client.get("/quotes/%3Cscript%3Ealert(1)%3C%2Fscript%3E"), 404)
    assert "<script" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Paste or type some words"),
        ("   \n\t ", "Paste or type some words"),
        ("x" * (MAX_LOOKUP_CHARS + 1), f"at most {MAX_LOOKUP_CHARS:,}"),
        ("bad \x00 byte", "NUL"),
    ],
)
def test_junk_queries_get_a_4xx_page_with_a_clear_message(
    pages: Pages, query: str, message: str
) -> None:
    html = html_of(pages.client.get("/search", params={"q": query}), 400)
    assert message in html
    assert 'name="q"' in html


def test_search_without_q_and_bad_conflict_filters_are_4xx_pages(pages: Pages) -> None:
    html_of(pages.client.get("/search"), 400)
    for params in ({"status": "consistent"}, {"after": "x"}, {"after": "-1"}):
        response = pages.client.get("/conflicts", params=params)
        assert 400 <= response.status_code < 500
        html_of(response, response.status_code)


def test_wrong_method_on_a_page_is_an_html_405(pages: Pages) -> None:
    response = pages.client.post("/search", data={"q": "x"})
    assert response.status_code == 405
    html_of(response, 405)
