"""Every metric the collector declares (collectors/metrics.py) moves in a real collector process, read from its
/metrics: ingest (records, duplicates, refusals by reason, batch time), inventory changes, query time, and each
forwarder series (a HEC receiver that refuses one batch then takes the rest, and a webhook nobody listens on:
errors, a non-empty queue that overflows and drops). A metric declared but never updated fails this test."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.parser import text_string_to_metric_families

from collectors import metrics
from tests.integration.collector.conftest import scratch_database
from tests.integration.collector.processes import ENROLL_SECRET, Collector
from tests.integration.fleet.inventories import alert, install, report
from tests.support.siem_receivers import HecReceiver, free_port


def _declared() -> dict[str, MetricWrapperBase]:
    """The metric objects collectors/metrics.py declares, by exposition name (counters without ``_total``)."""
    found = {}
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            (family,) = value.describe()
            found[family.name] = value
    return found


def _scrape(collector: Collector, token: str) -> dict[str, list[Any]]:
    response = collector.api("GET", "/metrics", token)
    assert response.status_code == 200, response.text
    return {family.name: family.samples for family in text_string_to_metric_families(response.text)}


def _value(samples: dict[str, list[Any]], family: str, sample: str, **labels: str) -> float:
    return sum(s.value for s in samples.get(family, []) if s.name == sample and labels.items() <= s.labels.items())


@pytest.fixture
def forwarding_collector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Collector, HecReceiver]]:
    hec = HecReceiver("hec-token", require_channel=False).start()
    hec.reject_next_with = 400  # the first batch is refused as malformed: counted and dropped
    config = {
        "queue_dir": str(tmp_path / "forward"), "queue_max_bytes": 1024,
        "forwarders": [
            {"type": "hec", "name": "splunk", "url": f"http://127.0.0.1:{hec.port}", "token_env": "TEST_HEC"},
            {"type": "webhook", "name": "offline", "url": f"http://127.0.0.1:{free_port()}/hook"},
        ],
    }
    (tmp_path / "forwarders.json").write_text(json.dumps(config))
    monkeypatch.setenv("TEST_HEC", "hec-token")
    with scratch_database("sqlite", tmp_path) as url:
        collector = Collector(db_url=url, workdir=tmp_path, admin_token="cw_admin_" + secrets.token_hex(16),
                              extra=["--forwarders", str(tmp_path / "forwarders.json")])
        try:
            collector.start()
            yield collector, hec
        finally:
            collector.kill()
            hec.stop()


def _wait_for(collector: Collector, token: str, what: str, check: Any, timeout: float = 60.0) -> dict[str, list[Any]]:
    deadline = time.monotonic() + timeout
    while True:
        samples = _scrape(collector, token)
        if check(samples):
            return samples
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.2)


def test_every_declared_metric_moves(forwarding_collector: tuple[Collector, HecReceiver]) -> None:
    collector, hec = forwarding_collector
    admin = collector.admin_token
    host_id = f"h-{secrets.token_hex(6)}"
    enrolled = collector.api("POST", "/api/v1/enroll", json={"enroll_secret": ENROLL_SECRET, "host_id": host_id,
                                                              "hostname": "metrics-host", "sensor_version": "0.1.0"})
    token = enrolled.json()["token"]
    seq = 0

    def records(*bodies: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
        nonlocal seq
        out = []
        for kind, body in bodies:
            seq += 1
            out.append({"record_id": f"{host_id}:{seq}", "host_id": host_id, "seq": seq, "kind": kind,
                        "created_at": "2026-11-22T04:00:00+00:00", "severity": 3, "body": body})
        return out

    def ship(batch: list[dict[str, Any]], expect: int = 200, bearer: str | None = None) -> None:
        response = collector.api("POST", "/api/v1/ingest", bearer or token, json={"host_id": host_id,
                                                                                  "records": batch})
        assert response.status_code == expect, response.text

    first = records(("inventory", report("metrics-host", install("/home/alice/.openclaw"))),
                    ("alert", alert("metrics-host", 1)),
                    ("alert", {"not": "an alert"}))  # stored as received, not projected
    ship(first)
    ship(first, expect=409)  # a replay: refused (replayed_batch), its records counted as duplicates
    ship(records(("heartbeat", {})), expect=401, bearer="cw_not_a_token")  # refused: invalid_credential
    _wait_for(collector, admin, "the HEC receiver's refusal of the first batch",
              lambda s: _value(s, "clawwatch_forwarder_rejected", "clawwatch_forwarder_rejected_total",
                               forwarder="splunk") >= 1)
    for n in range(2, 12):  # more than the offline forwarder's 1 KiB queue holds
        ship(records(("alert", alert("metrics-host", n))))
    assert collector.api("GET", "/api/v1/fleet/hosts", admin).status_code == 200
    samples = _wait_for(
        collector, admin, "delivery to HEC and an overflow of the offline queue",
        lambda s: _value(s, "clawwatch_forwarder_sent", "clawwatch_forwarder_sent_total", forwarder="splunk") >= 1
        and _value(s, "clawwatch_forwarder_dropped", "clawwatch_forwarder_dropped", forwarder="offline") >= 1
        and _value(s, "clawwatch_forwarder_errors", "clawwatch_forwarder_errors_total", forwarder="offline") >= 1)

    assert _value(samples, "clawwatch_ingest_records", "clawwatch_ingest_records_total", kind="alert") == 12
    assert _value(samples, "clawwatch_ingest_records", "clawwatch_ingest_records_total", kind="inventory") == 1
    assert _value(samples, "clawwatch_ingest_duplicates", "clawwatch_ingest_duplicates_total") == 3
    assert _value(samples, "clawwatch_ingest_rejected", "clawwatch_ingest_rejected_total",
                  reason="replayed_batch") == 1
    assert _value(samples, "clawwatch_ingest_rejected", "clawwatch_ingest_rejected_total",
                  reason="invalid_credential") == 1
    assert _value(samples, "clawwatch_ingest_batch_seconds", "clawwatch_ingest_batch_seconds_count") == 13
    assert _value(samples, "clawwatch_inventory_changes", "clawwatch_inventory_changes_total",
                  change="install_added") == 1
    assert _value(samples, "clawwatch_query_seconds", "clawwatch_query_seconds_count", endpoint="fleet_hosts") == 1
    assert _value(samples, "clawwatch_forwarder_queue_depth", "clawwatch_forwarder_queue_depth",
                  forwarder="offline") >= 1
    assert hec.events, "the HEC receiver got the batches after the refused one"

    moved = {name for name, family in samples.items()
             if any(sample.value > 0 and not sample.name.endswith("_created") for sample in family)}
    assert not set(_declared()) - moved, f"declared but never updated: {sorted(set(_declared()) - moved)}"
