"""scripts/audit_dependencies.py: a vulnerability always fails; an audit that could not run says
so loudly, and fails only when QUOTETRAIL_REQUIRE_AUDIT=1."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "audit_dependencies.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


audit = _load()
CLEAN = {"name": "rapidfuzz", "version": "3.9.0", "vulns": []}
OFFLINE = {
    "name": "alembic",
    "skip_reason": "Dependency not found on PyPI and could not be audited",
}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.2",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
}


@pytest.fixture(autouse=True)
def _not_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(audit.REQUIRE_ENV, raising=False)


def test_a_vulnerability_fails_even_when_other_packages_were_not_checked() -> None:
    status, lines = audit.verdict({"dependencies": [CLEAN, OFFLINE, VULNERABLE]})
    assert status == 1
    assert lines == ["VULNERABLE: jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in: 3.1.3)"]


def test_a_clean_audit_passes_and_names_what_was_not_checked() -> None:
    status, lines = audit.verdict({"dependencies": [CLEAN, OFFLINE]})
    assert status == 0
    assert "not checked: alembic" in lines[0]
    assert "1 packages checked" in lines[-1]


def test_an_unreachable_service_is_reported_not_passed_silently(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    status, lines = audit.verdict({"dependencies": [OFFLINE, OFFLINE]})
    assert status == 0 and lines[0].startswith("DEPENDENCY AUDIT NOT DONE")
    assert audit.verdict(None, "ConnectionError")[0] == 0
    monkeypatch.setenv(audit.REQUIRE_ENV, "1")
    assert audit.verdict({"dependencies": [OFFLINE]})[0] == 1
    assert audit.verdict(None, "ConnectionError")[0] == 1
