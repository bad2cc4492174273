"""A real collector process (SQLite and PostgreSQL, via the collector tests' fixtures) with tokens of
every role and one enrolled sensor host; helpers to ship records the way the sensor's shipper does."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.integration.collector.conftest import db_url  # noqa: F401 (fixture: sqlite + postgresql)
from tests.integration.collector.processes import ENROLL_SECRET, Collector


@dataclass
class FleetHost:
    host_id: str
    hostname: str
    token: str
    seq: int = 0


@dataclass
class FleetEnv:
    collector: Collector
    db_url: str
    admin: str
    analyst: str
    hosts: dict[str, FleetHost] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.collector.url

    def enroll(self, hostname: str) -> FleetHost:
        host_id = f"h-{secrets.token_hex(6)}"
        resp = self.collector.api("POST", "/api/v1/enroll", json={
            "enroll_secret": ENROLL_SECRET, "host_id": host_id, "hostname": hostname,
            "sensor_version": "0.1.0"})
        resp.raise_for_status()
        host = FleetHost(host_id, hostname, resp.json()["token"], resp.json()["next_seq"] - 1)
        self.hosts[hostname] = host
        return host

    def ship(self, host: FleetHost, kind: str, body: dict[str, Any], severity: int = 0) -> str:
        host.seq += 1
        record = {"record_id": f"{host.host_id}:{host.seq}", "host_id": host.host_id, "seq": host.seq,
                  "kind": kind, "created_at": datetime.now(UTC).isoformat(), "severity": severity,
                  "body": body}
        resp = self.collector.api("POST", "/api/v1/ingest", host.token,
                                  json={"host_id": host.host_id, "records": [record]})
        assert resp.status_code == 200, resp.text
        return str(record["record_id"])

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        resp = self.collector.api("GET", path, token or self.analyst, params=params)
        assert resp.status_code == 200, (path, resp.status_code, resp.text)
        return resp.json()


@pytest.fixture
def fleet(db_url: str, tmp_path: Path) -> Iterator[FleetEnv]:  # noqa: F811
    admin = "cw_admin_" + secrets.token_hex(16)
    collector = Collector(db_url=db_url, workdir=tmp_path, admin_token=admin)
    try:
        collector.start(timeout=120)  # generous: the machine may be busy with other test suites
        resp = collector.api("POST", "/api/v1/admin/tokens", admin,
                             json={"role": "analyst", "label": "soc-alice"})
        resp.raise_for_status()
        yield FleetEnv(collector, db_url, admin, resp.json()["token"])
    finally:
        collector.kill()
