"""Schemathesis over ``/openapi.json``: generated requests (valid and invalid) to every operation
must get no server error and only responses the OpenAPI document describes (status, media type,
body schema). Bounded per operation, so the run stays within a minute or two per backend.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

#: Examples generated per operation (and backend).
EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(live_url: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{live_url}/openapi.json")
    schema.config.update(base_url=live_url, request_timeout=30)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays reproducible
    suppress_health_check=list(HealthCheck),
)
def test_every_response_is_documented_and_no_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
