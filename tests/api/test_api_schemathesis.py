"""A bounded, seeded schemathesis run over /openapi.json: no input makes the API fail (5xx).

Cases come from schemathesis's strategies for each operation (valid requests, then requests that
break the schema) and run through hypothesis directly, derandomized so that every run tries the
same cases; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
import schemathesis
from apitools import AUTH, make_settings
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from quotetrail.api.app import create_app

# Server errors are the point; valid requests must also get the responses the document declares.
# (Accepting every schema-valid request is not checked: a blank text or a stale cursor is valid
# JSON Schema and still refused.)
POSITIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
NEGATIVE_CHECKS = [not_a_server_error, content_type_conformance]
# Per operation and mode; with 11 operations, a few hundred cases per database.
EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 20}


def _fuzz(operation: schemathesis.APIOperation, mode: GenerationMode, tried: list[int]) -> None:
    checks = POSITIVE_CHECKS if mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        tried.append(1)
        case.call_and_validate(headers=AUTH, checks=checks)

    try:
        run()
    except Unsatisfiable:
        # No way to break the schema of an operation without parameters (/healthz).
        assert mode is GenerationMode.NEGATIVE


@pytest.mark.slow
def test_no_server_errors(seeded_url: str) -> None:
    app = create_app(make_settings(seeded_url, url_fetch_enabled=False))
    tried: list[int] = []
    with TestClient(app):  # runs the lifespan
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 11
        for operation in operations:
            for mode in EXAMPLES:
                _fuzz(operation, mode, tried)
    assert len(tried) >= 300
