"""Reading the seeded database through the API in-process (httpx), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest
from apitools import POWER_LINE, WAR_CRIMES, assert_problem
from fastapi.testclient import TestClient


def _power_match(reader: TestClient) -> dict[str, object]:
    response = reader.post("/v1/lookup", json={"text": POWER_LINE})
    assert response.status_code == 200
    matches = response.json()["matches"]
    assert matches, "the Power line must be found"
    return matches[0]  # type: ignore[no-any-return]


def _quote_id(reader: TestClient, words: str) -> int:
    (found,) = [q for q in _all_quotes(reader) if words in q["text"]]
    return int(found["id"])


def _all_quotes(reader: TestClient, **params: object) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = reader.get("/v1/quotes", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            return items
        assert response.headers["link"].endswith('>; rel="next"')


# --- health --------------------------------------------------------------------------------------


def test_health_and_readiness(reader: TestClient) -> None:
    assert reader.get("/healthz").json() == {"status": "ok", "details": {}}
    ready = reader.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["details"]["database"] in ("sqlite", "postgresql")


def test_openapi_and_docs(reader: TestClient) -> None:
    document = reader.get("/openapi.json").json()
    assert {"/v1/articles", "/v1/quotes/{quote_id}", "/v1/lookup", "/v1/export"} <= set(
        document["paths"]
    )
    lookup = document["paths"]["/v1/lookup"]["post"]["responses"]
    assert "application/problem+json" in lookup["422"]["content"]
    assert "HTTPValidationError" not in json.dumps(document["paths"])
    assert reader.get("/docs").status_code == 200


# --- lookup --------------------------------------------------------------------------------------


def test_lookup_finds_power_with_three_appearances(reader: TestClient) -> None:
    match = _power_match(reader)
    quote = match["quote"]
    assert isinstance(quote, dict) and isinstance(match["appearances"], list)
    assert quote["speaker"] == "Samantha Power"
    assert "nothing that can shame you" in quote["text"]
    assert len(match["appearances"]) == 3
    assert {a["origin"] for a in match["appearances"]} == {
        "seeds/001_1e5dc2ca748e8106.txt",
        "seeds/002_3f25034ae387d3ff.txt",
        "seeds/003_ea9d5e32708d1a33.txt",
    }
    assert 0 < float(match["score"]) <= 1  # type: ignore[arg-type]


def test_lookup_tolerates_light_rewording(reader: TestClient) -> None:
    response = reader.post(
        "/v1/lookup", json={"text": "is there LITERALLY nothing that could shame you", "limit": 1}
    )
    (match,) = response.json()["matches"]
    assert match["quote"]["speaker"] == "Samantha Power"


def test_lookup_of_unknown_words_is_empty(reader: TestClient) -> None:
    response = reader.post("/v1/lookup", json={"text": "zebra quantum marmalade"})
    assert response.status_code == 200
    assert response.json() == {"matches": []}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"text": ""}, 422),
        ({"text": "   "}, 422),
        ({"text": 42}, 422),
        ({"text": "x" * 5001}, 422),
        ({"text": "shame", "limit": 0}, 422),
        ({"text": "shame", "limit": 101}, 422),
        ({"text": "shame", "limit": -5}, 422),
        ({"text": "shame", "extra": 1}, 422),
        ({"text": "a\u0000b"}, 422),
        ([1, 2], 422),
    ],
)
def test_lookup_rejects_bad_bodies(reader: TestClient, body: object, status: int) -> None:
    problem = assert_problem(reader.post("/v1/lookup", json=body), status)
    assert problem["errors"]


def test_malformed_json_is_400(reader: TestClient) -> None:
    response = reader.post(
        "/v1/lookup", content=b'{"text": "shame', headers={"content-type": "application/json"}
    )
    assert "JSON" in str(assert_problem(response, 400)["detail"])


# --- quotes --------------------------------------------------------------------------------------


def test_quotes_pages_cover_every_quote_once(reader: TestClient) -> None:
    everything = _all_quotes(reader, limit=100)
    paged = _all_quotes(reader, limit=2)
    assert [q["id"] for q in paged] == [q["id"] for q in everything]
    assert len(everything) >= 8


@pytest.mark.parametrize("sort", ["id", "-id", "first_seen", "-first_seen", "-appearance_count"])
def test_every_sort_pages_consistently(reader: TestClient, sort: str) -> None:
    paged = _all_quotes(reader, sort=sort, limit=3)
    whole = reader.get("/v1/quotes", params={"sort": sort, "limit": 100}).json()["items"]
    assert [q["id"] for q in paged] == [q["id"] for q in whole]
    assert len({q["id"] for q in paged}) == len(paged)
    if sort == "-appearance_count":
        counts = [q["appearance_count"] for q in paged]
        assert counts == sorted(counts, reverse=True)
    if sort == "first_seen":
        dated = [q["first_seen"] for q in paged if q["first_seen"]]
        assert dated == sorted(dated)
        # Undated quotes come last.
        assert all(q["first_seen"] for q in paged[: len(dated)])


def test_quote_filters(reader: TestClient) -> None:
    uncertain = _all_quotes(reader, status="uncertain")
    assert any(WAR_CRIMES in str(q["text"]) for q in uncertain)
    assert all(q["attribution_status"] == "uncertain" for q in uncertain)
    assert _all_quotes(reader, q="NOTHING THAT CAN SHAME")[0]["speaker"]["name"] == "Samantha Power"  # type: ignore[index]
    by_name = _all_quotes(reader, speaker="Samantha Power")
    assert by_name and all(q["speaker"]["name"] == "Samantha Power" for q in by_name)  # type: ignore[index]
    speaker_id = by_name[0]["speaker"]["id"]  # type: ignore[index]
    assert _all_quotes(reader, speaker=str(speaker_id)) == by_name
    assert _all_quotes(reader, speaker="Nobody Atall") == []
    dated = _all_quotes(reader, published_from="2016-12-14", published_to="2016-12-14")
    assert dated and all(q["first_seen"] == "2016-12-14" for q in dated)
    assert _all_quotes(reader, published_from="2017-01-01") == []
    assert _all_quotes(reader, outlet="No Such Outlet") == []
    both = _all_quotes(reader, status=["uncertain", "consistent"])
    assert len(both) == len(_all_quotes(reader))


def test_quote_detail(reader: TestClient) -> None:
    quote_id = _quote_id(reader, "nothing that can shame you")
    response = reader.get(f"/v1/quotes/{quote_id}")
    assert response.status_code == 200
    quote = response.json()
    assert quote["speaker"]["name"] == "Samantha Power"
    assert quote["attribution_status"] == "consistent"
    assert quote["status_evidence"]
    assert len(quote["appearances"]) == quote["appearance_count"] == 3
    assert quote["first_appearance"] == quote["appearances"][0]
    for appearance in quote["appearances"]:
        context = appearance["context"]
        assert context["text"] == appearance["text"]
        assert context["before"] and context["after"]
        ops = appearance["diff"]
        assert {op["op"] for op in ops} <= {"equal", "replace", "delete", "insert"}
        # The appearance's words, rebuilt from the diff, are its text.
        rebuilt = " ".join(op["appearance"] for op in ops if op["appearance"])
        assert rebuilt.split() == appearance["text"].split()
        canonical = " ".join(op["canonical"] for op in ops if op["canonical"])
        assert canonical.split() == quote["text"].split()
    # Each seed cuts the long quote: some words are dropped from the canonical text.
    assert any(op["op"] == "delete" for a in quote["appearances"] for op in a["diff"])


def test_quote_etag(reader: TestClient) -> None:
    quote_id = _quote_id(reader, "nothing that can shame you")
    first = reader.get(f"/v1/quotes/{quote_id}")
    etag = first.headers["etag"]
    assert etag.startswith('"')
    again = reader.get(f"/v1/quotes/{quote_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert (
        reader.get(f"/v1/quotes/{quote_id}", headers={"If-None-Match": f"W/{etag}"}).status_code
        == 304
    )
    assert (
        reader.get(f"/v1/quotes/{quote_id}", headers={"If-None-Match": '"other"'}).status_code
        == 200
    )


def test_unknown_and_invalid_quote_ids(reader: TestClient) -> None:
    assert "quote" in str(assert_problem(reader.get("/v1/quotes/999999"), 404)["detail"])
    for bad in ("0", "-1", "abc", "1.5", "99999999999999999999", "1%20OR%201=1"):
        assert_problem(reader.get(f"/v1/quotes/{bad}"), 422)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "-1"},
        {"limit": "101"},
        {"limit": "1000000000000000000000"},
        {"limit": "ten"},
        {"sort": "text"},
        {"status": "wrong"},
        {"published_from": "yesterday"},
        {"published_to": "2016-13-45"},
        {"q": "x" * 501},
        {"q": "nul\u0000byte"},
    ],
)
def test_bad_quote_queries_are_422(reader: TestClient, params: dict[str, str]) -> None:
    assert_problem(reader.get("/v1/quotes", params=params), 422)


@pytest.mark.parametrize(
    "cursor",
    [
        "junk",
        "!!!!",
        "eyJ2IjoxfQ",  # {"v":1}
        "e30",  # {}
        "W10",  # []
        "bnVsbA",  # null
        "x" * 600,
        "eyJ2IjoxLCJmIjoiMDAwMDAwMDAwMDAwMDAwMCIsInAiOlsxLDFdfQ",  # wrong fingerprint
        "Ω",
    ],
)
def test_junk_cursors_are_400(reader: TestClient, cursor: str) -> None:
    response = reader.get("/v1/quotes", params={"cursor": cursor})
    assert response.status_code in (400, 422)
    assert_problem(response, response.status_code)


def test_a_cursor_is_valid_only_for_its_query(reader: TestClient) -> None:
    page = reader.get("/v1/quotes", params={"limit": 1}).json()
    cursor = page["next_cursor"]
    assert reader.get("/v1/quotes", params={"limit": 1, "cursor": cursor}).status_code == 200
    other = reader.get("/v1/quotes", params={"status": "uncertain", "cursor": cursor})
    assert_problem(other, 400)
    assert_problem(reader.get("/v1/speakers", params={"cursor": cursor}), 400)
    sorted_other = reader.get("/v1/quotes", params={"sort": "first_seen", "cursor": cursor})
    assert_problem(sorted_other, 400)


INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE quote; --",
    '" OR ""="',
    "%' OR 1=1 --",
    "\\",
    "_%_",
    "NEAR(power shame)",
    'shame* AND "power"',
    "') UNION SELECT * FROM speaker --",
    "$(rm -rf /)",
    "<script>alert(1)</script>",
    "{{7*7}}",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_in_queries(reader: TestClient, text: str) -> None:
    before = len(_all_quotes(reader))
    for param in ("q", "speaker", "outlet"):
        response = reader.get("/v1/quotes", params={param: text})
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []  # searched as text, matched nothing
    assert reader.get("/v1/speakers", params={"q": text}).json()["items"] == []
    assert reader.post("/v1/lookup", json={"text": text}).status_code == 200
    for param in ("limit", "cursor", "sort", "status", "published_from"):
        response = reader.get("/v1/quotes", params={param: text})
        assert 400 <= response.status_code < 500
        assert_problem(response, response.status_code)
    assert_problem(reader.get(f"/v1/quotes/{text}"), 422 if "/" not in text else 404)
    assert len(_all_quotes(reader)) == before


# --- speakers ------------------------------------------------------------------------------------


def _speaker(reader: TestClient, name: str) -> dict[str, object]:
    items = reader.get("/v1/speakers", params={"q": name}).json()["items"]
    (found,) = [s for s in items if s["name"] == name]
    return found  # type: ignore[no-any-return]


def test_speakers_list_and_pages(reader: TestClient) -> None:
    everyone = reader.get("/v1/speakers", params={"limit": 100}).json()
    assert everyone["next_cursor"] is None
    names = [s["name"] for s in everyone["items"]]
    assert "Samantha Power" in names
    walked: list[str] = []
    cursor = None
    while True:
        page = reader.get(
            "/v1/speakers", params={"limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        walked += [s["name"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == names
    assert _speaker(reader, "Samantha Power")["quote_count"] >= 1  # type: ignore[operator]


def test_speaker_detail(reader: TestClient) -> None:
    power = _speaker(reader, "Samantha Power")
    response = reader.get(f"/v1/speakers/{power['id']}")
    assert response.status_code == 200
    detail = response.json()
    assert detail["name"] == "Samantha Power"
    assert "UN Ambassador Samantha Power" in detail["aliases"]
    assert any("shame you" in q["text"] for q in detail["quotes"])
    assert detail["quotes_url"] == f"/v1/quotes?speaker={power['id']}"
    etag = response.headers["etag"]
    assert (
        reader.get(f"/v1/speakers/{power['id']}", headers={"If-None-Match": etag}).status_code
        == 304
    )


def test_speaker_errors(reader: TestClient) -> None:
    assert_problem(reader.get("/v1/speakers/999999"), 404)
    assert_problem(reader.get("/v1/speakers/0"), 422)
    assert_problem(reader.get("/v1/speakers", params={"limit": 0}), 422)
    assert_problem(reader.get("/v1/speakers", params={"cursor": "junk"}), 400)


# --- conflicts -----------------------------------------------------------------------------------


def test_conflicts_show_the_erdogan_credited_war_crimes_sentence(reader: TestClient) -> None:
    response = reader.get("/v1/conflicts")
    assert response.status_code == 200
    items = response.json()["items"]
    (war_crimes,) = [c for c in items if WAR_CRIMES in c["quote"]["text"]]
    assert war_crimes["quote"]["attribution_status"] in ("uncertain", "disputed", "misattributed")
    credited = {c["speaker"]["name"] for c in war_crimes["credits"] if c["speaker"]}
    assert any("Erdogan" in name for name in credited)
    assert any("Zeid" in sentence for sentence in war_crimes["status_evidence"])
    (appearance,) = [a for c in war_crimes["credits"] for a in c["appearances"]]
    assert "Erdogan" in appearance["speaker_as_written"]
    assert any("Zeid" in name for name in appearance["competing_speakers"])


def test_conflicts_filters_and_pages(reader: TestClient) -> None:
    uncertain = reader.get("/v1/conflicts", params={"status": "uncertain"}).json()["items"]
    assert all(c["quote"]["attribution_status"] == "uncertain" for c in uncertain)
    assert reader.get("/v1/conflicts", params={"status": "misattributed"}).json()["items"] == []
    assert_problem(reader.get("/v1/conflicts", params={"status": "consistent"}), 422)
    assert_problem(reader.get("/v1/conflicts", params={"limit": 1000}), 422)
    assert_problem(reader.get("/v1/conflicts", params={"cursor": "e30"}), 400)


# --- articles ------------------------------------------------------------------------------------


def test_article_detail(reader: TestClient) -> None:
    match = _power_match(reader)
    article_id = match["appearances"][0]["article_id"]  # type: ignore[index]
    article = reader.get(f"/v1/articles/{article_id}").json()
    assert article["origin"].startswith("seeds/")
    assert article["quotes"]
    for quote in article["quotes"]:
        assert article["text"][quote["start"] : quote["end"]] == quote["text"]
    assert {q["quote_id"] for q in article["quotes"]} == {
        q["id"] for q in article["canonical_quotes"]
    }
    assert_problem(reader.get("/v1/articles/424242"), 404)
    assert_problem(reader.get("/v1/articles/-3"), 422)


# --- export --------------------------------------------------------------------------------------


def test_export_jsonl(reader: TestClient) -> None:
    response = reader.get("/v1/export", params={"format": "jsonl"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in response.text.splitlines()]
    assert [r["id"] for r in records] == [q["id"] for q in _all_quotes(reader)]
    power = [r for r in records if r["speaker"] == "Samantha Power" and "shame you" in r["text"]]
    assert len(power[0]["appearances"]) == 3
    assert {"origin", "start", "end"} <= set(power[0]["appearances"][0])


def test_export_csv(reader: TestClient) -> None:
    response = reader.get("/v1/export", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    total = sum(int(q["appearance_count"]) for q in _all_quotes(reader))  # type: ignore[call-overload]
    assert len(rows) == total
    assert rows[0]["quote_id"] and rows[0]["origin"]


def test_export_jsonld(reader: TestClient) -> None:
    response = reader.get("/v1/export", params={"format": "jsonld"})
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert document["@context"] == "https://schema.org"
    graph = document["@graph"]
    assert all(node["@type"] == "Quotation" for node in graph)
    power = [n for n in graph if "shame you" in n["text"]]
    assert power[0]["creator"]["name"] == "Samantha Power"
    assert len(power[0]["workExample"]) == 3


def test_export_format_errors(reader: TestClient) -> None:
    assert_problem(reader.get("/v1/export", params={"format": "xml"}), 422)


# --- HTTP-level errors ---------------------------------------------------------------------------


def test_unknown_route_and_method(reader: TestClient) -> None:
    assert_problem(reader.get("/v1/nothing-here"), 404)
    response = reader.delete("/v1/quotes")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]
    assert_problem(reader.put("/v1/lookup", json={"text": "x"}), 405)


def test_lookup_records_match_the_cli_shape(reader: TestClient, shared_seeded_url: str) -> None:
    from quotetrail.db.engine import create_db_engine, create_session_factory, session_scope
    from quotetrail.service.lookup import lookup
    from quotetrail.service.records import appearance_record, quote_record, speakers_of

    engine = create_db_engine(shared_seeded_url)
    try:
        for text in (POWER_LINE, WAR_CRIMES, "what they consider to be a massacre", "nothing"):
            with session_scope(create_session_factory(engine)) as session:
                found = lookup(session=session, text=text, limit=5)
                speakers = speakers_of(
                    session=session,
                    quotes=[m.quote for m in found],
                    appearances=[a for m in found for a, _ in m.appearances],
                )
                expected = [
                    {
                        "score": m.score,
                        "quote": quote_record(m.quote, speakers),
                        "appearances": [
                            appearance_record(a, art, speakers) for a, art in m.appearances
                        ],
                    }
                    for m in found
                ]
            got = reader.post("/v1/lookup", json={"text": text, "limit": 5}).json()["matches"]
            assert got == expected
    finally:
        engine.dispose()
