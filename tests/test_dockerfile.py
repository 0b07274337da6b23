"""The Dockerfile's steps, run without Docker: COPY, RUN pip, ENTRYPOINT and HEALTHCHECK in a
clean virtual environment (no Docker engine runs here, CI included).

The image's ENV applies, with /data moved into a temporary folder; the server listens on
127.0.0.1 at a free port instead of 0.0.0.0:8000.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
sys.path.insert(0, str(ROOT / "tests" / "api"))
from apitools import POWER_LINE, free_port, start_server, stop_server  # noqa: E402

# RUN steps that set up the image's user and folders: checked, not run (they need root).
_SETUP_ONLY = re.compile(r"^(useradd|mkdir|chown)\b")
# Variables that only make the image smaller; the test keeps pip's cache to stay quick.
_IMAGE_ONLY_ENV = {"PIP_NO_CACHE_DIR"}


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def _env_pairs(arguments: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in shlex.split(arguments))


def _healthcheck_command(arguments: str) -> list[str]:
    command = arguments[arguments.index("CMD") + 3 :].strip()
    parsed: list[str] = json.loads(command)
    return parsed


def test_dockerfile_shape() -> None:
    steps = instructions(DOCKERFILE.read_text())
    keywords = [k for k, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    assert ("USER", "quotetrail") in steps
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    entrypoint = json.loads(dict(steps)["ENTRYPOINT"])
    assert entrypoint[:2] == ["quotetrail", "serve"]
    assert "/healthz" in dict(steps)["HEALTHCHECK"]


@pytest.mark.slow
def test_dockerfile_steps_in_a_clean_venv(tmp_path: Path) -> None:
    app_dir = tmp_path / "app"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / "bin"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUOTETRAIL_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    workdir = app_dir
    entrypoint: list[str] = []
    healthcheck: list[str] = []
    for keyword, arguments in instructions(DOCKERFILE.read_text()):
        if keyword == "WORKDIR":
            workdir = app_dir
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "ENV":
            for name, value in _env_pairs(arguments).items():
                if name not in _IMAGE_ONLY_ENV:
                    env[name] = value.replace("/data", str(data_dir))
        elif keyword == "COPY":
            *sources, destination = arguments.split()
            target = workdir / destination
            for source in sources:
                path = ROOT / source
                if path.is_dir():
                    shutil.copytree(
                        path, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
                    )
                else:
                    shutil.copy(path, target / path.name if destination.endswith("/") else target)
        elif keyword == "RUN":
            for command in arguments.split("&&"):
                command = command.strip()
                if _SETUP_ONLY.match(command):
                    continue
                assert command.startswith("pip "), f"unexpected RUN step: {command}"
                subprocess.run(shlex.split(command), cwd=workdir, env=env, check=True)
        elif keyword == "ENTRYPOINT":
            entrypoint = json.loads(arguments)
        elif keyword == "HEALTHCHECK":
            healthcheck = _healthcheck_command(arguments)

    # The install holds no trace of the source tree: the venv's own quotetrail runs.
    assert (bin_dir / "quotetrail").is_file()
    port = free_port()
    command = [
        str(bin_dir / entrypoint[0]),
        *[{"0.0.0.0": "127.0.0.1", "8000": str(port)}.get(a, a) for a in entrypoint[1:]],
    ]
    server = start_server(
        command, cwd=workdir, env=env, log=tmp_path / "server.log", port=port, timeout=120
    )
    try:
        check = [healthcheck[0], *[a.replace("8000", str(port)) for a in healthcheck[1:]]]
        assert subprocess.run(check, env=env, cwd=workdir, timeout=30).returncode == 0
        response = httpx.post(
            f"{server.base_url}/v1/lookup", json={"text": POWER_LINE, "limit": 1}, timeout=30
        )
        (match,) = response.json()["matches"]
        assert match["quote"]["speaker"] == "Samantha Power"
        assert len(match["appearances"]) == 3
        assert (data_dir / "quotetrail.db").is_file()  # the image's default database location
    finally:
        stop_server(server)
