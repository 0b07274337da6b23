#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, then runs lint, types and tests.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# PostgreSQL server binaries: the suite starts its own throwaway cluster with them.
if ! compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null; then need_apt+=(postgresql postgresql-contrib); fi
# Chromium for the browser tests of the pages (Playwright drives it; it never downloads a browser).
if [ ! -x /usr/bin/chromium ]; then need_apt+=(chromium); fi
if ((${#need_apt[@]})); then
    SUDO=""; if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[test]"

.venv/bin/ruff check quotetrail tests benchmarks
.venv/bin/ruff format --check quotetrail tests benchmarks
.venv/bin/mypy
# Known vulnerabilities in the installed dependencies fail the build; an advisory service out of
# reach is reported loudly (QUOTETRAIL_REQUIRE_AUDIT=1 makes that fail too): docs/RELIABILITY.md.
.venv/bin/python scripts/audit_dependencies.py

set +e
.venv/bin/pytest -q "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
    echo "pytest collected no tests: the suite is missing or misconfigured" >&2
    exit 1
fi
exit "$status"
