"""The scanner on a home whose LaunchAgent was just written by the installed OpenClaw's own launchd code
(run by Node with process.platform "darwin", tests/fixtures/openclaw/launchd/RECIPE.md), with the
macOS location table: one install, its persistence linked, secrets as kinds and fingerprints only."""

from __future__ import annotations

import functools
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sensor.inventory.scanner import scan_host
from sensor.openclaw import locations
from tests.support.openclaw_install import node_bin_dir

RECIPE = Path(__file__).resolve().parents[1] / "fixtures" / "openclaw" / "launchd"


def generate(root: Path, home: Path, workdir: Path) -> dict[str, Any]:
    stand_in = workdir / "bin"
    stand_in.mkdir()
    (stand_in / "launchctl").symlink_to(RECIPE / "launchctl-stand-in")
    env = {**os.environ, "PATH": f"{stand_in}:{node_bin_dir(root)}:/usr/bin:/bin"}
    done = subprocess.run(["node", str(RECIPE / "make_launchd_fixtures.mjs"),
                           str(root / "global" / "lib" / "node_modules" / "openclaw"), str(home)],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    made: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return made


def test_scanner_links_the_generated_launch_agent_and_prints_no_secret(
        openclaw_install: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "Users" / "alice"
    made = generate(openclaw_install, home, tmp_path)
    plist = Path(made["plist"])
    assert plist == home / "Library" / "LaunchAgents" / "ai.openclaw.gateway.plist"
    assert (plist.stat().st_mode & 0o777) == 0o644
    env_file = home / ".openclaw" / "service-env" / "ai.openclaw.gateway.env"
    assert (env_file.stat().st_mode & 0o777) == 0o600

    # the macOS location table, as the per-OS facade chooses it on a Mac
    monkeypatch.setattr(locations, "service_definition_paths",
                        functools.partial(locations.service_definition_paths, table=locations.MACOS))
    report = scan_host([home], include_processes=False, salt=b"0" * 32, system_wide=False)

    [install] = report.installs
    assert install.state_dir == str(home / ".openclaw")
    [entry] = install.persistence
    assert (entry.mechanism, entry.name, entry.role, entry.scope, entry.path) == (
        "launchd", "ai.openclaw.gateway", "gateway", "user", str(plist))
    assert entry.exec_start is not None and entry.exec_start.endswith("dist/index.js gateway --port 18789")
    orphans = [f for f in report.findings if f.evidence.endswith("no matching state dir found")]
    assert not orphans, "the LaunchAgent must be linked to the install"
    assert [f.path for f in install.findings if f.id == "CW-PERSISTENCE"] == [str(plist)]
    stores = {c.path for c in install.credentials}
    assert str(env_file) in stores, install.credentials

    printed = report.model_dump_json()
    assert made["token"] not in printed and made["apiKey"] not in printed
