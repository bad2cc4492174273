"""The live sensor against the real OpenClaw gateway (acceptance 1-3 of the sensor issue).

Daemon first, then the gateway: a process-start event and a listening-socket event for the gateway
and an alert from a rule, each within 2 s; one agent turn whose exec tool runs
``cat ~/.ssh/id_ed25519``: the shell is attributed to the gateway's tree, and the read of the
planted key is a file_access event with the reader's PID and the agent attribution. The same flow
runs with the gateway under a profile dir and with OPENCLAW_STATE_DIR set. Nothing planted as a
secret may appear in any event, alert, log line or output file.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.support.fixtures import HostFactory
from tests.support.openclaw_host import Grants
from tests.unit.daemon.sensor_process import E2E_RULES, REPO, SensorProcess

pytestmark = [pytest.mark.e2e, pytest.mark.root]

LISTENER_RULE = "4f0c2b8e-6a51-4d8e-9d47-0c1f3a9e2b11"
SSH_READ_RULE = "8d3e1f52-2b7a-4c69-a0f4-5e6d7c8b9a10"
LATENCY_S = 2.0


def _ts(utc: str) -> float:
    return datetime.fromisoformat(utc.replace("Z", "+00:00")).timestamp()


@pytest.fixture(autouse=True)
def _need_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("the live sensor e2e runs as root (fanotify, netlink proc connector)")


@pytest.fixture
def sensor_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[SensorProcess] = []

    def make(homes: list[Path]) -> SensorProcess:
        s = SensorProcess(tmp_path / f"sensor{len(started)}", homes,
                          config="health_interval_s = 5.0\n"
                          "[openclaw_state]\ndebounce_s = 1.0\nmin_interval_s = 30.0\n", rules=E2E_RULES)
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


VARIANTS = {
    "default": {},
    "profile": {"profile": "work"},
    "state-dir-env": {"state_dir_override": "custom-state"},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_gateway_start_exec_and_key_read_are_seen_and_attributed(
        openclaw_host: HostFactory, sensor_factory: Any, tmp_path: Path, variant: str) -> None:
    kwargs: dict[str, Any] = dict(VARIANTS[variant])
    if "state_dir_override" in kwargs:
        kwargs["state_dir_override"] = tmp_path / kwargs["state_dir_override"]
    host = openclaw_host(start=False, plant_secrets=True, bind="loopback", grants=Grants.risky(), **kwargs)
    sensor = sensor_factory([host.home])

    # 1. daemon first, then the gateway
    host.start_gateway()
    ready_wall = time.time()
    gw = host.gateway_pid
    assert gw is not None
    gw_created = psutil.Process(gw).create_time()

    start = sensor.wait_for(lambda e: e.get("category") == "process_creation" and e.get("ProcessId") == gw
                            and e.get("IsAgentProcess") is True)
    assert start["AgentProduct"] == "openclaw" and start["AgentRootPid"] == gw
    assert "gateway" in start["CommandLine"], "exec-time command line, before the retitle"
    assert _ts(start["UtcTime"]) - gw_created <= LATENCY_S

    listen = sensor.wait_for(lambda e: e.get("category") == "listening_socket" and e.get("ProcessId") == gw
                             and e.get("LocalPort") == host.port and e.get("ListenState") == "opened")
    assert listen["AgentRootPid"] == gw and listen["Exposed"] is False
    assert listen["CommandLine"].startswith("openclaw-gateway"), "live title of the retitled gateway"
    assert "gateway" in listen["OriginalCommandLine"]
    assert _ts(listen["UtcTime"]) <= ready_wall + LATENCY_S

    alert = sensor.wait_for(lambda a: a.get("rule_id") == LISTENER_RULE
                            and (a.get("event") or {}).get("ProcessId") == gw, kind="alert")
    assert _ts(alert["UtcTime"]) <= ready_wall + LATENCY_S

    # 2. one agent turn: exec tool runs a shell that reads the planted key
    key = host.home / ".ssh" / "id_ed25519"
    run = host.run_agent_exec("cat ~/.ssh/id_ed25519 >/dev/null; sleep 2; echo sensor-ok")
    assert run.returncode == 0, run.stderr[-2000:]
    shell = run.shell
    assert shell is not None, "the harness did not see the exec tool's shell"
    shell_event = sensor.wait_for(lambda e: e.get("category") == "process_creation"
                                  and e.get("ProcessId") == shell["pid"])
    assert shell_event["InAgentTree"] is True and shell_event["AgentRootPid"] == gw
    assert shell_event["IsAgentProcess"] is False

    read = sensor.wait_for(lambda e: e.get("category") == "file_access" and e.get("TargetFilename") == str(key)
                           and e.get("InAgentTree") is True)
    assert read["AgentRootPid"] == gw and read["AgentProduct"] == "openclaw"
    assert read["CredentialKind"] == "ssh_private_key" and read["AttributionConfidence"] == "exact"
    reader_pid = read["ProcessId"]
    assert reader_pid not in (gw, shell["pid"])
    parents = {e["ProcessId"]: e.get("ParentProcessId") for e in sensor.events()
               if e.get("category") == "process_creation"}
    parents[reader_pid] = read.get("ParentProcessId")
    chain = [reader_pid]
    while chain[-1] in parents and parents[chain[-1]] and len(chain) < 8:
        chain.append(parents[chain[-1]])  # type: ignore[arg-type]
    assert shell["pid"] in chain and gw in chain, f"reader not under the exec shell: {chain}"
    reader_start = sensor.wait_for(lambda e: e.get("category") == "process_creation"
                                   and e.get("ProcessId") == reader_pid)
    assert reader_start["InAgentTree"] is True and reader_start["AgentRootPid"] == gw
    # under load cat can be gone before /proc is read: then the event has no image, only ancestry
    assert reader_start.get("Image", "/usr/bin/cat").endswith("cat")
    sensor.wait_for(lambda a: a.get("rule_id") == SSH_READ_RULE
                    and (a.get("event") or {}).get("ProcessId") == reader_pid, kind="alert")

    if importlib.util.find_spec("sensor.inventory.scanner") is not None:
        sensor.wait_for(lambda e: e.get("category") == "inventory_change"
                        and e.get("StateDir") == str(host.state_dir), timeout=30)

    # 3. canary: no planted secret anywhere the sensor wrote
    host.stop()
    assert sensor.stop() == 0
    text = sensor.all_text()
    assert host.secrets, "the harness planted no secrets"
    leaked = [name for name, value in host.secrets.items() if value and value in text]
    assert not leaked, f"secret values leaked into sensor output/log: {leaked}"
    assert str(REPO) not in host.secrets.values()
