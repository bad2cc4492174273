"""ScanReport/Alert bodies for the integration tests, built with the schema models (e2e: real scans)."""

from __future__ import annotations

from typing import Any

from sensor.schema.alerts import Alert
from sensor.schema.inventory import HostInfo, Install, Listener, ScanReport


def install(state_dir: str, *, product: str = "openclaw", version: str | None = "2026.9.6",
            owner: str = "alice", running: bool = False, exposed: bool = False,
            grants: tuple[str, ...] = (), install_id: str | None = None) -> Install:
    listeners = [Listener(address="0.0.0.0" if exposed else "127.0.0.1", port=18789, exposed=exposed)] \
        if running else []
    return Install(install_id=install_id or f"id-{state_dir.replace('/', '_')}", product=product,  # type: ignore[arg-type]
                   variant="default" if product == "openclaw" else f"legacy:{product}", state_dir=state_dir,
                   owner=owner, version=version, running=running, exposed=exposed, grants=list(grants),
                   listeners=listeners)


def report(hostname: str, *installs: Install) -> dict[str, Any]:
    return ScanReport(
        host=HostInfo(hostname=hostname, os="linux", sensor_version="0.1.0",
                      scanned_at="2026-11-22T04:00:00Z"),
        installs=list(installs),
    ).model_dump(mode="json")


def alert(hostname: str, n: int, *, level: str = "high", rule_id: str = "cw-agent-shell",
          when: str = "2026-11-22T04:10:00Z") -> dict[str, Any]:
    return Alert(AlertId=f"alert-{hostname}-{n}", UtcTime=when, Hostname=hostname, rule_id=rule_id,
                 title=f"{rule_id} fired", level=level, tags=["attack.t1059"],
                 event={"category": "process_creation", "Image": "/usr/bin/bash", "AgentProduct": "openclaw",
                        "InAgentTree": True, "AgentRootPid": 4000}).model_dump(mode="json", exclude_none=True)
