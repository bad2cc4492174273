"""Fleet and alert query API, history and triage, CLI: against a real collector on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import time
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import create_engine, update

from collectors.store import tables
from collectors.store.database import normalize_url
from tests.integration.collector.processes import CLAWWATCH
from tests.integration.fleet.conftest import FleetEnv
from tests.integration.fleet.inventories import alert, install, report


@dataclass
class Populated:
    env: FleetEnv
    alert_ids: dict[str, str]


def names(page: dict) -> list[str]:  # type: ignore[type-arg]
    return [item["hostname"] for item in page["items"]]


@pytest.fixture
def populated(fleet: FleetEnv) -> Populated:
    alpha, bravo, charlie = fleet.enroll("alpha"), fleet.enroll("bravo"), fleet.enroll("charlie")
    delta, _echo = fleet.enroll("delta"), fleet.enroll("echo")
    home = "/home/alice/.openclaw"
    fleet.ship(alpha, "inventory", report("alpha", install(home, install_id="a1")))
    fleet.ship(alpha, "inventory", report("alpha", install(home, install_id="a1", running=True, exposed=True,
                                                           grants=("shell", "gmail", "slack"))))
    fleet.ship(bravo, "inventory", report("bravo", install("/home/bob/.openclaw", owner="bob", running=True,
                                                           version="2026.2.26")))
    fleet.ship(charlie, "inventory", report("charlie", install("/home/carol/.clawdbot", product="clawdbot",
                                                               owner="carol", version="2026.1.5",
                                                               grants=("filesystem",))))
    fleet.ship(delta, "inventory", report("delta", install("/home/dan/.openclaw", owner="dan", install_id="d1")))
    fleet.ship(delta, "inventory", report("delta"))
    ids = {
        "alpha-high": fleet.ship(alpha, "alert", alert("alpha", 1, when="2026-11-22T04:10:00Z"), 3),
        "alpha-crit": fleet.ship(alpha, "alert", alert("alpha", 2, level="critical", rule_id="cw-cred-read",
                                                       when="2026-11-22T05:00:00Z"), 4),
        "bravo-low": fleet.ship(bravo, "alert", alert("bravo", 1, level="low", rule_id="cw-presence",
                                                      when="2026-11-21T23:00:00Z"), 1),
    }
    return Populated(fleet, ids)


def test_counts_and_host_filters(populated: Populated) -> None:
    env = populated.env
    assert env.get("/api/v1/fleet/summary") == {"enrolled": 5, "with_agent": 3, "exposed": 1, "running": 2,
                                                 "with_shell": 1, "with_gmail": 1, "with_slack": 1, "stale": 0}
    hosts = "/api/v1/fleet/hosts"
    assert names(env.get(hosts)) == ["alpha", "bravo", "charlie", "delta"]  # echo sent no inventory yet
    alpha = env.get(hosts, exposed="true", grant="gmail")["items"]
    assert [h["hostname"] for h in alpha] == ["alpha"]
    assert alpha[0]["grants"] == ["shell", "slack", "gmail"] and alpha[0]["running"] and not alpha[0]["stale"]
    assert names(env.get(hosts, grant=["slack", "filesystem"])) == ["alpha", "charlie"]
    assert names(env.get(hosts, grant=["gmail", "slack"], grant_mode="all")) == ["alpha"]
    assert names(env.get(hosts, grant=["gmail", "filesystem"], grant_mode="all")) == []
    assert names(env.get(hosts, running="true")) == ["alpha", "bravo"]
    assert names(env.get(hosts, exposed="false", has_agent="true")) == ["bravo", "charlie"]
    assert names(env.get(hosts, product="clawdbot")) == ["charlie"]
    assert names(env.get(hosts, version_min="2026.3")) == ["alpha"]
    assert names(env.get(hosts, version_max="2026.2.26")) == ["bravo", "charlie"]
    assert names(env.get(hosts, owner="bob")) == ["bravo"]
    assert names(env.get(hosts, hostname="ha")) == ["alpha", "charlie"]
    page = env.get(hosts, sort="-hostname", limit=2, offset=1)
    assert names(page) == ["charlie", "bravo"] and page["total"] == 4
    bad = env.collector.api("GET", hosts, env.analyst, params={"grant": "telepathy"})
    assert bad.status_code == 422 and "unknown grant" in bad.text


def test_stale_hosts_are_marked(populated: Populated) -> None:
    env = populated.env
    engine = create_engine(normalize_url(env.db_url))
    with engine.begin() as conn:  # bravo's sensor went silent an hour ago
        conn.execute(update(tables.hosts).where(tables.hosts.c.host_id == env.hosts["bravo"].host_id)
                     .values(last_seen=time.time() - 3600))
    engine.dispose()
    assert names(env.get("/api/v1/fleet/hosts", stale="true")) == ["bravo"]
    assert "bravo" not in names(env.get("/api/v1/fleet/hosts", stale="false"))
    assert env.get("/api/v1/fleet/hosts", stale="true", stale_minutes=90)["total"] == 0
    assert env.get("/api/v1/fleet/summary")["stale"] == 1
    assert env.get("/api/v1/fleet/hosts/bravo")["stale"] is True


def test_history_installs_and_timeline(populated: Populated) -> None:
    env = populated.env
    timeline = env.get("/api/v1/fleet/hosts/alpha/timeline")
    changes = [(e["what"], e["detail"]) for e in timeline if e["type"] == "inventory"]
    assert sorted(what for what, _ in changes) == ["exposure_changed", "grant_added", "install_added",
                                                   "running_changed"]
    assert dict(changes)["grant_added"] == {"grants": ["shell", "slack", "gmail"]}
    assert [e["what"] for e in timeline if e["type"] == "alert"] == ["cw-cred-read fired", "cw-agent-shell fired"]
    delta = env.get(f"/api/v1/fleet/hosts/{env.hosts['delta'].host_id}")
    assert delta["inventory"]["installs"] == 0 and delta["installs"][0]["removed_at"] is not None
    assert [e["what"] for e in env.get("/api/v1/fleet/hosts/delta/timeline")] == ["install_removed",
                                                                                   "install_added"]
    assert env.get("/api/v1/fleet/installs")["total"] == 3
    with_removed = env.get("/api/v1/fleet/installs", include_removed="true", sort="hostname")
    assert [i["hostname"] for i in with_removed["items"]] == ["alpha", "bravo", "charlie", "delta"]
    exposed = env.get("/api/v1/fleet/installs", exposed="true")["items"]
    assert [(i["hostname"], i["listeners"][0]["address"]) for i in exposed] == [("alpha", "0.0.0.0")]
    first, last = exposed[0]["first_seen"], exposed[0]["last_seen"]
    assert first <= last
    missing = env.collector.api("GET", "/api/v1/fleet/hosts/nope", env.analyst)
    assert missing.status_code == 404


def test_exports(populated: Populated) -> None:
    env = populated.env
    text = env.collector.api("GET", "/api/v1/fleet/hosts.csv", env.analyst, params={"grant": "slack"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["hostname"], r["grants"], r["exposed"]) for r in rows] == [("alpha", "shell;slack;gmail", "true")]
    data = env.collector.api("GET", "/api/v1/fleet/installs.json", env.analyst).json()
    assert sorted(i["hostname"] for i in data) == ["alpha", "bravo", "charlie"]
    alerts = list(csv.DictReader(io.StringIO(
        env.collector.api("GET", "/api/v1/alerts.csv", env.analyst, params={"sort": "ts"}).text)))
    assert [a["hostname"] for a in alerts] == ["bravo", "alpha", "alpha"]


def test_alert_filters_and_triage(populated: Populated) -> None:
    env, ids = populated.env, populated.alert_ids
    alerts = "/api/v1/alerts"
    assert [a["record_id"] for a in env.get(alerts)["items"]] == [ids["alpha-crit"], ids["alpha-high"],
                                                                  ids["bravo-low"]]
    assert env.get(alerts, min_level="high")["total"] == 2
    assert [a["level"] for a in env.get(alerts, level=["low", "critical"])["items"]] == ["critical", "low"]
    assert env.get(alerts, host="bravo")["total"] == 1
    assert env.get(alerts, host=env.hosts["alpha"].host_id)["total"] == 2
    assert env.get(alerts, rule_id="cw-cred-read")["total"] == 1
    assert env.get(alerts, since="2026-11-22T00:00:00Z", until="2026-11-22T04:30:00Z")["total"] == 1

    triage = f"{alerts}/{ids['alpha-high']}/triage"
    api = env.collector.api
    assert api("POST", triage, env.analyst, json={"action": "ack", "note": "on it"}).json()["status"] == "acknowledged"
    assert api("POST", triage, env.analyst, json={"action": "assign"}).status_code == 422
    assigned = api("POST", triage, env.analyst, json={"action": "assign", "assignee": "alice"}).json()
    assert assigned["assignee"] == "alice"
    api("POST", triage, env.analyst, json={"action": "note", "note": "laptop reimaged"})
    closed = api("POST", triage, env.admin, json={"action": "close"}).json()
    assert closed["status"] == "closed"
    log = [(t["action"], t["author"].split(" ")[0]) for t in closed["triage"]]
    assert log[:3] == [("ack", "soc-alice"), ("assign", "soc-alice"), ("note", "soc-alice")]
    assert log[3][0] == "close" and "(admin " in closed["triage"][3]["author"]
    assert env.get(alerts, status="new")["total"] == 2
    assert env.get(alerts, status="closed", assignee="alice")["total"] == 1
    assert api("POST", f"{alerts}/h-000000000000:9/triage", env.analyst, json={"action": "ack"}).status_code == 404

    ocsf = env.get(f"{alerts}/{ids['alpha-crit']}", format="ocsf")
    assert ocsf["class_uid"] == 2004 and ocsf["evidences"][0]["process"]["ai_agent"]["name"] == "OpenClaw"
    assert env.get(f"{alerts}/{ids['alpha-crit']}", format="ecs")["event"]["kind"] == "alert"


def test_replayed_records_change_nothing(populated: Populated) -> None:
    env = populated.env
    host = env.hosts["bravo"]
    record = {"record_id": f"{host.host_id}:{host.seq}", "host_id": host.host_id, "seq": host.seq,
              "kind": "alert", "created_at": "2026-11-22T04:00:00+00:00", "severity": 1,
              "body": alert("bravo", 1, level="low", rule_id="cw-presence", when="2026-11-21T23:00:00Z")}
    resp = env.collector.api("POST", "/api/v1/ingest", host.token, json={"host_id": host.host_id,
                                                                           "records": [record]})
    assert resp.status_code in (200, 409)
    assert env.get("/api/v1/alerts", host="bravo")["total"] == 1


def _cli(env: FleetEnv, *args: str, token: bool = True) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CLAWWATCH_")}
    environ["CLAWWATCH_COLLECTOR"] = env.url
    if token:
        environ["CLAWWATCH_TOKEN"] = env.analyst
    return subprocess.run([str(CLAWWATCH), *args], capture_output=True, text=True, env=environ, timeout=60,
                          check=False)


def test_cli_fleet_and_alerts(populated: Populated) -> None:
    env, ids = populated.env, populated.alert_ids
    out = _cli(env, "fleet", "hosts", "--grant", "slack", "--exposed", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert names(json.loads(out.stdout)) == ["alpha"]
    table = _cli(env, "fleet", "hosts", "--running")
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["HOST", "OS", "PRODUCT"]
    assert [line.split()[0] for line in lines[2:4]] == ["alpha", "bravo"]
    assert lines[-1] == "2 matching, showing 1-2"
    rows = list(csv.DictReader(io.StringIO(_cli(env, "fleet", "hosts", "--format", "csv", "--all").stdout)))
    assert [r["hostname"] for r in rows] == ["alpha", "bravo", "charlie", "delta"]
    host = _cli(env, "fleet", "host", "alpha")
    assert host.returncode == 0 and "grant_added" in host.stdout and "0.0.0.0:18789" in host.stdout
    assert "laptop" not in _cli(env, "fleet", "summary").stderr
    summary = _cli(env, "fleet", "summary", "--format", "json")
    assert json.loads(summary.stdout)["with_gmail"] == 1

    listed = _cli(env, "alerts", "list", "--min-level", "high", "--format", "json")
    assert [a["record_id"] for a in json.loads(listed.stdout)["items"]] == [ids["alpha-crit"], ids["alpha-high"]]
    alert_table = _cli(env, "alerts", "list", "--min-level", "high").stdout.splitlines()
    assert alert_table[0].split()[:3] == ["ID", "TIME", "HOST"] and ids["alpha-crit"] in alert_table[2]
    assert alert_table[-1] == "2 matching, showing 2"
    acked = _cli(env, "alerts", "ack", ids["alpha-crit"], "--note", "checking")
    assert acked.returncode == 0 and f"{ids['alpha-crit']}: acknowledged" in acked.stdout
    shown = _cli(env, "alerts", "show", ids["alpha-crit"])
    assert "status acknowledged" in shown.stdout and "checking" in shown.stdout
    ocsf = json.loads(_cli(env, "alerts", "show", ids["alpha-crit"], "--format", "ocsf").stdout)
    assert ocsf["class_uid"] == 2004

    no_token = _cli(env, "fleet", "hosts", token=False)
    assert no_token.returncode == 1 and "CLAWWATCH_TOKEN" in no_token.stderr
    bad = _cli(env, "fleet", "hosts", "--token", env.hosts["alpha"].token)
    assert bad.returncode == 1 and "HTTP 403" in bad.stderr


def test_metrics_count_ingest_and_need_a_reader_token(populated: Populated) -> None:
    env = populated.env
    text = env.collector.api("GET", "/metrics", env.analyst).text
    assert 'clawwatch_ingest_records_total{kind="inventory"} 6.0' in text
    assert 'clawwatch_ingest_records_total{kind="alert"} 3.0' in text
    assert 'clawwatch_inventory_changes_total{change="install_removed"} 1.0' in text
    assert env.collector.api("GET", "/metrics").status_code == 401


def test_hostile_text_is_stored_and_bad_filters_are_refused(fleet: FleetEnv) -> None:
    host = fleet.enroll("hostile")
    evil = install("/home/x/.openclaw\x00/../../etc", owner="ev\x00il", version="2026.9.6\x00")
    body = report("hostile\x00host", evil)
    body["installs"][0]["exposure"] = {"note": "nul\x00inside", "nested": [{"k": "\x00"}]}
    fleet.ship(host, "inventory", body)
    fleet.ship(host, "alert", alert("hostile\x00host", 1) | {"title": "t\x00itle", "UtcTime": "99999-01-01"}, 3)
    detail = fleet.get(f"/api/v1/fleet/hosts/{host.host_id}")
    assert detail["installs"][0]["owner"] == "ev\ufffdil"
    assert fleet.get("/api/v1/alerts", host=host.host_id)["items"][0]["title"] == "t\ufffditle"
    for params in ({"hostname": "a\x00b"}, {"owner": "\x01"}, {"since": "yesterday"}, {"sort": "password"},
                   {"limit": 0}, {"grant_mode": "some"}):
        resp = fleet.collector.api("GET", "/api/v1/fleet/hosts" if "since" not in params else "/api/v1/alerts",
                                   fleet.analyst, params=params)
        assert resp.status_code == 422, (params, resp.status_code)
    assert fleet.collector.api("GET", "/api/v1/fleet/hosts/a%00b", fleet.analyst).status_code == 422
    cookies = {"cw_console": fleet.analyst}
    for page in ("/console/hosts/a%00b", "/console/alerts/a%00b:1"):
        assert requests.get(fleet.url + page, cookies=cookies, timeout=30).status_code == 404
    assert requests.get(fleet.url + "/console/", params={"hostname": "\x00"}, cookies=cookies,
                        timeout=30).status_code == 200  # the page shows the filter error instead
