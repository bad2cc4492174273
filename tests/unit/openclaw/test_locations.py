"""Per-OS location tables on fixture trees (Linux, macOS, Windows layouts built under tmp)."""

from __future__ import annotations

import plistlib
from pathlib import Path

from sensor.inventory.scanner import scan_host
from sensor.openclaw import locations
from sensor.openclaw.persistence import read_definition


def _touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_linux_service_units(tmp_path: Path) -> None:
    units = tmp_path / ".config/systemd/user"
    for name in (
        "openclaw-gateway.service",
        "openclaw-gateway-dev.service",
        "openclaw-node.service",
        "clawdbot-gateway.service",
        "unrelated.service",
        "openclaw-gateway.service.bak",
    ):
        _touch(units / name)
    found = sorted(p.name for p in locations.service_definition_paths(tmp_path, locations.LINUX))
    assert found == [
        "clawdbot-gateway.service",
        "openclaw-gateway-dev.service",
        "openclaw-gateway.service",
        "openclaw-node.service",
    ]


def test_macos_launch_agents_and_plist_parsing(tmp_path: Path) -> None:
    agents = tmp_path / "Library/LaunchAgents"
    agents.mkdir(parents=True)
    plist = {
        "Label": "ai.openclaw.gateway",
        "ProgramArguments": [
            "/opt/homebrew/bin/node",
            "/opt/homebrew/lib/node_modules/openclaw/dist/index.js",
            "gateway",
            "--port",
            "18789",
        ],
        "EnvironmentVariables": {
            "OPENCLAW_GATEWAY_TOKEN": "CANARY-plist-token-000000000000",
            "OPENCLAW_STATE_DIR": str(tmp_path / ".openclaw"),
        },
        "KeepAlive": True,
    }
    (agents / "ai.openclaw.gateway.plist").write_bytes(plistlib.dumps(plist))
    (agents / "com.clawdbot.gateway.plist").write_bytes(plistlib.dumps({"Label": "com.clawdbot.gateway"}))
    (agents / "com.apple.something.plist").write_bytes(b"")
    paths = locations.service_definition_paths(tmp_path, locations.MACOS)
    assert sorted(p.name for p in paths) == ["ai.openclaw.gateway.plist", "com.clawdbot.gateway.plist"]
    parsed = read_definition(agents / "ai.openclaw.gateway.plist", "user")
    assert not isinstance(parsed, Exception)
    assert parsed.persistence.mechanism == "launchd" and parsed.persistence.role == "gateway"
    assert [s.kind for s in parsed.secrets] == ["gateway_token"]
    assert parsed.env["OPENCLAW_STATE_DIR"] == str(tmp_path / ".openclaw")
    bundle = tmp_path / "Applications/OpenClaw.app"
    (bundle / "Contents").mkdir(parents=True)
    assert locations.app_bundles(tmp_path, locations.MACOS) == [bundle]


def test_windows_tasks_and_startup(tmp_path: Path) -> None:
    tasks = tmp_path / "Windows/System32/Tasks"
    task_xml = (
        '<?xml version="1.0" encoding="UTF-16"?><Task xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">'
        "<Settings><Enabled>true</Enabled></Settings><Actions><Exec><Command>wscript.exe</Command>"
        r"<Arguments>C:\Users\u\.openclaw\gateway.vbs</Arguments></Exec></Actions></Task>"
    )
    (tasks).mkdir(parents=True)
    (tasks / "OpenClaw Gateway").write_bytes(task_xml.encode("utf-16"))
    _touch(tasks / "GoogleUpdateTask")
    found = locations.system_service_definition_paths(locations.WINDOWS, root=tmp_path)
    assert [p.name for p in found] == ["OpenClaw Gateway"]
    parsed = read_definition(found[0], "system")
    assert not isinstance(parsed, Exception)
    assert parsed.persistence.mechanism == "scheduled_task" and parsed.persistence.enabled is True
    assert parsed.persistence.exec_start is not None and "gateway.vbs" in parsed.persistence.exec_start
    home = tmp_path / "Users/u"
    _touch(
        home / "AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/OpenClaw Gateway.cmd",
        "set OPENCLAW_GATEWAY_TOKEN=CANARY-win-000000000000000000\r\n",
    )
    startup = locations.service_definition_paths(home, locations.WINDOWS)
    assert [p.name for p in startup] == ["OpenClaw Gateway.cmd"]
    item = read_definition(startup[0], "user")
    assert not isinstance(item, Exception) and [s.kind for s in item.secrets] == ["gateway_token"]
    npm = home / "AppData/Roaming/npm/node_modules/openclaw"
    _touch(npm / "package.json", '{"name": "openclaw", "version": "2026.9.6"}')
    roots = locations.package_roots(home, locations.WINDOWS)
    assert locations.package_dirs_in(roots) == [("openclaw", npm)]


def test_linux_package_roots_and_scan_packages(tmp_path: Path) -> None:
    home = tmp_path / "h"
    pkg = home / ".nvm/versions/node/v24.21.0/lib/node_modules/openclaw"
    _touch(pkg / "package.json", '{"name": "openclaw", "version": "2026.9.6"}')
    bun = home / ".bun/install/global/node_modules/clawdbot"
    _touch(bun / "package.json", '{"name": "clawdbot", "version": "2026.1.24"}')
    report = scan_host([home], include_processes=False, system_wide=False, salt=b"s" * 32)
    assert sorted((p.product, p.version, p.method) for p in report.packages) == [
        ("clawdbot", "2026.1.24", "bun"),
        ("openclaw", "2026.9.6", "npm-global"),
    ]
