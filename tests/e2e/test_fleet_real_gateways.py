"""Fleet views over inventories of real OpenClaw installs, shipped by the real delivery path.

Scenarios (tests/support/fleet_scenarios.py): a gateway exposed on 0.0.0.0 with exec, Gmail and Slack
(after a first snapshot without them), a loopback gateway, a legacy ~/.clawdbot layout, an install
that was removed. Each scenario's snapshots go through the sensor's real spool + shipper
(``python -m sensor.delivery pipe``) into a real collector process on SQLite and PostgreSQL; then the
query API, the CLI and, in headless Chromium, the web console are checked against them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.collector.conftest import db_url  # noqa: F401 (fixture: sqlite + postgresql)
from tests.integration.collector.processes import CLAWWATCH, ENROLL_SECRET, ROOT, Collector
from tests.support.fixtures import require_openclaw
from tests.support.fleet_scenarios import HOSTNAMES, Scenario, build

# The first test also builds the scenarios (four real OpenClaw installs, one with the Slack plugin).
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]
ARTIFACTS = ROOT / "test-artifacts" / "fleet-console"
EXPOSED, LOOPBACK, LEGACY, REMOVED = (HOSTNAMES[k] for k in ("exposed", "loopback", "legacy", "removed"))


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Scenario]:
    return build(tmp_path_factory.mktemp("fleet-scenarios"), require_openclaw())


def _alert(hostname: str, n: int, level: str, title: str) -> dict[str, Any]:
    return {"AlertId": f"{hostname}-{n}", "UtcTime": "2026-11-22T04:10:00Z", "Hostname": hostname,
            "rule_id": f"cw-e2e-{n}", "title": title, "level": level, "tags": ["attack.t1059.004"],
            "event": {"category": "process_creation", "Image": "/usr/bin/bash", "CommandLine": "bash -c id",
                      "AgentProduct": "openclaw", "InAgentTree": True, "AgentRootPid": 4242}}


def ship_with_real_sensor_delivery(url: str, state_dir: Path, records: list[dict[str, Any]]) -> None:
    lines = "".join(json.dumps(record) + "\n" for record in records)
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    result = subprocess.run(
        [sys.executable, "-m", "sensor.delivery", "--state-dir", str(state_dir), "--collector", url,
         "--enroll-secret", ENROLL_SECRET, "pipe"],
        input=lines, capture_output=True, text=True, timeout=180, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


@dataclass
class RealFleet:
    collector: Collector
    analyst: str

    def get(self, path: str, **params: Any) -> Any:
        resp = self.collector.api("GET", path, self.analyst, params=params)
        assert resp.status_code == 200, resp.text
        return resp.json()


@pytest.fixture
def real_fleet(db_url: str, tmp_path: Path, scenarios: dict[str, Scenario]) -> Iterator[RealFleet]:  # noqa: F811
    collector = Collector(db_url=db_url, workdir=tmp_path, admin_token="cw_admin_e2e_fleet_0123456789abcdef")
    try:
        collector.start(timeout=120)
        for name, scenario in scenarios.items():
            records = [{"kind": "inventory", "severity": 0, "body": snapshot} for snapshot in scenario.snapshots]
            if name == "exposed":
                records.append({"kind": "alert", "severity": 3,
                                "body": _alert(scenario.hostname, 1, "high", "Shell spawned by OpenClaw agent")})
            ship_with_real_sensor_delivery(collector.url, tmp_path / f"sensor-{name}", records)
        token = collector.api("POST", "/api/v1/admin/tokens", collector.admin_token,
                              json={"role": "analyst", "label": "soc-e2e"}).json()["token"]
        yield RealFleet(collector, token)
    finally:
        collector.kill()


def hostnames(page: dict[str, Any]) -> list[str]:
    return [item["hostname"] for item in page["items"]]


def test_api_and_cli_over_real_inventories(real_fleet: RealFleet) -> None:
    fleet = real_fleet
    counts = fleet.get("/api/v1/fleet/summary")
    assert {k: counts[k] for k in ("enrolled", "with_agent", "exposed", "with_gmail", "with_slack", "running")} == {
        "enrolled": 4, "with_agent": 3, "exposed": 1, "with_gmail": 1, "with_slack": 1, "running": 2}
    exposed = fleet.get("/api/v1/fleet/hosts", exposed="true", grant="gmail")
    assert hostnames(exposed) == [EXPOSED]
    host = exposed["items"][0]
    assert {"shell", "gmail", "slack"} <= set(host["grants"]) and host["running"] and host["products"] == ["openclaw"]
    assert hostnames(fleet.get("/api/v1/fleet/hosts", grant=["gmail", "slack"], grant_mode="all")) == [EXPOSED]
    assert hostnames(fleet.get("/api/v1/fleet/hosts", product="clawdbot")) == [LEGACY]
    assert hostnames(fleet.get("/api/v1/fleet/hosts", exposed="false", has_agent="true")) == sorted([LOOPBACK, LEGACY])

    detail = fleet.get(f"/api/v1/fleet/hosts/{EXPOSED}")
    listeners = detail["installs"][0]["listeners"]
    assert listeners and all(listener["address"] in ("0.0.0.0", "::") for listener in listeners)
    changes = {e["what"]: e["detail"] for e in fleet.get(f"/api/v1/fleet/hosts/{EXPOSED}/timeline")
               if e["type"] == "inventory"}
    assert set(changes) == {"install_added", "grant_added", "exposure_changed", "running_changed"}
    assert set(changes["grant_added"]["grants"]) == {"slack", "gmail"}
    legacy = fleet.get(f"/api/v1/fleet/hosts/{LEGACY}")["installs"][0]
    assert legacy["variant"] == "legacy:clawdbot" and legacy["state_dir"].endswith("/.clawdbot")
    removed = fleet.get(f"/api/v1/fleet/hosts/{REMOVED}")
    assert removed["inventory"]["installs"] == 0 and removed["installs"][0]["removed_at"] is not None
    assert [e["what"] for e in fleet.get(f"/api/v1/fleet/hosts/{REMOVED}/timeline")] == ["install_removed",
                                                                                          "install_added"]

    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAWWATCH_")}
    env.update(CLAWWATCH_COLLECTOR=fleet.collector.url, CLAWWATCH_TOKEN=fleet.analyst)

    def cli(*args: str) -> str:
        result = subprocess.run([str(CLAWWATCH), *args], capture_output=True, text=True, env=env, timeout=60,
                                check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert hostnames(json.loads(cli("fleet", "hosts", "--grant", "slack", "--exposed", "--format", "json"))) == [
        EXPOSED]
    assert REMOVED in cli("fleet", "hosts", "--not-exposed") and "installs" not in cli("fleet", "summary")
    shown = cli("fleet", "host", REMOVED)
    assert "removed" in shown and "install_removed" in shown
    alerts = json.loads(cli("alerts", "list", "--host", EXPOSED, "--format", "json"))["items"]
    assert [a["title"] for a in alerts] == ["Shell spawned by OpenClaw agent"]
    assert "acknowledged" in cli("alerts", "ack", alerts[0]["record_id"])


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _chromium() -> str:
    path = "/usr/bin/chromium"
    if not Path(path).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is required in CI (scripts/install-browser.sh)")
        pytest.skip("no /usr/bin/chromium (run scripts/install-browser.sh)")
    return path


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_console_in_headless_chromium(real_fleet: RealFleet) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base = real_fleet.collector.url
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{base}/console/")
            assert page.url.endswith("/console/login")
            page.fill("#token", "not-a-token")
            page.click("#login-submit")
            assert "not a valid" in page.inner_text("#login-error")
            page.fill("#token", real_fleet.analyst)
            page.click("#login-submit")
            page.wait_for_selector("#counts")
            assert page.inner_text("#count-with_agent") == "3" and page.inner_text("#count-exposed") == "1"
            assert page.inner_text("#count-with_gmail") == "1" and page.inner_text("#count-with_slack") == "1"
            page.screenshot(path=str(ARTIFACTS / "01-fleet.png"), full_page=True)

            page.select_option("#filter-exposed", "true")
            page.check("#grant-gmail")
            page.click("#apply-filters")
            page.wait_for_load_state()
            assert page.inner_text("#total") == "1"
            assert page.locator("#hosts a.host-link").all_inner_texts() == [EXPOSED]
            page.screenshot(path=str(ARTIFACTS / "02-exposed-gmail.png"), full_page=True)

            page.click(f"text={EXPOSED}")
            page.wait_for_selector("#host-title")
            assert page.inner_text("#host-title") == EXPOSED
            assert "EXPOSED" in page.inner_text("#installs")
            assert "grant_added" in page.inner_text("#timeline")
            page.screenshot(path=str(ARTIFACTS / "03-host.png"), full_page=True)

            row = page.locator("#alerts tr[data-record]")
            assert row.locator(".status").inner_text() == "new"
            row.locator("button.ack").click()
            page.wait_for_load_state()
            assert page.locator("#alerts tr[data-record] .status").inner_text() == "acknowledged"
            page.screenshot(path=str(ARTIFACTS / "04-acknowledged.png"), full_page=True)

            page.click("#nav-alerts")
            page.wait_for_selector("#alert-filters")
            page.click("a.alert-link")
            page.fill("#triage-note", "reimaging the laptop")
            page.click("#triage-close")
            page.wait_for_selector("#alert-status")
            assert page.inner_text("#alert-status") == "closed"
            assert "reimaging the laptop" in page.inner_text("#triage-log")
            page.screenshot(path=str(ARTIFACTS / "05-closed.png"), full_page=True)
        finally:
            browser.close()
    record = real_fleet.get("/api/v1/alerts", host=EXPOSED)["items"][0]
    assert record["status"] == "closed"
    triage = real_fleet.get(f"/api/v1/alerts/{record['record_id']}")["triage"]
    assert [t["action"] for t in triage] == ["ack", "close"] and triage[0]["author"].startswith("soc-e2e")
    assert requests.get(f"{base}/console/", timeout=10, allow_redirects=False).status_code == 303
