"""Writing through the API in-process: keys, ingestion, idempotency, limits, unavailability."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from apitools import API_KEY, AUTH, POWER_LINE, ROOT, WAR_CRIMES, assert_problem, make_settings
from fastapi.testclient import TestClient

from quotetrail.api.app import create_app

PRIMARY = ROOT / "tests" / "fixtures" / "primary" / "ohchr_zeid_aleppo_2016-12-14.txt"
NEW_ARTICLE = (
    "Harbour council votes on the ferry\n\n"
    '"We will not let the ferry die on our watch," said Councillor Miriam Okafor, who chairs '
    "the transport committee.\n\n"
    "The vote is due on Tuesday."
)
NEW_WORDS = "We will not let the ferry die on our watch"


def _post(client: TestClient, body: object, **kwargs: object) -> object:
    return client.post("/v1/articles", json=body, headers=AUTH, **kwargs)  # type: ignore[arg-type]


def _counts(client: TestClient) -> tuple[int, int]:
    quotes = client.get("/v1/quotes", params={"limit": 100}).json()["items"]
    return len(quotes), sum(q["appearance_count"] for q in quotes)


# --- keys ----------------------------------------------------------------------------------------


def test_writes_need_a_key(client: TestClient) -> None:
    before = _counts(client)
    missing = client.post("/v1/articles", json={"text": NEW_ARTICLE})
    assert "API key" in str(assert_problem(missing, 401)["detail"])
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.post(
        "/v1/articles", json={"text": NEW_ARTICLE}, headers={"Authorization": "Bearer nope"}
    )
    assert_problem(wrong, 401)
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    basic = client.post(
        "/v1/articles", json={"text": NEW_ARTICLE}, headers={"Authorization": "Basic dXNlcjpwdw=="}
    )
    assert_problem(basic, 401)
    prefix = client.post(
        "/v1/articles",
        json={"text": NEW_ARTICLE},
        headers={"Authorization": f"Bearer {API_KEY[:-1]}"},
    )
    assert_problem(prefix, 401)
    assert _counts(client) == before


def test_no_configured_key_refuses_every_write(seeded_url: str) -> None:
    with TestClient(create_app(make_settings(seeded_url, api_keys=[]))) as client:
        assert_problem(_post(client, {"text": NEW_ARTICLE}), 401)  # type: ignore[arg-type]


def test_keys_never_appear_in_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    _post(client, {"text": NEW_ARTICLE})
    client.post("/v1/articles", json={"text": "x"}, headers={"Authorization": "Bearer guess"})
    assert API_KEY not in caplog.text
    assert "guess" not in caplog.text


# --- ingestion -----------------------------------------------------------------------------------


def test_new_article_is_created_then_found_by_lookup_at_once(client: TestClient) -> None:
    response = _post(
        client, {"text": NEW_ARTICLE, "outlet": "Harbour Gazette", "published": "2024-05-02"}
    )
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    article = response.json()  # type: ignore[attr-defined]
    assert response.headers["location"] == f"/v1/articles/{article['id']}"  # type: ignore[attr-defined]
    assert article["outlet"] == "Harbour Gazette" and article["published"] == "2024-05-02"
    assert article["origin"].startswith("api:")
    (quote,) = article["quotes"]
    assert quote["text"] == NEW_WORDS + "," or quote["text"].startswith(NEW_WORDS)
    assert quote["speaker"]["name"] == "Miriam Okafor"
    assert article["text"][quote["start"] : quote["end"]] == quote["text"]
    (canonical,) = article["canonical_quotes"]
    assert canonical["id"] == quote["quote_id"]

    found = client.post("/v1/lookup", json={"text": "not let the ferry die on our watch"}).json()
    assert found["matches"][0]["quote"]["id"] == canonical["id"]
    assert found["matches"][0]["quote"]["speaker"] == "Miriam Okafor"
    assert client.get(f"/v1/articles/{article['id']}").json()["id"] == article["id"]
    listed = client.get("/v1/quotes", params={"outlet": "harbour gazette"}).json()["items"]
    assert [q["id"] for q in listed] == [canonical["id"]]


def test_same_article_twice_keeps_one_id(client: TestClient) -> None:
    first = _post(client, {"text": NEW_ARTICLE})
    before = _counts(client)
    second = _post(client, {"text": NEW_ARTICLE, "title": "ignored"})
    assert first.status_code == 201 and second.status_code == 200  # type: ignore[attr-defined]
    assert first.json()["id"] == second.json()["id"]  # type: ignore[attr-defined]
    assert _counts(client) == before


def test_a_seed_posted_again_is_the_stored_seed(client: TestClient) -> None:
    seed = (ROOT / "seeds" / "001_1e5dc2ca748e8106.txt").read_text(encoding="utf-8")
    response = _post(client, {"text": seed})
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.json()["origin"] == "seeds/001_1e5dc2ca748e8106.txt"  # type: ignore[attr-defined]


def test_html_ingestion(client: TestClient) -> None:
    html = (
        "<html><head><title>Ferry</title></head><body><article><h1>Ferry vote</h1>"
        f"<p>{NEW_ARTICLE.split(chr(10))[2]}</p><p>The vote is due on Tuesday.</p>"
        "</article></body></html>"
    )
    response = _post(client, {"html": html, "url": "https://example.org/ferry"})
    assert response.status_code == 201  # type: ignore[attr-defined]
    article = response.json()  # type: ignore[attr-defined]
    assert article["origin"] == "https://example.org/ferry"
    assert "<p>" not in article["text"]
    assert article["quotes"][0]["speaker"]["name"] == "Miriam Okafor"


def test_primary_source_makes_the_erdogan_credit_a_misattribution(client: TestClient) -> None:
    text = PRIMARY.read_text(encoding="utf-8")
    body = {"text": text, "kind": "primary", "published": "2016-12-13", "outlet": "OHCHR"}
    assert _post(client, body).status_code == 201  # type: ignore[attr-defined]
    conflicts = client.get("/v1/conflicts").json()["items"]
    (war_crimes,) = [c for c in conflicts if WAR_CRIMES in c["quote"]["text"]]
    assert "Zeid" in war_crimes["quote"]["speaker"]["name"]
    statuses = {
        c["speaker"]["name"]: {a["status"] for a in c["appearances"]} for c in war_crimes["credits"]
    }
    assert {"misattributed"} in [v for k, v in statuses.items() if "Erdogan" in k]
    graph = client.get("/v1/export", params={"format": "jsonld"}).json()["@graph"]
    (node,) = [n for n in graph if WAR_CRIMES in n["text"]]
    (review,) = node["review"]
    assert review["@type"] == "ClaimReview"
    assert review["reviewRating"]["alternateName"] == "Misattributed"
    assert "Erdogan" in review["claimReviewed"] and "Zeid" in review["reviewBody"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": "no text"},
        {"text": "a", "html": "<p>b</p>"},
        {"text": 5},
        {"text": ["a"]},
        {"text": "ok", "kind": "opinion"},
        {"text": "ok", "published": "14/12/2016"},
        {"text": "ok", "published": "2016-02-30"},
        {"text": "ok", "surprise": True},
        {"text": "nul \u0000 inside"},
        {"text": "ok", "title": "t" * 2001},
        {"text": "   \n  "},
        {"html": "<html><body></body></html>"},
        [],
        "text",
        None,
    ],
)
def test_bad_articles_are_refused(client: TestClient, body: object) -> None:
    before = _counts(client)
    response = _post(client, body)
    assert_problem(response, 422)  # type: ignore[arg-type]
    assert _counts(client) == before


def test_lone_surrogates_are_refused(client: TestClient) -> None:
    raw = b'{"text": "broken \\ud800 surrogate"}'
    response = client.post(
        "/v1/articles", content=raw, headers={**AUTH, "content-type": "application/json"}
    )
    assert_problem(response, 422)


@pytest.mark.parametrize(
    "raw",
    [b'{"text": "unterminated', b"{'text': 'single quotes'}", b"\xff\xfe\x00garbage", b"{,}"],
)
def test_malformed_json_is_400(client: TestClient, raw: bytes) -> None:
    response = client.post(
        "/v1/articles", content=raw, headers={**AUTH, "content-type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert_problem(response, response.status_code)


def test_a_body_that_is_not_json(client: TestClient) -> None:
    response = client.post(
        "/v1/articles", content=b"plain words", headers={**AUTH, "content-type": "text/plain"}
    )
    assert_problem(response, 422)


# --- size limit ----------------------------------------------------------------------------------


def test_a_12_mb_body_is_413(client: TestClient) -> None:
    before = _counts(client)
    body = json.dumps({"text": "x" * (12 * 1024 * 1024)}).encode()
    response = client.post(
        "/v1/articles", content=body, headers={**AUTH, "content-type": "application/json"}
    )
    assert_problem(response, 413)
    assert _counts(client) == before


def test_a_streamed_body_over_the_limit_is_413(seeded_url: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(64):
            yield b"y" * 1024
        yield b'"}'

    with TestClient(create_app(make_settings(seeded_url, max_body_bytes=32 * 1024))) as client:
        response = client.post(
            "/v1/articles", content=chunks(), headers={**AUTH, "content-type": "application/json"}
        )
        assert_problem(response, 413)
        lookup = client.post(
            "/v1/lookup", content=chunks(), headers={"content-type": "application/json"}
        )
        assert_problem(lookup, 413)
        small = client.post("/v1/lookup", json={"text": POWER_LINE})
        assert small.status_code == 200


# --- rate limits ---------------------------------------------------------------------------------


def test_writes_are_rate_limited(seeded_url: str) -> None:
    settings = make_settings(seeded_url, write_rate_limit_per_minute=2, rate_limit_per_minute=100)
    with TestClient(create_app(settings)) as client:
        assert _post(client, {"text": NEW_ARTICLE}).status_code == 201  # type: ignore[attr-defined]
        assert _post(client, {"text": NEW_ARTICLE}).status_code == 200  # type: ignore[attr-defined]
        limited = _post(client, {"text": NEW_ARTICLE})
        assert_problem(limited, 429)  # type: ignore[arg-type]
        assert int(limited.headers["retry-after"]) >= 1  # type: ignore[attr-defined]
        # Exports share the stricter budget, in a bucket of their own.
        assert client.get("/v1/export").status_code == 200
        assert client.get("/v1/export").status_code == 200
        assert_problem(client.get("/v1/export"), 429)
        # Reads have their own, larger budget.
        assert client.get("/v1/quotes").status_code == 200


def test_reads_are_rate_limited_per_client(seeded_url: str) -> None:
    settings = make_settings(seeded_url, rate_limit_per_minute=3)
    with TestClient(create_app(settings)) as client:
        for _ in range(3):
            assert client.post("/v1/lookup", json={"text": POWER_LINE}).status_code == 200
        limited = client.get("/v1/quotes")
        assert_problem(limited, 429)
        assert 1 <= int(limited.headers["retry-after"]) <= 20  # 3 a minute: one per 20 s
        # Health checks are never limited.
        assert client.get("/healthz").status_code == 200
    with TestClient(create_app(settings), client=("203.0.113.9", 5000)) as other:
        assert other.get("/v1/quotes").status_code == 200


# --- database unavailable ------------------------------------------------------------------------


def test_database_unavailable_is_503(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}"
    with TestClient(create_app(make_settings(url))) as client:
        assert client.get("/healthz").status_code == 200
        for response in (
            client.get("/readyz"),
            client.get("/v1/quotes"),
            client.get("/v1/quotes/1"),
            client.post("/v1/lookup", json={"text": POWER_LINE}),
            client.get("/v1/export"),
            _post(client, {"text": NEW_ARTICLE}),
        ):
            assert_problem(response, 503)  # type: ignore[arg-type]
            assert response.headers["retry-after"] == "5"  # type: ignore[attr-defined]


def test_postgresql_unavailable_is_503() -> None:
    from apitools import free_port

    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"
    with TestClient(create_app(make_settings(url))) as client:
        assert_problem(client.get("/v1/speakers"), 503)
        assert_problem(client.get("/readyz"), 503)
