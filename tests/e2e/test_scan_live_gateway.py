"""Acceptance 2 + 3: `clawwatch scan` against a real OpenClaw 2026.9.6 gateway under a scratch HOME.

lan bind with exec/Slack/Gmail grants -> running, exposed, shell+slack+gmail, the 0.0.0.0 listener;
loopback bind -> running, not exposed. Every fake secret the harness planted stays out of the output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from sensor.cli.main import main
from tests.support.fixtures import HostFactory
from tests.support.openclaw_host import Grants, OpenClawHost
from tests.support.openclaw_install import in_ci

pytestmark = pytest.mark.e2e


def _scan(host: OpenClawHost, salt: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    main(["scan", "--home", str(host.home), "--format", fmt, "--salt-file", str(salt)])
    return capsys.readouterr().out


def _install(doc: dict[str, Any], host: OpenClawHost) -> dict[str, Any]:
    matches = [i for i in doc["installs"] if i["state_dir"] == os.path.normpath(host.state_dir)]
    assert len(matches) == 1, [i["state_dir"] for i in doc["installs"]]
    return matches[0]


def _assert_no_secret(host: OpenClawHost, *outputs: str) -> None:
    assert host.secrets
    for name, value in host.secrets.items():
        for out in outputs:
            assert value not in out, f"secret {name} leaked"


def test_lan_gateway_with_grants(
    openclaw_host: HostFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = openclaw_host(bind="lan", grants=Grants(exec_full=True, gmail_hook=True, slack=True), plant_secrets=True)
    if not host.slack_available:
        message = "the @openclaw/slack plugin could not be installed for the harness host"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    salt = tmp_path / "salt"
    out_json = _scan(host, salt, "json", capsys)
    out_table = _scan(host, salt, "table", capsys)
    inst = _install(json.loads(out_json), host)
    assert inst["running"] is True and host.gateway_pid in inst["pids"]
    assert inst["exposed"] is True and inst["exposure"]["bind_mode"] == "lan"
    assert {"address": "0.0.0.0", "port": host.port} in [
        {"address": li["address"], "port": li["port"]} for li in inst["listeners"]
    ]
    assert {"shell", "slack", "gmail"} <= set(inst["grants"])
    assert inst["version"] == "2026.9.6"
    kinds = {c["kind"] for c in inst["credentials"]}
    assert {"gateway_token", "anthropic_api_key", "slack_bot_token", "slack_app_token", "hooks_token"} <= kinds
    assert "CW-EXPOSED" in {f["id"] for f in inst["findings"]}
    _assert_no_secret(host, out_json, out_table)


def test_loopback_gateway_is_not_exposed(
    openclaw_host: HostFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = openclaw_host(bind="loopback", grants=Grants(exec_full=True))
    salt = tmp_path / "salt"
    out_json = _scan(host, salt, "json", capsys)
    out_table = _scan(host, salt, "table", capsys)
    inst = _install(json.loads(out_json), host)
    assert inst["running"] is True and host.gateway_pid in inst["pids"]
    assert inst["exposed"] is False and inst["exposure"]["bind_mode"] == "loopback"
    ports = {(li["address"], li["port"]) for li in inst["listeners"]}
    assert ("127.0.0.1", host.port) in ports
    assert all(not li["exposed"] for li in inst["listeners"])
    assert "shell" in inst["grants"]
    _assert_no_secret(host, out_json, out_table)
