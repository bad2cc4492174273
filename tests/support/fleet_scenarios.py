"""Inventories of real OpenClaw installs for the fleet tests, made by the real programs.

Each scenario sets up a real OpenClaw 2026.9.6 under a scratch HOME with the harness
(tests/support/openclaw_host.py: real onboarding, real ``openclaw config patch``, real gateway), then
runs the real ``clawwatch scan --home HOME --format json``. A scenario yields successive snapshots:

- ``exposed``: snapshot 1 right after onboarding (loopback, no grants, stopped); snapshot 2 after
  bind=lan + exec full + Gmail hook + Slack (with the real @openclaw/slack plugin) and the gateway
  running and listening on 0.0.0.0 -> grant_added, exposure_changed, running_changed.
- ``loopback``: gateway running on 127.0.0.1, no risky grants.
- ``legacy``: an onboarded install moved to the legacy layout an old Clawdbot build leaves
  (``~/.clawdbot/clawdbot.json``), not running.
- ``removed``: snapshot 1 with the install, snapshot 2 after its state dir was deleted.

The four are built side by side. The machine is shared with other tests, so each snapshot keeps only
the installs under its own scratch HOME, and its hostname is set to the scenario's (all scenarios run
on one machine).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.openclaw_host import Grants, OpenClawHost

ROOT = Path(__file__).resolve().parents[2]
CLAWWATCH = ROOT / ".venv" / "bin" / "clawwatch"

HOSTNAMES = {
    "exposed": "laptop-exposed-gmail-slack",
    "loopback": "laptop-loopback",
    "legacy": "laptop-legacy-clawdbot",
    "removed": "laptop-removed",
}


@dataclass
class Scenario:
    name: str
    hostname: str
    home: Path
    snapshots: list[dict[str, Any]] = field(default_factory=list)


def scan(home: Path, hostname: str) -> dict[str, Any]:
    result = subprocess.run([str(CLAWWATCH), "scan", "--home", str(home), "--format", "json"],
                            capture_output=True, text=True, timeout=300, check=False)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"clawwatch scan failed ({result.returncode}): {result.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(result.stdout)
    report["host"]["hostname"] = hostname
    home_text = str(home)
    report["installs"] = [install for install in report["installs"]
                          if (install["state_dir"] + "/").startswith(home_text + "/")]
    report["packages"] = []
    return report


Snap = Callable[[], None]


def _exposed(host: OpenClawHost, snap: Snap) -> None:
    host.onboard()
    snap()
    host.apply_grants()
    host.start_gateway(timeout=180)
    snap()


def _loopback(host: OpenClawHost, snap: Snap) -> None:
    host.onboard()
    host.apply_grants()
    host.start_gateway(timeout=180)
    snap()


def _legacy(host: OpenClawHost, snap: Snap) -> None:
    host.onboard()
    legacy_dir = host.home / ".clawdbot"
    host.state_dir.rename(legacy_dir)
    (legacy_dir / "openclaw.json").rename(legacy_dir / "clawdbot.json")
    snap()


def _removed(host: OpenClawHost, snap: Snap) -> None:
    host.onboard()
    snap()
    shutil.rmtree(host.state_dir)
    snap()


# name -> (OpenClawHost options, the steps; each snap() appends a real scan of the host's HOME)
_SCENARIOS: dict[str, tuple[dict[str, Any], Callable[[OpenClawHost, Snap], None]]] = {
    "exposed": ({"bind": "lan", "grants": Grants(exec_full=True, gmail_hook=True, slack=True)}, _exposed),
    "loopback": ({"bind": "loopback"}, _loopback),
    "legacy": ({"bind": "loopback"}, _legacy),
    "removed": ({"bind": "loopback"}, _removed),
}


def _build_one(name: str, workdir: Path, root: Path) -> Scenario:
    options, steps = _SCENARIOS[name]
    host = OpenClawHost(workdir / name, root=root, **options)
    scenario = Scenario(name, HOSTNAMES[name], host.home)
    try:
        steps(host, lambda: scenario.snapshots.append(scan(host.home, scenario.hostname)))
    finally:
        host.stop()
    return scenario


def build(workdir: Path, root: Path) -> dict[str, Scenario]:
    """Every scenario, built side by side (each is its own HOME and its own processes; mostly waiting on them)."""
    with ThreadPoolExecutor(len(_SCENARIOS)) as pool:
        futures = {name: pool.submit(_build_one, name, workdir, root) for name in _SCENARIOS}
        return {name: future.result() for name, future in futures.items()}


if __name__ == "__main__":  # what the scenarios produce: python -m tests.support.fleet_scenarios DIR
    import sys

    from tests.support.openclaw_install import openclaw_root

    out = build(Path(sys.argv[1]), openclaw_root())
    for name, item in out.items():
        for index, snap in enumerate(item.snapshots):
            summary = [(i["product"], i["variant"], i["running"], i["exposed"], i["grants"])
                       for i in snap["installs"]]
            print(name, index, summary)
