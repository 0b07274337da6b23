"""The `quotetrail` command line: a thin entry point over the pipeline and the database."""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import Engine

from quotetrail.db.engine import create_db_engine, create_session_factory, session_scope
from quotetrail.db.migrate import upgrade_to_head
from quotetrail.db.quotes import get_quotes, list_appearances
from quotetrail.evaluation import (
    GoldError,
    PredictedAppearance,
    load_gold,
    score,
    score_clusters,
)
from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.text import document_from_text, text_from_html
from quotetrail.pipeline.types import Quotation
from quotetrail.service.ingest import (
    PROCESS_MIN_ARTICLES,
    ingest_article,
    ingest_stream,
    stream_processes,
)
from quotetrail.service.lookup import MAX_LIMIT, lookup
from quotetrail.service.records import (
    CSV_COLUMNS,
    appearance_record,
    csv_rows,
    iter_quote_records,
    quote_record,
    speakers_of,
)
from quotetrail.settings import get_settings
from quotetrail.sources import (
    ArticleInput,
    Defaults,
    SourceError,
    expand_paths,
    parse_date,
    parse_kind,
    read_file,
)

app = typer.Typer(
    help="Quotetrail: who said this, where, in which words, and is that right?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


class OutputFormat(StrEnum):
    """How `extract` prints its results."""

    jsonl = "jsonl"
    table = "table"


class ArticleKindOption(StrEnum):
    """The kind of the articles given to `ingest`."""

    news = "news"
    primary = "primary"


class ExportFormat(StrEnum):
    """How `export` writes the canonical quotes."""

    jsonl = "jsonl"
    csv = "csv"


# More files than this get a progress bar.
PROGRESS_MIN_FILES = 5

DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL (default: $QUOTETRAIL_DATABASE_URL or sqlite:///quotetrail.db).",
        show_default=False,
    ),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"quotetrail: {message}", err=True)
    return typer.Exit(code=2)


def one_line(error: BaseException) -> str:
    """An error's first line (or its type's name), for a one-line message to a user."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


@contextmanager
def _database(database_url: str | None) -> Iterator[Engine]:
    """An engine on the database, its schema brought to head first."""
    url = database_url or get_settings().database_url
    try:
        upgrade_to_head(url)
        engine = create_db_engine(url)
    except Exception as error:  # any driver, URL or migration problem: one line, no traceback
        raise _fail(f"database: {one_line(error)}") from error
    try:
        yield engine
    finally:
        engine.dispose()


def read_document_text(path: Path, *, html: bool = False) -> str:
    """The text a file's offsets refer to: the file as read, or an HTML page's article text."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if html or path.suffix.lower() in _HTML_SUFFIXES:
        return text_from_html(raw)
    return raw


def quotation_record(quote: Quotation) -> dict[str, object]:
    """A quotation as the JSONL contract spells it."""
    record = asdict(quote)
    record["competing_speakers"] = list(quote.competing_speakers)
    return {
        key: record[key]
        for key in (
            "text",
            "start",
            "end",
            "speaker",
            "speaker_as_written",
            "role",
            "kind",
            "cue",
            "confidence",
            "competing_speakers",
        )
    }


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="Text or HTML files to read.")],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="jsonl for tools, table for people.")
    ] = OutputFormat.jsonl,
    html: Annotated[bool, typer.Option("--html", help="Treat every file as HTML.")] = False,
) -> None:
    """Print every attributable quotation of each file, with its speaker. No database."""
    console = Console()
    failed = False
    for path in files:
        try:
            text = read_document_text(path, html=html)
        except OSError as error:
            typer.echo(f"quotetrail: {path}: {error.strerror or error}", err=True)
            failed = True
            continue
        quotes = extract_quotations(document_from_text(text))
        is_html = html or path.suffix.lower() in _HTML_SUFFIXES
        if output_format is OutputFormat.jsonl:
            line: dict[str, object] = {
                "file": str(path),
                "quotes": [quotation_record(q) for q in quotes],
            }
            if is_html:
                line["text"] = text  # offsets refer to the extracted article text
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        else:
            table = Table(title=str(path), show_lines=True)
            for column in ("speaker", "kind", "quotation", "cue", "conf."):
                table.add_column(column)
            for q in quotes:
                table.add_row(q.speaker or "?", q.kind, q.text, q.cue or "", f"{q.confidence:.2f}")
            console.print(table)
    if failed:
        raise typer.Exit(code=1)


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files (.txt, .html, .htm, .jsonl) or folders of them.")
    ],
    kind: Annotated[
        ArticleKindOption, typer.Option(help="news, or primary for a speaker's own statement.")
    ] = ArticleKindOption.news,
    outlet: Annotated[str | None, typer.Option(help="The publishing outlet.")] = None,
    published: Annotated[
        str | None, typer.Option(help="Publication date, YYYY-MM-DD.", show_default=False)
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="The article's URL (its origin); one article only.")
    ] = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Store articles and their quotations as appearances of canonical quotes (idempotent)."""
    try:
        date = parse_date(published) if published is not None else None
    except SourceError as error:
        raise _fail(f"--published: {error}") from error
    files = expand_paths(paths)
    if not files:
        raise _fail("no .txt, .html, .htm or .jsonl files found")
    if url is not None and (len(files) != 1 or files[0].suffix.lower() == ".jsonl"):
        raise _fail("--url names one article: give a single .txt or .html file")
    defaults = Defaults(kind=kind.value, outlet=outlet, published=date, url=url)
    totals = {"new": 0, "existing": 0, "quotes": 0, "appearances": 0, "merged": 0, "failed": 0}
    stderr = Console(stderr=True)
    with _database(database_url) as engine:
        factory = create_session_factory(engine, write=True)
        progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=stderr,
            transient=True,
            disable=len(files) <= PROGRESS_MIN_FILES or not stderr.is_terminal,
        )
        with progress:
            task = progress.add_task("ingesting", total=len(files))

            def inputs() -> Iterator[ArticleInput]:
                for path in files:
                    for item in read_file(path, defaults):
                        if isinstance(item, SourceError):
                            totals["failed"] += 1
                            _report(progress, f"quotetrail: {item}")
                        else:
                            yield item
                    progress.advance(task)

            # A JSON Lines file may hold thousands of articles: count it as a long stream.
            size = sum(PROCESS_MIN_ARTICLES if f.suffix.lower() == ".jsonl" else 1 for f in files)
            stream = ingest_stream(factory, inputs(), processes=stream_processes(size))
            for item, result in stream:
                if isinstance(result, Exception):  # reported on one line; the others go on
                    totals["failed"] += 1
                    _report(progress, f"quotetrail: {item.label}: {one_line(result)}")
                    continue
                totals["new" if result.created else "existing"] += 1
                totals["quotes"] += result.new_quotes
                totals["appearances"] += result.appearances
                totals["merged"] += result.merged_quotes
    articles = totals["new"] + totals["existing"]
    summary = (
        f"{articles} article{'s' if articles != 1 else ''} "
        f"({totals['new']} new, {totals['existing']} already stored), "
        f"{totals['quotes']} new quotes, {totals['appearances']} appearances, "
        f"{totals['merged']} quotes merged"
    )
    if totals["failed"]:
        summary += f", {totals['failed']} failed"
    typer.echo(summary)
    if totals["failed"]:
        raise typer.Exit(code=1)


def _report(progress: Progress, line: str) -> None:
    # Above the progress bar when there is one; never wrapped, so one failure is one line.
    progress.console.print(line, markup=False, highlight=False, soft_wrap=True)


@app.command()
def export(
    output_format: Annotated[
        ExportFormat, typer.Option("--format", help="jsonl: a quote per line; csv: an appearance.")
    ] = ExportFormat.jsonl,
    output: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output).")
    ] = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Write every canonical quote with its appearances, in id order."""
    with _database(database_url) as engine:
        if engine.dialect.name == "postgresql":
            # One snapshot for the whole export, however many batches it reads.
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        try:
            stream = (
                output.open("w", encoding="utf-8", newline="") if output is not None else sys.stdout
            )
        except OSError as error:
            raise _fail(f"{output}: {error.strerror or error}") from error
        try:
            with session_scope(create_session_factory(engine)) as session:
                _write_records(stream, output_format, iter_quote_records(session=session))
        finally:
            if output is not None:
                stream.close()


def _write_records(
    stream: TextIO, output_format: ExportFormat, records: Iterator[dict[str, object]]
) -> None:
    if output_format is ExportFormat.jsonl:
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerows(csv_rows(record))


@app.command(name="lookup")
def lookup_command(
    text: Annotated[str, typer.Argument(help="The words to look up.")],
    limit: Annotated[int, typer.Option(min=1, max=MAX_LIMIT, help="How many quotes at most.")] = 5,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Print the canonical quotes best matching TEXT, with scores and appearances, as JSON."""
    if not text.strip():
        raise _fail("nothing to look up")
    with _database(database_url) as engine, session_scope(create_session_factory(engine)) as s:
        found = lookup(session=s, text=text, limit=limit)
        speakers = speakers_of(
            session=s,
            quotes=[m.quote for m in found],
            appearances=[a for m in found for a, _ in m.appearances],
        )
        matches = [
            {
                "score": m.score,
                "quote": quote_record(m.quote, speakers),
                "appearances": [appearance_record(a, art, speakers) for a, art in m.appearances],
            }
            for m in found
        ]
    typer.echo(json.dumps({"matches": matches}, ensure_ascii=False))


@app.command(name="eval")
def evaluate(
    gold_file: Annotated[Path, typer.Argument(help="Gold annotations (seeds.gold.json format).")],
    docs: Annotated[
        Path | None, typer.Option(help="Folder of the documents (default: beside the gold file).")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List misses and extras.")
    ] = False,
) -> None:
    """Extraction (precision, recall, F1, speakers) and clustering (B-cubed) against a gold file.

    Clustering ingests the documents into a throwaway SQLite database.
    """
    folder = docs or gold_file.parent
    if not gold_file.is_file():
        raise _fail(f"{gold_file}: no such gold file")
    if not folder.is_dir():
        raise _fail(f"{folder}: no such folder of documents")
    documents: dict[str, str] = {}
    try:
        entries = json.loads(gold_file.read_text(encoding="utf-8"))["articles"]
        names = [a["file"] for a in entries]
        metadata = {
            a["file"]: Defaults(
                kind=parse_kind(a.get("kind") or "news"),
                published=parse_date(a["published"]) if a.get("published") else None,
            )
            for a in entries
        }
    except (ValueError, KeyError, TypeError) as error:
        raise _fail(f"{gold_file}: not a gold file ({error})") from error
    for name in names:
        path = folder / name
        if not path.is_file():
            raise _fail(f"{path}: document named in the gold file not found")
        documents[name] = read_document_text(path)
    try:
        gold = load_gold(gold_file, documents)
    except GoldError as error:
        raise _fail(str(error)) from error
    predictions = {
        name: extract_quotations(document_from_text(text)) for name, text in documents.items()
    }
    report = score(gold, predictions, documents)
    appearances = _ingest_for_clustering(documents, metadata)
    clusters = score_clusters(gold, appearances)
    if verbose:
        for line in report.misses + report.extras + report.wrong_speakers + clusters.errors:
            typer.echo(line)
    typer.echo(json.dumps({"documents": len(documents), **report.summary(), **clusters.summary()}))


def _ingest_for_clustering(
    documents: dict[str, str], metadata: dict[str, Defaults]
) -> dict[str, list[PredictedAppearance]]:
    """Ingest the documents into a throwaway SQLite database; their appearances, by file."""
    with tempfile.TemporaryDirectory(prefix="quotetrail-eval-") as folder:
        url = f"sqlite:///{Path(folder) / 'eval.db'}"
        upgrade_to_head(url)
        engine = create_db_engine(url)
        try:
            factory = create_session_factory(engine, write=True)
            article_ids: dict[str, int] = {}
            for name, text in documents.items():
                meta = metadata.get(name, Defaults())
                with session_scope(factory) as session:
                    result = ingest_article(
                        session=session,
                        text=text,
                        origin=name,
                        published=meta.published,
                        kind=meta.kind,
                    )
                    article_ids[name] = result.article_id
            found: dict[str, list[PredictedAppearance]] = {}
            with session_scope(create_session_factory(engine)) as session:
                for name, article_id in article_ids.items():
                    rows = list_appearances(session=session, article_id=article_id)
                    quotes = get_quotes(session=session, quote_ids=[a.quote_id for a in rows])
                    status = {q.id: q.attribution_status for q in quotes}
                    found[name] = [
                        PredictedAppearance(
                            a.start, a.end, a.quote_id, a.status, status[a.quote_id]
                        )
                        for a in rows
                    ]
            return found
        finally:
            engine.dispose()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    database_url: DatabaseUrlOption = None,
    seeds: Annotated[
        Path | None,
        typer.Option(
            help="Folder of seed articles loaded into an empty database "
            "(default: ./seeds, else the source checkout's).",
            show_default=False,
        ),
    ] = None,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request (uvicorn).")
    ] = True,
) -> None:
    """Migrate the database, load the seeds into it if it is empty, and serve the HTTP API."""
    import uvicorn  # only the server needs it

    from quotetrail.service.seeding import find_seeds_folder, load_seeds_if_empty

    url = database_url or get_settings().database_url
    folder = find_seeds_folder(seeds)
    if seeds is not None and not seeds.is_dir():
        raise _fail(f"--seeds: {seeds}: no such folder")
    with _database(url) as engine:
        if folder is None:
            typer.echo("quotetrail: no seeds folder found; serving the database as it is", err=True)
        else:
            try:
                loaded = load_seeds_if_empty(create_session_factory(engine, write=True), folder)
            except (SourceError, OSError) as error:
                raise _fail(f"seeds: {one_line(error)}") from error
            if loaded is not None:
                typer.echo(f"quotetrail: loaded {loaded} seed articles from {folder}", err=True)
    # The workers build their app from the environment (uvicorn imports the factory anew).
    os.environ["QUOTETRAIL_DATABASE_URL"] = url
    get_settings.cache_clear()
    uvicorn.run(
        "quotetrail.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        access_log=access_log,
    )


if __name__ == "__main__":
    app()
