"""Acceptance 3: fuzz the running collector from its own OpenAPI document (schemathesis): never a 5xx.

Every operation is exercised with a sensor token and with an admin token, a bounded number of examples
each (derandomized: the same examples every run), against a real collector process on SQLite; afterwards
the process must still be healthy.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.integration.collector.processes import ENROLL_SECRET, Collector

EXAMPLES = 10


def _exercise(operation: Any, token: str, failures: list[str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=30)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                            f"{response.text[:200]}")

    run()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_openapi_fuzz_never_5xx(collector: Collector) -> None:
    enrolled = collector.api("POST", "/api/v1/enroll", json={"enroll_secret": ENROLL_SECRET,
                                                            "host_id": "hostfuzz00000001"})
    sensor_token = enrolled.json()["token"]
    schema = schemathesis.openapi.from_url(collector.url + "/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for token in (sensor_token, collector.admin_token):
            _exercise(operation, token, failures)
    assert operations >= 8
    assert not failures, "\n".join(failures[:20])
    assert collector.alive()
