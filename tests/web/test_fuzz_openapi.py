"""Schemathesis drives every operation of the OpenAPI schema with generated input: no 500, ever."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from tests.web_helpers import token_headers

EXAMPLES_PER_OPERATION = 25


def test_no_server_error_on_any_operation(app, client):
    headers = token_headers(client, "admin")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exercise(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(
                    f"{case.operation.label}: {response.status_code} {response.text[:300]} for {case!r}"
                )

        exercise()
    assert operations >= 20
    assert not failures, "\n".join(failures[:10])
