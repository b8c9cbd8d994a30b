"""Schemathesis generates requests from the OpenAPI document and sends them to the live servers of
both backends: none may give a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from api.factory import create_app

pytestmark = pytest.mark.slow  # thousands of generated requests to the live servers of both backends

# The document the servers publish at /openapi.json (it does not depend on the store).
SCHEMA = schemathesis.openapi.from_dict(create_app().openapi())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
EXAMPLES_PER_OPERATION = 40


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_no_generated_request_gives_a_server_error(
    operation: schemathesis.APIOperation, servers: dict[str, str]
) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        for base_url in servers.values():
            case.call_and_validate(base_url=base_url, checks=[not_a_server_error])

    check()
