"""HTTP lookup throughput and latency: wrk POSTing /v1/lookup to `quotetrail serve` on 127.0.0.1.

Run: `python -m benchmarks.http_lookup [--database-url URL --quotes N] [--seconds 20]
[--connections 4,8,16] [--workers 2]`. With `--database-url`, the server serves that existing
database (one built by benchmarks.build with N quotes, e.g. the suite's 1M PostgreSQL one) and
the lookups are perturbed queries from benchmarks.corpus (cuts, fragments, rewordings, typos);
without it, a fresh SQLite database in a temporary folder holding the seeds, and eight lookups
of the seeds. Rate limits are off; wrk (Debian's package, installed with apt-get when missing)
runs for a fixed time after a warm-up, twice at each number of connections, and reports
requests/s and percentiles for each run:

- "mix": a realistic mix: REPEAT_SHARE of the requests repeat one of a few hundred popular texts
  (answered from each worker's lookup cache once computed there), the rest are texts not sent
  before (computed);
- "unique": every text differs, so every lookup is computed: no answer comes from the cache.

wrk keeps each connection's next request waiting for the answer to its last, so its mean
latency is its connections divided by the throughput: once the server's cores are busy, more
connections only lengthen the queue. Several counts show the throughput a latency costs.
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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from benchmarks import corpus

ROOT = Path(__file__).resolve().parent.parent
SEED_LOOKUPS = [
    "Is there nothing that can shame you?",
    "Are you truly incapable of shame?",
    "is there LITERALLY nothing that could shame you",
    "almost certainly a violation of international law and most likely constitutes war crimes",
    "what they consider to be a massacre",
    "Aleppo will join the ranks of those events in world history that define modern evil",
    "Turkey has made it clear that they want to ensure this humanitarian corridor",
    "a sentence about something else entirely, with no match at all",
]
# The realistic mix: this share of the requests repeats one of HOT_TEXTS popular texts (the same
# viral sentence pasted again), the rest are texts not sent before.
REPEAT_SHARE = 0.8
HOT_TEXTS = 200
# Distinct corpus texts handed to wrk per measured run for the computed lookups; beyond them a
# number is appended, so that a text is still never sent twice.
FRESH_TEXTS = 10_000
WARMUP_SECONDS = 5
# wrk connections of the runs. On 2 cores (1M quotes on PostgreSQL, the mix), 4 connections
# gave 74-106% of 16's throughput in six comparisons, at 34-58% of its p99; 16 is what
# earlier runs used.
CONNECTIONS = (4, 8, 16)
# wrk's Lua. Each thread learns its number in setup() so that threads never send the same fresh
# text; `share` of the requests pick a hot text at random.
_LUA = """
local hot = {%s}
local fresh = {%s}
local share = %s
local threads = %d
local started = 0
function setup(thread)
  thread:set("id", started)
  started = started + 1
end
local counter = 0
function init(args)
  math.randomseed(1000 + id)
end
request = function()
  local text
  if math.random() < share then
    text = hot[math.random(#hot)]
  else
    counter = counter + 1
    local i = counter * threads + id
    text = fresh[(i %% #fresh) + 1]
    if i >= #fresh then text = text .. " v" .. i end
  end
  local body = '{"text":"' .. text .. '"}'
  return wrk.format("POST", "/v1/lookup", {["Content-Type"] = "application/json"}, body)
end
"""


def lua_strings(texts: list[str]) -> str:
    """Texts as Lua long-bracket literals of their JSON-escaped form (ASCII, so any text fits)."""
    escaped = [json.dumps(text, ensure_ascii=True)[1:-1] for text in texts]
    assert not any("]==]" in text for text in escaped)
    return ", ".join(f"[==[{text}]==]" for text in escaped)


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
    folder: Path, port: int, workers: int, *, database_url: str | None, access_log: bool
) -> subprocess.Popen[bytes]:
    """`quotetrail serve` on `database_url` (else a fresh SQLite database), once /healthz answers.

    `serve` migrates the database first: a database built by benchmarks.build is at head
    already, so nothing is written to it.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTETRAIL_")}
    env.update(
        QUOTETRAIL_DATABASE_URL=database_url or f"sqlite:///{folder / 'bench.db'}",
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


def cpu_seconds(*, pgid: int, database: str | None) -> tuple[float, float]:
    """CPU time (user + system) used so far by the live processes of a process group (the
    server), and by the PostgreSQL backends serving `database` (their title names it)."""
    ticks = os.sysconf("SC_CLK_TCK")
    server = backends = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            title = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        used = int(fields[11]) + int(fields[12])  # fields: state, ppid, pgrp, ..., utime, stime
        if int(fields[2]) == pgid:
            server += used
        elif database and title.startswith("postgres: ") and f" {database} " in title:
            backends += used
    return server / ticks, backends / ticks


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


def fresh_texts(n_quotes: int | None, seed: str, count: int) -> list[str]:
    """Texts for computed lookups: corpus queries on a built database, else the seeds' lookups
    made different by a number. Each wrk run gets its own seed, so none was sent before."""
    if n_quotes is None:
        return [f"{text} {seed} {i}" for i in range(count // 8) for text in SEED_LOOKUPS]
    return [q.text for q in corpus.queries(count, stored_quotes=n_quotes, seed=seed)]


def write_script(folder: Path, name: str, hot: list[str], fresh: list[str], *, share: float,
                 threads: int) -> Path:  # fmt: skip
    """wrk's Lua for one run."""
    script = folder / f"{name}.lua"
    script.write_text(_LUA % (lua_strings(hot), lua_strings(fresh), share, threads))
    return script


def wrk_run(
    wrk: str,
    url: str,
    script: Path,
    *,
    seconds: int,
    connections: int,
    threads: int,
    pgid: int,
    database: str | None,
) -> dict[str, Any]:
    """One wrk run: its figures, and the server's and the database's CPU time per request."""
    load_before = load_average()
    server_before, database_before = cpu_seconds(pgid=pgid, database=database)
    command = [wrk, "-t", str(threads), "-c", str(connections), "-s", str(script)]
    command += ["-d", f"{seconds}s", "--latency", "--timeout", "5s", url]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    server_after, database_after = cpu_seconds(pgid=pgid, database=database)
    figures = parse_wrk(done.stdout)
    requests = max(figures["requests"], 1)
    return {
        **figures,
        # CPU per lookup of the uvicorn workers, and of the PostgreSQL backends serving them:
        # what the throughput on idle cores would be bound by (wrk's own CPU not counted).
        "server_cpu_ms_per_lookup": round(1000 * (server_after - server_before) / requests, 3),
        "database_cpu_ms_per_lookup": round(
            1000 * (database_after - database_before) / requests, 3
        ),
        "load_average_before": load_before,
    }


def measure(
    *,
    database_url: str | None = None,
    n_quotes: int | None = None,
    seconds: int = 20,
    connections: Sequence[int] = CONNECTIONS,
    threads: int = 2,
    workers: int = 2,
    access_log: bool = False,
) -> dict[str, Any]:
    """Start the server, then at each number of connections the mix and the all-unique runs,
    each after a warm-up run."""
    wrk = ensure_wrk()
    if n_quotes is None:
        hot = SEED_LOOKUPS
    else:
        hot = [q.text for q in corpus.queries(HOT_TEXTS, stored_quotes=n_quotes, seed="http-hot")]
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="quotetrail-bench-") as name:
        folder = Path(name)
        port = free_port()
        server = start_server(
            folder, port, workers, database_url=database_url, access_log=access_log
        )
        try:
            url = f"http://127.0.0.1:{port}"
            for text in hot[:20]:  # lookups answer before anything is measured
                response = httpx.post(f"{url}/v1/lookup", json={"text": text}, timeout=10)
                response.raise_for_status()
            database = make_url(database_url).database if database_url else None
            for count in connections:
                used = min(threads, count)  # wrk wants a connection per thread at least
                options = {"connections": count, "threads": used, "pgid": server.pid}
                run: dict[str, Any] = {"connections": count}
                for phase, share in (("mix", REPEAT_SHARE), ("unique", 0.0)):
                    # The warm-up fills the caches with the popular texts, as in steady
                    # service; its fresh texts differ from the measured run's. Every run has
                    # texts of its own: none was computed by an earlier run.
                    label = f"http-{phase}-{count}"
                    warmup = fresh_texts(n_quotes, f"{label}-warmup", WARMUP_SECONDS * 600)
                    script = write_script(folder, "warmup", hot, warmup, share=share, threads=used)
                    wrk_run(wrk, url, script, seconds=WARMUP_SECONDS, database=database, **options)
                    fresh = fresh_texts(n_quotes, label, FRESH_TEXTS)
                    script = write_script(folder, phase, hot, fresh, share=share, threads=used)
                    run[phase] = wrk_run(
                        wrk, url, script, seconds=seconds, database=database, **options
                    )
                runs.append(run)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    return {
        "runs": runs,
        "texts": {
            "mix": f"{REPEAT_SHARE:.0%} repeats of {len(hot)} popular texts (answered from a "
            "worker's cache once computed there), the rest never sent before (computed)",
            "unique": "every text different: every lookup computed, none cached",
        },
        "database": (database_url or "sqlite").split(":", 1)[0].split("+", 1)[0],
        "n_quotes": n_quotes,
        "access_log": access_log,
        "seconds": seconds,
        "wrk_threads": threads,
        "server_workers": workers,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }


def connection_counts(value: str) -> list[int]:
    """`--connections`: numbers of wrk connections, comma-separated (each at least 1)."""
    try:
        counts = [int(part) for part in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {value!r}") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"connections must be at least 1: {value!r}")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="serve this existing database (built by build)")
    parser.add_argument("--quotes", type=int, help="how many quotes it holds (with the URL)")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--connections",
        type=connection_counts,
        default=list(CONNECTIONS),
        help="wrk connections, comma-separated: a run at each",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--access-log", action="store_true", help="log every request (uvicorn)")
    args = parser.parse_args()
    if (args.database_url is None) != (args.quotes is None):
        parser.error("--database-url and --quotes go together")
    figures = measure(
        database_url=args.database_url,
        n_quotes=args.quotes,
        seconds=args.seconds,
        connections=args.connections,
        threads=args.threads,
        workers=args.workers,
        access_log=args.access_log,
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
