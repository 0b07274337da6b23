"""A catalogue of hostile requests over every endpoint: each is refused (4xx problem+json) within
2 s, or, where the input is legitimately valid, gets its documented answer; never a 5xx, and the
database is left exactly as it was (every table's rows compared before and after), except for the
one article a valid hostile text creates.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from reltools import Target, snapshot

from apitools import AUTH, assert_problem  # isort: skip

REFUSAL_SECONDS = 2.0
# A valid but pathological article still runs the whole pipeline: its bound is looser.
INGEST_SECONDS = 15.0
JSON = {"content-type": "application/json", **AUTH}


@dataclass(frozen=True)
class Case:
    """One hostile request and what it must get."""

    id: str
    method: str
    path: str
    statuses: tuple[int, ...] = (422,)
    json: Any = None
    content: bytes | None = None
    params: Any = None
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    # Tables and the rows a valid request adds (only these; nothing changed or removed).
    adds: dict[str, int] = field(default_factory=dict)


def _nested(depth: int, inner: str = '"x"') -> bytes:
    return ("[" * depth + inner + "]" * depth).encode()


def _nested_objects(depth: int) -> bytes:
    return ('{"text":' * depth + '"x"' + "}" * depth).encode()


def _cursor(document: object) -> str:
    raw = json.dumps(document).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


SQL = [
    "' OR '1'='1",
    "'; DROP TABLE quote; --",
    "1; DELETE FROM article",
    '" OR 1=1 --',
    "%' UNION SELECT text FROM article --",
]
FTS = ['"unclosed', "power NEAR/3 shame", "a* OR b*", "NOT AND OR", "^power", "col:value", "(((("]
LIKE = ["%", "_", "\\", "%%%_\\%"]
SEARCHES = SQL + FTS + LIKE + ["<script>alert(1)</script>", "\u202e\u200b\ufeff", "🙂" * 100]

ARTICLES = "/v1/articles"

CASES: list[Case] = [
    # --- malformed and deeply nested JSON --------------------------------------------------------
    Case("json-truncated", "POST", ARTICLES, (400,), content=b'{"text": "a'),
    Case("json-trailing-garbage", "POST", ARTICLES, (400,), content=b'{"text": "a"} x'),
    Case("json-single-quotes", "POST", ARTICLES, (400,), content=b"{'text': 'a'}"),
    Case("json-nan", "POST", "/v1/lookup", (400, 422), content=b'{"text": "a", "limit": NaN}'),
    Case("json-100k-nested-arrays", "POST", ARTICLES, (400, 422), content=_nested(100_000)),
    Case(
        "json-100k-nested-objects", "POST", ARTICLES, (400, 422), content=_nested_objects(100_000)
    ),
    Case("json-900-nested-text", "POST", ARTICLES, (400, 422), content=_nested_objects(900)),
    Case("json-nested-lookup", "POST", "/v1/lookup", (400, 422), content=_nested(50_000)),
    Case("json-empty-body", "POST", ARTICLES, (400, 422), content=b""),
    Case("json-whitespace-body", "POST", ARTICLES, (400, 422), content=b" \n\t "),
    Case("json-null", "POST", ARTICLES, content=b"null"),
    Case("json-array-body", "POST", ARTICLES, json=[{"text": "a"}]),
    Case("json-string-body", "POST", "/v1/lookup", json="Is there nothing that can shame you?"),
    Case("json-10k-keys", "POST", ARTICLES, json={f"k{i}": i for i in range(10_000)}),
    # --- wrong types -----------------------------------------------------------------------------
    Case("text-number", "POST", ARTICLES, json={"text": 12}),
    Case("text-list", "POST", ARTICLES, json={"text": ["a", "b"]}),
    Case("text-object", "POST", ARTICLES, json={"text": {"$gt": ""}}),
    Case("text-bool", "POST", ARTICLES, json={"text": True}),
    Case("text-and-html", "POST", ARTICLES, json={"text": "a", "html": "<p>a</p>"}),
    Case("nothing-to-ingest", "POST", ARTICLES, json={"title": "only a title"}),
    Case("unknown-field", "POST", ARTICLES, json={"text": "a", "id": 1}),
    Case("kind-unknown", "POST", ARTICLES, json={"text": "a", "kind": "opinion"}),
    Case("published-invalid", "POST", ARTICLES, json={"text": "a", "published": "2016-13-45"}),
    Case("published-year-0", "POST", ARTICLES, json={"text": "a", "published": "0000-01-01"}),
    Case("published-huge", "POST", ARTICLES, json={"text": "a", "published": 10**30}),
    Case("published-inf", "POST", ARTICLES, (400, 422), content=b'{"text":"a","published":1e999}'),
    Case("lookup-limit-zero", "POST", "/v1/lookup", json={"text": "abc", "limit": 0}),
    Case("lookup-limit-huge", "POST", "/v1/lookup", json={"text": "abc", "limit": 10**40}),
    Case("lookup-limit-float", "POST", "/v1/lookup", json={"text": "abc", "limit": 2.5}),
    Case("lookup-limit-string", "POST", "/v1/lookup", json={"text": "abc", "limit": "ten"}),
    Case("lookup-text-null", "POST", "/v1/lookup", json={"text": None}),
    # --- enormous fields -------------------------------------------------------------------------
    Case("title-2001-chars", "POST", ARTICLES, json={"text": "a", "title": "t" * 2001}),
    Case("outlet-1mb", "POST", ARTICLES, json={"text": "a", "outlet": "o" * 1_000_000}),
    Case("url-1mb", "POST", ARTICLES, json={"url": "http://example.com/" + "a" * 1_000_000}),
    Case("text-over-1m-chars", "POST", ARTICLES, json={"text": "word " * 200_001}),
    Case("body-over-10mb", "POST", ARTICLES, (413,), content=b'{"text": "' + b"a" * 11_000_000),
    Case("lookup-5001-chars", "POST", "/v1/lookup", json={"text": "a" * 5001}),
    Case("quotes-q-501-chars", "GET", "/v1/quotes", params={"q": "q" * 501}),
    Case("speakers-q-501-chars", "GET", "/v1/speakers", params={"q": "q" * 501}),
    # --- invalid UTF-8, control characters, binary uploads ---------------------------------------
    Case("invalid-utf8", "POST", ARTICLES, (400,), content=b'{"text": "caf\xe9 \xff\xfe"}'),
    Case("overlong-utf8", "POST", ARTICLES, (400,), content=b'{"text": "\xc0\xaf"}'),
    Case("lone-surrogate", "POST", ARTICLES, content=b'{"text": "a \\ud800 b"}'),
    Case("lookup-lone-surrogate", "POST", "/v1/lookup", content=b'{"text": "\\udfff power"}'),
    Case("nul-in-text", "POST", ARTICLES, json={"text": "a\x00b"}),
    Case("nul-in-title", "POST", ARTICLES, json={"text": "a", "title": "\x00"}),
    Case("nul-in-lookup", "POST", "/v1/lookup", json={"text": "power\x00"}),
    Case("nul-in-query", "GET", "/v1/quotes", params={"q": "a\x00b"}),
    Case("nul-in-speaker", "GET", "/v1/quotes", params={"speaker": "\x00"}),
    Case("only-whitespace", "POST", ARTICLES, json={"text": " \n\t\u00a0\u2028 "}),
    Case("binary-as-json", "POST", ARTICLES, (400,), content=bytes(range(256)) * 64),
    Case(
        "binary-multipart",
        "POST",
        ARTICLES,
        (400, 415, 422),
        content=b'--b\r\nContent-Disposition: form-data; name="text"; filename="x.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + bytes(range(256)) + b"\r\n--b--\r\n",
        headers={"content-type": "multipart/form-data; boundary=b", **AUTH},
    ),
    Case(
        "gzip-bytes",
        "POST",
        ARTICLES,
        (400,),
        content=b"\x1f\x8b\x08\x00" + bytes(500),
        headers={"content-type": "application/json", "content-encoding": "gzip", **AUTH},
    ),
    # --- HTML bombs and scripts ------------------------------------------------------------------
    Case("html-tag-flood", "POST", ARTICLES, json={"html": "<p>x" * 200_000}),
    Case("html-br-flood", "POST", ARTICLES, json={"html": "<br>" * 100_000}),
    Case("html-deep-nesting", "POST", ARTICLES, json={"html": "<div>" * 100_000 + "x"}),
    Case("html-only-scripts", "POST", ARTICLES, json={"html": "<script>alert(1)</script>" * 999}),
    Case(
        "html-entity-expansion",
        "POST",
        ARTICLES,
        json={
            "html": '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
            "]><html><body><p>&d;&d;&d;&d;&d;&d;&d;&d;</p></body></html>"
        },
    ),
    Case("html-comment-only", "POST", ARTICLES, json={"html": "<!--" + "x" * 100_000 + "-->"}),
    # --- keys ------------------------------------------------------------------------------------
    Case("no-key", "POST", ARTICLES, (401,), json={"text": "a"}, headers={}),
    Case(
        "wrong-key",
        "POST",
        ARTICLES,
        (401,),
        json={"text": "a"},
        headers={"Authorization": "Bearer wrong"},
    ),
    Case(
        "basic-auth",
        "POST",
        ARTICLES,
        (401,),
        json={"text": "a"},
        headers={"Authorization": "Basic dGVzdDp0ZXN0"},
    ),
    Case(
        "100k-key",
        "POST",
        ARTICLES,
        (401,),
        json={"text": "a"},
        headers={"Authorization": "Bearer " + "k" * 100_000},
    ),
    Case(
        "key-prefix",
        "POST",
        ARTICLES,
        (401,),
        json={"text": "a"},
        headers={"Authorization": AUTH["Authorization"][:-1]},
    ),
    # --- URLs the service must not fetch ---------------------------------------------------------
    *[
        Case(f"url-{name}", "POST", ARTICLES, json={"url": url})
        for name, url in [
            ("file", "file:///etc/passwd"),
            ("gopher", "gopher://127.0.0.1:25/_HELO"),
            ("loopback", "http://127.0.0.1:1/"),
            ("localhost", "http://localhost:1/"),
            ("ipv6-loopback", "http://[::1]:1/"),
            ("metadata", "http://169.254.169.254/latest/meta-data/"),
            ("private", "http://10.0.0.1/"),
            ("mapped-ipv6", "http://[::ffff:127.0.0.1]:1/"),
            ("decimal-ip", "http://2130706433:1/"),
            ("zero", "http://0.0.0.0:1/"),
            ("no-host", "http:///path"),
            ("junk", "ht!tp://\x7f"),
        ]
    ],
    # --- ids, cursors and limits -----------------------------------------------------------------
    Case("article-id-zero", "GET", "/v1/articles/0"),
    Case("article-id-huge", "GET", "/v1/articles/99999999999999999999999"),
    Case("article-id-sql", "GET", "/v1/articles/1%3B%20DROP%20TABLE%20article"),
    Case("article-unknown", "GET", "/v1/articles/2147483647", (404,)),
    Case("quote-id-negative", "GET", "/v1/quotes/-1"),
    Case("quote-id-float", "GET", "/v1/quotes/1.5"),
    Case("quote-id-2-31", "GET", "/v1/quotes/2147483648"),
    Case("speaker-id-text", "GET", "/v1/speakers/power"),
    Case("speaker-unknown", "GET", "/v1/speakers/2147483647", (404,)),
    Case("path-traversal", "GET", "/v1/quotes/..%2F..%2Fetc%2Fpasswd", (404, 422)),
    Case("method-delete", "DELETE", "/v1/articles/1", (405,)),
    Case("method-put-lookup", "PUT", "/v1/lookup", (405,)),
    *[
        Case(f"limit-{name}-{path.rsplit('/', 1)[1]}", "GET", path, params={"limit": value})
        for path in ("/v1/quotes", "/v1/speakers", "/v1/conflicts")
        for name, value in [("zero", "0"), ("huge", "9" * 40), ("neg", "-1"), ("text", "all")]
    ],
    *[
        Case(
            f"cursor-{name}-{path.rsplit('/', 1)[1]}",
            "GET",
            path,
            (400, 422),
            params={"cursor": value},
        )
        for path in ("/v1/quotes", "/v1/speakers", "/v1/conflicts")
        for name, value in [
            ("junk", "!!not-base64!!"),
            ("json-list", _cursor([1, 2])),
            ("forged", _cursor({"v": 1, "f": "0" * 16, "p": [1, 1]})),
            ("huge-int", _cursor({"v": 1, "f": "x", "p": [2**70, 1]})),
            ("long", "A" * 10_000),
            ("unicode", "é" * 20),
        ]
    ],
    Case("status-unknown", "GET", "/v1/quotes", params={"status": "fake"}),
    Case("status-1k-repeats", "GET", "/v1/quotes", params=[("status", "x")] * 1_000),
    Case("sort-injection", "GET", "/v1/quotes", params={"sort": "id; DROP TABLE quote"}),
    Case("date-invalid", "GET", "/v1/quotes", params={"published_from": "yesterday"}),
    Case("date-sql", "GET", "/v1/quotes", params={"published_to": "2016-01-01' OR '1'='1"}),
    Case("conflict-status-consistent", "GET", "/v1/conflicts", params={"status": "consistent"}),
    Case("export-format", "GET", "/v1/export", params={"format": "../../etc/passwd"}),
    Case("export-format-sql", "GET", "/v1/export", params={"format": "csv' --"}),
    # --- SQL and FTS syntax in every free-text parameter: valid searches, found as words ---------
    *[
        Case(f"search-{path[4:]}-{param}-{n}", "GET", path, (200,), params={param: value})
        for n, value in enumerate(SEARCHES)
        for path, param in [
            ("/v1/quotes", "q"),
            ("/v1/quotes", "speaker"),
            ("/v1/quotes", "outlet"),
            ("/v1/speakers", "q"),
        ]
    ],
    *[
        Case(f"lookup-syntax-{n}", "POST", "/v1/lookup", (200,), json={"text": value})
        for n, value in enumerate(SEARCHES)
    ],
    Case("speaker-id-beyond-int", "GET", "/v1/quotes", (200,), params={"speaker": "9999999999"}),
    Case("speaker-20-digits", "GET", "/v1/quotes", (200,), params={"speaker": "9" * 20}),
    Case(
        "dates-extreme",
        "GET",
        "/v1/quotes",
        (200,),
        params={"published_from": "0001-01-01", "published_to": "9999-12-31"},
    ),
    # --- valid but pathological articles: stored as given, nothing else touched ------------------
    Case(
        "100k-straight-marks",
        "POST",
        ARTICLES,
        (201,),
        json={"text": '"' * 100_000},
        adds={"article": 1},
    ),
    Case(
        "100k-curly-marks",
        "POST",
        ARTICLES,
        (201,),
        json={"text": "“”" * 50_000},
        adds={"article": 1},
    ),
    Case(
        "100k-single-marks",
        "POST",
        ARTICLES,
        (201,),
        json={"text": "'" * 100_000},
        adds={"article": 1},
    ),
    Case(
        "regex-hostile-a",
        "POST",
        ARTICLES,
        (201,),
        json={"text": "a" * 200_000 + "!"},
        adds={"article": 1},
    ),
    Case(
        "regex-hostile-parens",
        "POST",
        ARTICLES,
        (201,),
        json={"text": "(" * 50_000 + ")" * 50_000},
        adds={"article": 1},
    ),
    Case(
        "regex-hostile-said",
        "POST",
        ARTICLES,
        (201,),
        json={"text": "said " * 20_000},
        adds={"article": 1},
    ),
    Case(
        "regex-hostile-initials",
        "POST",
        ARTICLES,
        (201,),
        json={"text": "Mr. A. B. C. " * 10_000},
        adds={"article": 1},
    ),
    Case(
        "control-characters",
        "POST",
        ARTICLES,
        (201,),
        json={"text": "".join(chr(i) for i in range(1, 32)) * 100 + " text"},
        adds={"article": 1},
    ),
    Case(
        "bidi-and-zero-width",
        "POST",
        ARTICLES,
        (201,),
        json={"text": "\u202eevil\u202c \u200b\u200d\ufeff " * 1000},
        adds={"article": 1},
    ),
    Case(
        "script-in-title",
        "POST",
        ARTICLES,
        (201,),
        json={
            "text": "An ordinary sentence without quotations.",
            "title": "<script>x</script>",
            "outlet": "<img src=x onerror=alert(1)>",
        },
        adds={"article": 1},
    ),
]


def test_the_catalogue_is_large_and_unique() -> None:
    assert len(CASES) >= 150
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_request(target: Target, case: Case) -> None:
    before = snapshot(target.engine)
    started = time.monotonic()
    response = target.client.request(
        case.method,
        case.path,
        json=case.json,
        content=case.content,
        params=case.params,
        headers=case.headers,
    )
    elapsed = time.monotonic() - started
    after = snapshot(target.engine)

    assert response.status_code < 500, response.text[:500]
    assert response.status_code in case.statuses, response.text[:500]
    if response.status_code >= 400:
        body = assert_problem(response, response.status_code)
        assert elapsed < REFUSAL_SECONDS, f"{case.id}: refused after {elapsed:.2f}s"
        assert "Traceback" not in json.dumps(body)
        assert before.counts() == after.counts()
        assert before.checksums() == after.checksums()
        return
    changes = before.changes(after)
    if not case.adds:
        assert elapsed < REFUSAL_SECONDS, f"{case.id}: answered after {elapsed:.2f}s"
        assert changes == {}
        return
    assert elapsed < INGEST_SECONDS, f"{case.id}: ingested in {elapsed:.2f}s"
    assert {table: len(diff["added"]) for table, diff in changes.items()} == case.adds
    assert all(not diff["removed"] and not diff["changed"] for diff in changes.values())
    # Stored exactly as sent: offsets will refer to these characters.
    stored = target.client.get(response.headers["Location"]).json()
    assert stored["text"] == case.json["text"]
    assert stored["title"] == case.json.get("title")
    # Posting it again is a no-op (200, same id, nothing written).
    again = target.client.post(ARTICLES, json=case.json, headers=AUTH)
    assert again.status_code == 200 and again.json()["id"] == stored["id"]
    assert snapshot(target.engine).checksums() == after.checksums()
