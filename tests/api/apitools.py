"""Helpers shared by the API tests: constants, problem checks, settings, real server processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from quotetrail.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
API_KEY = "test-key-0123456789"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
POWER_LINE = "Is there nothing that can shame you?"
WAR_CRIMES = "almost certainly a violation of international law"


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Test settings: one API key, no rate limits, no URL fetching beyond what a test allows."""
    values: dict[str, object] = {
        "database_url": database_url,
        "api_keys": [API_KEY],
        "rate_limit_per_minute": 0,
        "write_rate_limit_per_minute": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    """The response is a problem document with this status; returns it."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"] == "about:blank"
    return body  # type: ignore[no-any-return]


# --- a real server -------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path


def start_server(
    command: list[str], *, cwd: Path, env: dict[str, str], log: Path, port: int, timeout: float = 60
) -> Server:
    """Start a server process and wait until /healthz answers."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return Server(base_url, process, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_server(Server(base_url, process, log))
    raise RuntimeError(f"server did not answer within {timeout}s:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    """Stop the server and its workers (its own process group only)."""
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a test server: the test key, no rate limits unless given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTETRAIL_")}
    env.update(
        QUOTETRAIL_DATABASE_URL=database_url,
        QUOTETRAIL_API_KEYS=API_KEY,
        QUOTETRAIL_RATE_LIMIT_PER_MINUTE="0",
        QUOTETRAIL_WRITE_RATE_LIMIT_PER_MINUTE="0",
    )
    env.update(extra)
    return env
