"""Optional compiled build of the extraction hot path.

`QUOTETRAIL_COMPILE=1 pip wheel --no-build-isolation --no-deps .` compiles the pure pipeline
modules below with mypyc (mypy's compiler; needs a C compiler and the Python headers). Without the
variable, and for editable installs, the package is plain Python. Both builds give the same
results: tests/test_compiled_build.py compares them; benchmarks/RESULTS.md records both speeds.
"""

import os

from setuptools import setup

HOT_PATH = [
    "quotetrail/pipeline/types.py",
    "quotetrail/pipeline/lexicon.py",
    "quotetrail/pipeline/text.py",
    "quotetrail/pipeline/tokens.py",
    "quotetrail/pipeline/marks.py",
    "quotetrail/pipeline/entities.py",
    "quotetrail/pipeline/cues.py",
    "quotetrail/pipeline/speakers.py",
    "quotetrail/pipeline/extract.py",
]

ext_modules = []
if os.environ.get("QUOTETRAIL_COMPILE") == "1":
    from mypyc.build import mypycify

    ext_modules = mypycify(["--ignore-missing-imports", *HOT_PATH], opt_level="3")

setup(ext_modules=ext_modules)
