"""The real-OpenClaw harness itself: a real gateway starts, is what the facts say, and stops cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import psutil
import pytest

from tests.support.fixtures import HostFactory
from tests.support.openclaw_host import Grants
from tests.support.proc_snapshot import listeners

pytestmark = pytest.mark.e2e


def test_lan_gateway_listens_on_all_interfaces_and_stops_cleanly(openclaw_host: HostFactory) -> None:
    host = openclaw_host(bind="lan")
    pid = host.gateway_pid
    assert pid is not None
    tcp = [s for s in listeners(pid) if s["proto"] == "tcp" and s["port"] == host.port]
    assert [(s["ip"], s["port"]) for s in tcp] == [("0.0.0.0", host.port)]
    assert host.health() == {"ok": True, "status": "live"}
    gateway = psutil.Process(pid)
    assert gateway.name() == "openclaw-gateway"
    assert gateway.cmdline()[0] == "openclaw-gateway"
    assert Path(gateway.exe()).name == "node"
    assert Path(gateway.cwd()) == host.home
    ours = host.processes()
    assert len(ours) >= 2, "gateway should have started its worker processes"

    host.stop()
    assert not [p.pid for p in ours if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert host.health() == {}


def test_loopback_gateway_with_grants_runs_exec_tool_on_host(openclaw_host: HostFactory) -> None:
    host = openclaw_host(bind="loopback", grants=Grants.risky(), plant_secrets=True)
    assert {(s["ip"], s["port"]) for s in listeners(host.gateway_pid or -1) if s["proto"] == "tcp"} >= {
        ("127.0.0.1", host.port)}
    run = host.run_agent_exec("cat ~/.ssh/id_ed25519 >/dev/null; sleep 3; echo harness-ok")
    assert run.returncode == 0, run.stderr[-2000:]
    assert '"exec"' in run.stdout
    shell = run.shell
    assert shell is not None, "exec tool shell not observed"
    assert shell["cwd"] == str(host.state_dir / "workspace")
    assert shell["environ"]["OPENCLAW_SHELL"] == "exec"
    assert shell["environ"]["OPENCLAW_GATEWAY_PORT"] == str(host.port)
    assert any("cat ~/.ssh/id_ed25519" in arg for arg in shell["cmdline"])
    assert host.gateway_pid in {p["pid"] for p in run.exec_chain}
    gog = host.gog_log.read_text()
    assert "gmail watch serve" in gog and host.secrets["hook_token"] in gog
    assert host.outbound == [], "a test gateway must not connect beyond loopback"


def test_profile_host_keeps_state_in_profile_dir(openclaw_host: HostFactory) -> None:
    host = openclaw_host(profile="work", start=False)
    assert host.state_dir == host.home / ".openclaw-work"
    config = json.loads(host.config_path.read_text())
    assert config["gateway"]["port"] == host.port
    assert not (host.home / ".openclaw" / "openclaw.json").exists()


def test_state_dir_override_is_honoured(openclaw_host: HostFactory, tmp_path: Path) -> None:
    override = tmp_path / "elsewhere" / "oc-state"
    host = openclaw_host(state_dir_override=override, start=False)
    assert host.env()["OPENCLAW_STATE_DIR"] == str(override)
    assert (override / "openclaw.json").is_file()
    assert (override / "state" / "openclaw.sqlite").is_file()
    assert not (host.home / ".openclaw" / "openclaw.json").exists()
