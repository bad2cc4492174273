"""A collector process configured with forwarders through CLAWWATCH_FORWARDERS (the default of
`serve --forwarders`) sends new alerts to a Splunk HEC endpoint and a TLS syslog receiver the test runs;
a retried batch is not forwarded twice."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.integration.fleet.conftest import FleetEnv
from tests.integration.fleet.inventories import alert
from tests.support.siem_receivers import HecReceiver, SyslogReceiver, make_self_signed_cert


@pytest.fixture
def receivers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[HecReceiver, SyslogReceiver]:
    cert, key = make_self_signed_cert(tmp_path)
    hec = HecReceiver("hec-secret-token").start()
    syslog = SyslogReceiver(tls=(cert, key)).start()
    config = {
        "queue_dir": str(tmp_path / "forward"),
        "min_level": "medium",
        "forwarders": [
            {"type": "hec", "name": "splunk", "url": f"http://127.0.0.1:{hec.port}", "token_env": "TEST_HEC_TOKEN",
             "use_ack": True, "document": "ocsf"},
            {"type": "syslog", "name": "qradar", "host": "127.0.0.1", "port": syslog.port, "tls": True,
             "ca_bundle": str(cert), "server_name": "localhost", "payload": "cef"},
        ],
    }
    path = tmp_path / "forwarders.json"
    path.write_text(json.dumps(config))
    monkeypatch.setenv("CLAWWATCH_FORWARDERS", str(path))
    monkeypatch.setenv("TEST_HEC_TOKEN", "hec-secret-token")
    yield hec, syslog
    hec.stop()
    syslog.stop()


@pytest.fixture
def forwarding_fleet(receivers: tuple[HecReceiver, SyslogReceiver], fleet: FleetEnv) -> FleetEnv:
    return fleet


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_new_alerts_reach_hec_and_syslog(forwarding_fleet: FleetEnv,
                                         receivers: tuple[HecReceiver, SyslogReceiver]) -> None:
    hec, syslog = receivers
    env = forwarding_fleet
    host = env.enroll("fwd-host")
    env.ship(host, "alert", alert("fwd-host", 1, level="low"), 1)  # below min_level: stored, not forwarded
    env.ship(host, "alert", alert("fwd-host", 2, level="high"), 3)
    env.ship(host, "alert", alert("fwd-host", 3, level="critical"), 4)
    # the shipper retries a batch whose acknowledgement it lost: stored once, forwarded once
    record = {"record_id": f"{host.host_id}:{host.seq}", "host_id": host.host_id, "seq": host.seq, "kind": "alert",
              "created_at": "2026-11-22T04:00:00+00:00", "severity": 4, "body": alert("fwd-host", 3, level="critical")}
    env.collector.api("POST", "/api/v1/ingest", host.token, json={"host_id": host.host_id, "records": [record]})

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (len(hec.events) < 2 or len(syslog.received()) < 2):
        time.sleep(0.2)
    time.sleep(1.0)  # anything extra would arrive now
    assert sorted(e["event"]["finding_info"]["uid"] for e in hec.events) == ["alert-fwd-host-2", "alert-fwd-host-3"]
    assert all(e["event"]["class_uid"] == 2004 and e["host"] == "fwd-host" for e in hec.events)
    messages = syslog.received()
    assert len(messages) == 2 and all(b"CEF:0|clawwatch|clawwatch|" in m for m in messages)
    assert env.get("/api/v1/alerts", host="fwd-host")["total"] == 3
    metrics = env.collector.api("GET", "/metrics", env.analyst).text
    assert 'clawwatch_forwarder_sent_total{forwarder="splunk"} 2.0' in metrics
    assert 'clawwatch_forwarder_queue_depth{forwarder="qradar"} 0.0' in metrics
