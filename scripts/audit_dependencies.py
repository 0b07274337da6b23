"""Audit the installed dependencies for known vulnerabilities (pip-audit, PyPI's advisories).

Exit 1 when any installed package has a known vulnerability: never ignored. When the advisory
service cannot be reached (an offline machine), pip-audit reports every package as "not found"
and would still say "No known vulnerabilities found": this script says loudly that the audit was
NOT done instead, and exits 0 so that an offline build still tests, unless
QUOTETRAIL_REQUIRE_AUDIT=1, where an audit that could not run fails the build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

REQUIRE_ENV = "QUOTETRAIL_REQUIRE_AUDIT"
COMMAND = [
    sys.executable, "-m", "pip_audit", "--local", "--skip-editable", "--format", "json",
    "--progress-spinner", "off", "--timeout", "20",
]  # fmt: skip


def verdict(report: dict[str, Any] | None, error: str = "") -> tuple[int, list[str]]:
    """(exit status, lines to print) for a pip-audit JSON report (None: it did not run)."""
    required = os.environ.get(REQUIRE_ENV) == "1"
    not_done = 1 if required else 0
    if report is None:
        return not_done, [f"DEPENDENCY AUDIT NOT DONE: pip-audit could not run ({error})."]
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    lines: list[str] = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            lines.append(
                f"VULNERABLE: {dependency['name']} {dependency.get('version')}: {vuln['id']} "
                f"(fixed in: {fixes})"
            )
    if vulnerable:
        return 1, lines
    if audited == 0:
        return not_done, [
            f"DEPENDENCY AUDIT NOT DONE: none of the {len(dependencies)} installed packages "
            "could be checked (the advisory service is unreachable from this machine)."
        ]
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        lines.append(f"dependency audit: {len(skipped)} package(s) not checked: {names}")
    lines.append(f"dependency audit: {audited} packages checked, no known vulnerabilities")
    return 0, lines


def main() -> int:
    """Run pip-audit and judge its report."""
    try:
        done = subprocess.run(COMMAND, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        status, lines = verdict(None, type(error).__name__)
    else:
        try:
            report = json.loads(done.stdout)
        except ValueError:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            status, lines = verdict(None, last[:300])
        else:
            status, lines = verdict(report)
    for line in lines:
        print(line, file=sys.stderr)
    if status == 0 and any(line.startswith("DEPENDENCY AUDIT NOT DONE") for line in lines):
        print(f"(set {REQUIRE_ENV}=1 to make this fail the build)", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
