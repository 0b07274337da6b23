"""The mypyc-compiled build of the extraction hot path gives exactly the plain build's results,
also after the trip from a worker process to the writer (pickled, as service.ingest's pool does)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.compiled import build_compiled, compiled_env
from quotetrail.cli import quotation_record
from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.text import document_from_text

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted([*ROOT.glob("seeds/*.txt"), *ROOT.glob("tests/fixtures/**/*.txt")])
HOSTILE = ['"' * 5_000, "“" * 3_000 + "”" * 3_000, 'He said, "yes," and "no," she said. ' * 300]

_DUMP = """
import json, pickle, sys
from quotetrail.cli import quotation_record
from quotetrail.pipeline import extract
from quotetrail.pipeline.text import document_from_text
texts = json.load(sys.stdin)
print(json.dumps({
    "module": extract.__file__,
    "results": [
        [quotation_record(q) for q in extract.extract_quotations(document_from_text(t))]
        for t in texts
    ],
    "unpickled": [
        [
            quotation_record(q)
            for q in pickle.loads(pickle.dumps(extract.extract_quotations(document_from_text(t))))
        ]
        for t in texts
    ],
}))
"""


@pytest.mark.slow
def test_compiled_build_matches_the_plain_build(tmp_path: Path) -> None:
    texts = [path.read_text(encoding="utf-8") for path in DOCUMENTS] + HOSTILE
    site = build_compiled(tmp_path)
    run = subprocess.run(
        [sys.executable, "-c", _DUMP],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=False,
        cwd=site,
        env=compiled_env(site),
    )
    assert run.returncode == 0, run.stderr
    compiled = json.loads(run.stdout)
    assert not compiled["module"].endswith(".py"), "the compiled extension was not imported"
    plain = [
        [quotation_record(q) for q in extract_quotations(document_from_text(t))] for t in texts
    ]
    assert compiled["results"] == plain
    assert compiled["unpickled"] == plain
