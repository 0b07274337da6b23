"""Extraction speed: articles of about 5 KB per second on one core.

Run: `python -m benchmarks.extraction [--articles N] [--source news|dense]`. Articles are built
deterministically from real paragraphs shuffled with a fixed seed: `news` from the seed articles
(a news story's density of quotations), `dense` adding the test fixtures (several times that).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.compiled import build_compiled, compiled_env
from quotetrail.pipeline import extract as extract_module
from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.text import document_from_text, paragraph_spans

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_BYTES = 5_000


SOURCES = {
    # The seeds are real news articles: about five quotations per 5 KB.
    "news": ("seeds/*.txt",),
    # The fixtures were written to exercise every form: about 18 quotations per 5 KB.
    "dense": ("seeds/*.txt", "tests/fixtures/articles/*.txt"),
}


def corpus(count: int, *, source: str = "dense", seed: int = 7) -> list[str]:
    """`count` articles of about ARTICLE_BYTES each, from real paragraphs in a fixed order."""
    paragraphs: list[str] = []
    for path in sorted(path for pattern in SOURCES[source] for path in ROOT.glob(pattern)):
        text = path.read_text(encoding="utf-8")
        paragraphs += [text[s.start : s.end] for s in paragraph_spans(text)]
    rng = random.Random(seed)
    articles = []
    for _ in range(count):
        parts: list[str] = []
        size = 0
        while size < ARTICLE_BYTES:
            part = rng.choice(paragraphs)
            parts.append(part)
            size += len(part.encode("utf-8")) + 2
        articles.append("\n\n".join(parts))
    return articles


def main() -> None:
    """Measure and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--source", choices=sorted(SOURCES), default="dense")
    parser.add_argument(
        "--compiled", action="store_true", help="build the mypyc-compiled package and run on it"
    )
    args = parser.parse_args()
    if args.compiled:
        with tempfile.TemporaryDirectory() as workdir:
            site = build_compiled(Path(workdir))
            command = [sys.executable, "-m", "benchmarks.extraction"]
            command += ["--articles", str(args.articles), "--source", args.source]
            subprocess.run(command, check=True, cwd=site, env=compiled_env(site))
        return
    articles = corpus(args.articles, source=args.source)
    extract_quotations(document_from_text(articles[0]))  # warm caches and imports
    started, cpu_started = time.perf_counter(), time.process_time()
    quotes = sum(len(extract_quotations(document_from_text(a))) for a in articles)
    elapsed = time.perf_counter() - started
    # CPU time is what one core spends; it stays honest when other work shares the machine.
    cpu = time.process_time() - cpu_started
    mean_bytes = sum(len(a.encode("utf-8")) for a in articles) / len(articles)
    print(
        json.dumps(
            {
                "source": args.source,
                "articles": len(articles),
                "mean_article_bytes": round(mean_bytes),
                "quotes": quotes,
                "seconds": round(elapsed, 3),
                "cpu_seconds": round(cpu, 3),
                "articles_per_s": round(len(articles) / elapsed, 1),
                "articles_per_cpu_s": round(len(articles) / cpu, 1),
                "compiled": extract_module.__file__ is not None
                and not extract_module.__file__.endswith(".py"),
                "python": platform.python_version(),
                "machine": platform.machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
