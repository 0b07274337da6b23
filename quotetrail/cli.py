"""The `quotetrail` command line: a thin entry point over the pipeline (and later the database)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from quotetrail.evaluation import GoldError, load_gold, score
from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.text import document_from_text, text_from_html
from quotetrail.pipeline.types import Quotation

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


def _fail(message: str) -> typer.Exit:
    typer.echo(f"quotetrail: {message}", err=True)
    return typer.Exit(code=2)


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
    """Precision, recall and F1 of extraction, and speaker accuracy, against a gold file."""
    folder = docs or gold_file.parent
    if not gold_file.is_file():
        raise _fail(f"{gold_file}: no such gold file")
    if not folder.is_dir():
        raise _fail(f"{folder}: no such folder of documents")
    documents: dict[str, str] = {}
    try:
        names = [a["file"] for a in json.loads(gold_file.read_text(encoding="utf-8"))["articles"]]
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
    if verbose:
        for line in report.misses + report.extras + report.wrong_speakers:
            typer.echo(line)
    typer.echo(json.dumps({"documents": len(documents), **report.summary()}))


if __name__ == "__main__":
    app()
