"""Sensor configuration: a TOML file validated by pydantic; every key has a documented default.

Example (all defaults; see docs/sensor.md for the reference)::

    [sensor]
    homes = []                 # extra home directories beyond the account database
    account_homes = true       # false (or --only-homes): only the homes above, not the account database
    rules = []                 # Sigma rule files/dirs; empty = the bundled detections/ when present
    output = ""                # JSON-lines file or "-" (the --output flag overrides)
    health_interval_s = 60.0

    [queues]
    max_queue = 10000          # non-agent observations waiting for the pipeline
    max_priority_queue = 10000 # agent-tree observations (never rate-capped)

    [caps]                     # events per second per source for non-agent observations (0 = no cap)
    processes = 200.0
    sockets = 100.0
    files = 200.0
    openclaw_state = 20.0

    [processes]
    poll_interval_s = 1.0
    exited_grace_s = 10.0

    [sockets]
    poll_interval_s = 1.0
    udp_listeners = true

    [files]
    enabled = true
    backend = "auto"           # auto | fanotify | inotify
    rescan_interval_s = 30.0
    extra_paths = []

    [openclaw_state]
    enabled = true
    debounce_s = 2.0
    min_interval_s = 30.0      # at most one inventory rescan per this many seconds
    heartbeat_s = 3600.0

    [budget]
    cpu_percent = 10.0         # of one core, averaged over a health interval
    rss_mb = 150.0
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

import sensor
from sensor.delivery.settings import CollectorSection


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SensorSection(_Section):
    homes: list[Path] = Field(default_factory=list)
    account_homes: bool = True  # false: watch only `homes` / --home (audits, tests), not the account database
    rules: list[Path] = Field(default_factory=list)
    output: str = ""
    health_interval_s: float = Field(default=60.0, gt=0)


class QueueSection(_Section):
    max_queue: int = Field(default=10_000, ge=1)
    max_priority_queue: int = Field(default=10_000, ge=1)


class CapSection(_Section):
    processes: float = Field(default=200.0, ge=0)
    sockets: float = Field(default=100.0, ge=0)
    files: float = Field(default=200.0, ge=0)
    openclaw_state: float = Field(default=20.0, ge=0)


class ProcessSection(_Section):
    poll_interval_s: float = Field(default=1.0, gt=0)
    exited_grace_s: float = Field(default=10.0, ge=0)


class SocketSection(_Section):
    poll_interval_s: float = Field(default=1.0, gt=0)
    udp_listeners: bool = True


class FileSection(_Section):
    enabled: bool = True
    backend: Literal["auto", "fanotify", "inotify"] = "auto"
    rescan_interval_s: float = Field(default=30.0, gt=0)
    extra_paths: list[Path] = Field(default_factory=list)


class OpenClawStateSection(_Section):
    enabled: bool = True
    debounce_s: float = Field(default=2.0, ge=0)
    min_interval_s: float = Field(default=30.0, ge=0)
    heartbeat_s: float = Field(default=3600.0, gt=0)


class BudgetSection(_Section):
    cpu_percent: float = Field(default=10.0, gt=0)
    rss_mb: float = Field(default=150.0, gt=0)


class SensorConfig(_Section):
    sensor: SensorSection = Field(default_factory=SensorSection)
    queues: QueueSection = Field(default_factory=QueueSection)
    caps: CapSection = Field(default_factory=CapSection)
    processes: ProcessSection = Field(default_factory=ProcessSection)
    sockets: SocketSection = Field(default_factory=SocketSection)
    files: FileSection = Field(default_factory=FileSection)
    openclaw_state: OpenClawStateSection = Field(default_factory=OpenClawStateSection)
    budget: BudgetSection = Field(default_factory=BudgetSection)
    collector: CollectorSection = Field(default_factory=CollectorSection)  # docs/collector.md

    def rule_paths(self) -> list[Path]:
        if self.sensor.rules:
            return list(self.sensor.rules)
        bundled = Path(sensor.__file__).resolve().parent.parent / "detections"
        return [bundled] if bundled.is_dir() else []


class ConfigError(ValueError):
    """The config file is unreadable or invalid; the message names the file and the problem."""


def load_config(path: Path | None) -> SensorConfig:
    if path is None:
        return SensorConfig()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return SensorConfig.model_validate(raw)
    except ValueError as exc:
        raise ConfigError(f"{path}: invalid config: {exc}") from exc
