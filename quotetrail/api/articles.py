"""/v1/articles: ingest an article (text, HTML or a URL to fetch) and read one back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status
from sqlmodel import Session

from quotetrail.api.deps import StateDep, WriteKeyDep, get_session, rate_limited
from quotetrail.api.errors import ProblemError
from quotetrail.api.fetch import FetchError, fetch_article
from quotetrail.api.openapi import problems
from quotetrail.api.schemas import (
    MAX_ARTICLE_CHARS,
    ArticleAppearance,
    ArticleCreate,
    ArticleDetail,
)
from quotetrail.api.views import appearance_fields, article_ref, load_speakers, quote_summaries
from quotetrail.db.articles import content_hash, get_article
from quotetrail.db.browse import list_appearance_rows
from quotetrail.db.engine import session_scope
from quotetrail.db.errors import NotFoundError
from quotetrail.db.models import Article
from quotetrail.db.quotes import get_quotes
from quotetrail.pipeline.text import html_element_count, text_from_html
from quotetrail.service.ingest import ingest_article

MAX_ID = 2**31 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The article's id.")]
# Reading an article out of HTML costs time per element (a flood of tiny tags takes seconds per
# hundred kilobytes); real pages hold a few thousand elements.
MAX_HTML_ELEMENTS = 20_000

router = APIRouter(prefix="/v1/articles", tags=["articles"])


def article_detail(session: Session, article: Article) -> ArticleDetail:
    """An article with its appearances and the canonical quotes they belong to."""
    assert article.id is not None
    appearances = list_appearance_rows(session=session, article_id=article.id)
    quotes = get_quotes(
        session=session, quote_ids=list(dict.fromkeys(a.quote_id for a in appearances))
    )
    speakers = load_speakers(session, quotes, appearances)
    return ArticleDetail(
        **article_ref(article).model_dump(),
        content_hash=article.content_hash,
        ingested_at=article.ingested_at,
        text=article.text,
        quotes=[
            ArticleAppearance(**appearance_fields(a, speakers), quote_id=a.quote_id)
            for a in appearances
        ],
        canonical_quotes=quote_summaries(session, quotes),
    )


def _article_text(html: str) -> str:
    if html_element_count(html, stop_after=MAX_HTML_ELEMENTS) > MAX_HTML_ELEMENTS:
        raise ProblemError(
            422, f"The HTML has more than {MAX_HTML_ELEMENTS} elements; send its text instead."
        )
    return text_from_html(html)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ArticleDetail,
    summary="Ingest an article",
    dependencies=[Depends(rate_limited("write"))],
    responses={
        200: {"model": ArticleDetail, "description": "The same text was already stored."},
        **problems(400, 401, 413, 422, 429, 503),
    },
)
def create_article(
    body: ArticleCreate, state: StateDep, _key: WriteKeyDep, response: Response
) -> ArticleDetail:
    """Extract the article's quotations and join them to canonical quotes (idempotent).

    201 with the new article; 200 with the stored one when the same text was ingested before.
    Without `text` or `html`, the `url` is fetched (HTML or plain text; public addresses only).
    """
    origin = body.url
    if body.text is not None:
        text = body.text
    elif body.html is not None:
        text = _article_text(body.html)
    else:
        assert body.url is not None
        try:
            fetched = fetch_article(body.url, state.settings)
        except FetchError as error:
            raise ProblemError(422, f"Cannot ingest the URL: {error}.") from None
        text = _article_text(fetched.text) if fetched.is_html else fetched.text
        text = text.replace("\x00", "")
    if not text.strip():
        raise ProblemError(422, "The article has no text.")
    if len(text) > MAX_ARTICLE_CHARS:
        raise ProblemError(422, f"The article is longer than {MAX_ARTICLE_CHARS} characters.")
    with session_scope(state.write_sessions) as session:
        result = ingest_article(
            session=session,
            text=text,
            origin=origin or f"api:{content_hash(text)[:16]}",
            title=body.title,
            outlet=body.outlet,
            published=body.published,
            kind=body.kind,
        )
        stored = get_article(session=session, article_id=result.article_id)
        assert stored is not None  # stored in this transaction, or found by its text
        detail = article_detail(session, stored)
    if result.created:
        state.lookup_cache.clear()  # committed: this process's cached answers may be stale
    else:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/v1/articles/{detail.id}"
    return detail


@router.get(
    "/{article_id}",
    response_model=ArticleDetail,
    summary="An article",
    dependencies=[Depends(rate_limited("read"))],
    responses=problems(404, 422, 429, 503),
)
def read_article(
    article_id: IdPath, session: Annotated[Session, Depends(get_session)]
) -> ArticleDetail:
    """A stored article: its text, metadata, quotations and their canonical quotes."""
    article = get_article(session=session, article_id=article_id)
    if article is None:
        raise NotFoundError("article", article_id)
    return article_detail(session, article)
