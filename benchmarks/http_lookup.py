"""HTTP lookup throughput and latency: wrk POSTing /v1/lookup to `quotetrail serve` on 127.0.0.1.

Run: `python -m benchmarks.http_lookup [--seconds 20] [--connections 16] [--workers 2]`. The
server gets a fresh SQLite database in a temporary folder (migrated and seeded by `serve` itself),
rate limits off; wrk (Debian's package, installed with apt-get when missing) rotates through
lookups of different kinds (a verbatim line, a cut, a reworded line, a fragment, words that match
nothing) for a fixed time after a short warm-up, and reports requests/s and percentiles. With
`--unique` every request's text differs (a number appended), so no answer comes from the
lookup cache: the cost of computing every lookup.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
LOOKUPS = [
    "Is there nothing that can shame you?",
    "Are you truly incapable of shame?",
    "is there LITERALLY nothing that could shame you",
    "almost certainly a violation of international law and most likely constitutes war crimes",
    "what they consider to be a massacre",
    "Aleppo will join the ranks of those events in world history that define modern evil",
    "Turkey has made it clear that they want to ensure this humanitarian corridor",
    "a sentence about something else entirely, with no match at all",
]
# wrk's Lua: rotate through the lookups; with `unique`, append a number so that no two requests
# send the same text (every answer computed, none reused).
_LUA = """
local texts = {%s}
local unique = %s
local counter = 0
request = function()
  counter = counter + 1
  local text = texts[(counter %% #texts) + 1]
  if unique then text = text .. " n" .. counter .. "x" .. math.random(1000000) end
  local body = '{"text": "' .. text .. '"}'
  return wrk.format("POST", "/v1/lookup", {["Content-Type"] = "application/json"}, body)
end
"""


def ensure_wrk() -> str:
    """The path of wrk, installed from Debian's packages if missing."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed")
    return found


def free_port() -> int:
    """A TCP port free on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    folder: Path, port: int, workers: int, *, access_log: bool
) -> subprocess.Popen[bytes]:
    """`quotetrail serve` on a fresh SQLite database, once /healthz answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTETRAIL_")}
    env.update(
        QUOTETRAIL_DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
        QUOTETRAIL_RATE_LIMIT_PER_MINUTE="0",
        QUOTETRAIL_WRITE_RATE_LIMIT_PER_MINUTE="0",
    )
    command = [sys.executable, "-m", "quotetrail.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--seeds", str(ROOT / "seeds")]
    command += [] if access_log else ["--no-access-log"]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit((folder / "server.log").read_text())
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the live processes of a process group."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:  # fields: state, ppid, pgrp, ..., utime (11), stime (12)
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def load_average() -> float:
    """The one-minute load average: other work on the machine skews wall-clock figures."""
    return round(os.getloadavg()[0], 2)


def _millis(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/s, latency percentiles (ms) and error counts from `wrk --latency` output."""
    result: dict[str, float] = {}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert rate, output
    result["lookups_per_s"] = float(rate.group(1))
    for percent, value, unit in re.findall(
        r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M
    ):
        result[f"p{percent}_ms"] = round(_millis(value, unit), 2)
    total = re.search(r"(\d+) requests in", output)
    result["requests"] = float(total.group(1)) if total else 0.0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = float(non_2xx.group(1)) if non_2xx else 0.0
    errors = re.search(r"Socket errors: (.*)", output)
    result["socket_errors"] = (
        float(sum(int(n) for n in re.findall(r"\d+", errors.group(1)))) if errors else 0.0
    )
    return result


def run(
    seconds: int, connections: int, threads: int, workers: int, *, unique: bool, access_log: bool
) -> dict[str, object]:
    """Start the server, warm it up, run wrk; the measured figures."""
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="quotetrail-bench-") as name:
        folder = Path(name)
        port = free_port()
        texts = ", ".join(json.dumps(json.dumps(text)[1:-1]) for text in LOOKUPS)
        script = folder / "lookup.lua"
        script.write_text(_LUA % (texts, "true" if unique else "false"))
        server = start_server(folder, port, workers, access_log=access_log)
        try:
            url = f"http://127.0.0.1:{port}"
            for text in LOOKUPS:  # every lookup answers, and correctly, before measuring
                response = httpx.post(f"{url}/v1/lookup", json={"text": text}, timeout=10)
                response.raise_for_status()
            base = [wrk, "-t", str(threads), "-c", str(connections), "-s", str(script)]
            subprocess.run([*base, "-d", "3s", url], check=True, capture_output=True)
            load_before = load_average()
            cpu_before = group_cpu_seconds(server.pid)
            done = subprocess.run(
                [*base, "-d", f"{seconds}s", "--latency", "--timeout", "5s", url],
                check=True,
                capture_output=True,
                text=True,
            )
            server_cpu = group_cpu_seconds(server.pid) - cpu_before
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    figures = parse_wrk(done.stdout)
    return {
        **figures,
        # Server CPU per lookup: what the throughput on idle cores would be bound by.
        "server_cpu_ms_per_lookup": round(1000 * server_cpu / max(figures["requests"], 1), 3),
        "load_average_before": load_before,
        "texts": "unique (no answer reused)" if unique else f"{len(LOOKUPS)} repeated",
        "access_log": access_log,
        "seconds": seconds,
        "connections": connections,
        "wrk_threads": threads,
        "server_workers": workers,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument(
        "--unique", action="store_true", help="a different text every request (no cached answer)"
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="serve without uvicorn's request log"
    )
    args = parser.parse_args()
    figures = run(
        args.seconds,
        args.connections,
        args.threads,
        args.workers,
        unique=args.unique,
        access_log=not args.no_access_log,
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
