"""Build the mypyc-compiled variant of the package into a folder, to run or compare it there.

The wheel is built from a copy of the sources (the working tree stays clean) with the current
interpreter's setuptools and mypy, then unpacked: a process started in that folder with it first
on PYTHONPATH imports the compiled `quotetrail` instead of the editable install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SOURCES = ("pyproject.toml", "setup.py", "README.md", "quotetrail")


def build_compiled(workdir: Path) -> Path:
    """Compile the package into `workdir`; returns the folder to put first on PYTHONPATH."""
    source = workdir / "source"
    source.mkdir(parents=True)
    for name in _SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    wheels = workdir / "wheels"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-deps"),
            *("-w", str(wheels), str(source)),
        ],
        check=True,
        env={**os.environ, "QUOTETRAIL_COMPILE": "1"},
    )
    site = workdir / "site"
    (wheel,) = wheels.glob("quotetrail-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def compiled_env(site: Path) -> dict[str, str]:
    """Environment for a subprocess that runs with `cwd=site` and imports the compiled build."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
