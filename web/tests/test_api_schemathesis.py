"""A bounded schemathesis run over the API's own OpenAPI schema (issue 16, Deliver 12).

Every operation of ``/api/openapi.json`` gets generated requests, valid ones and invalid ones,
sent as the owner agency's manager (a token, so writes are allowed): no answer may be a server
error, and each answer must conform to the schema (documented status code, content type and
body), as schemathesis's default checks judge. The number of examples is bounded (and the
draws derandomised) so the run is repeatable and takes well under two minutes on two cores.

The operations are driven one by one with Hypothesis inside this one test rather than through
schemathesis's pytest plugin, whose subtests do not work with pytest 9.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

EXAMPLES = 25  # per operation and generation mode
# A schema-valid request may still break a rule the schema cannot state (an agency that does
# not exist, a file that is not a survey): 400 with a message is the right answer there, so
# "valid data must be accepted" is the one default check left out.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture
def token(world: dict[str, Any]) -> str:
    from agencies.actions import create_token
    from django.contrib.auth import get_user_model

    return create_token(get_user_model().objects.get(username="manager"), "schemathesis")


@pytest.fixture
def connection_kept() -> Any:
    """Keep the test's database connection across the WSGI requests, as Django's own test
    client does: the handler's close_old_connections would otherwise close it (PostgreSQL) in
    the middle of the test transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_conforms_to_its_schema(
    world: dict[str, Any], token: str, connection_kept: Any
) -> None:
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    tried: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

            run()
            tried.append(f"{operation.label} {mode.value}")
    assert len(tried) == 2 * len(operations)
