"""Delivery inside `clawwatch sensor run`: the --collector flags and the spool sink.

Registered through the daemon CLI's ``ARGUMENT_HOOKS`` and ``SINK_BUILDERS``. When a collector is
configured, this sink also writes ``--output`` itself: each JSON line is then the full record
(``record_id``, ``seq``, ``created_at`` besides ``kind``, ``severity``, ``body``), the same id the
collector stores.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any, Protocol

import orjson

from sensor.daemon.sinks import JsonLinesSink
from sensor.delivery.agent import DeliveryAgent, DeliveryConfig
from sensor.delivery.settings import CollectorSection, default_state_dir
from sensor.delivery.shipper import ShipperConfig
from sensor.schema.records import Record, RecordKind, SensorRecord


class _HasCollector(Protocol):
    collector: CollectorSection


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("collector (spool + shipper)")
    group.add_argument("--collector", metavar="URL", help="ship records to this collector ([collector] url)")
    group.add_argument("--enroll-secret", metavar="SECRET",
                       help="shared enroll secret ([collector] enroll_secret, env CLAWWATCH_ENROLL_SECRET)")
    group.add_argument("--ca-bundle", metavar="FILE", help="CA file for the collector's TLS certificate")
    group.add_argument("--state-dir", type=Path, metavar="DIR",
                       help="where host_id, spool.db and credential.json live ([collector] state_dir)")


class RecordLines(JsonLinesSink):
    """``--output`` when a collector is configured: one full Record per line (unshipped kinds as ``emit``)."""

    def write(self, record: Record) -> None:
        self.write_line(orjson.dumps(record.model_dump(mode="json")))


class DeliverySink:
    """The daemon's sink: spool (then ship) alerts, inventory and health; mirror to --output.

    Health reports are the host's heartbeat: the first one ships, then at most one per ``heartbeat_s``
    (the daemon may measure itself more often; every report is still written to --output)."""

    def __init__(self, agent: DeliveryAgent, ship_events: bool, output: RecordLines | None,
                 heartbeat_s: float = 300.0) -> None:
        self.agent = agent
        self.ship_events = ship_events
        self.output = output
        self.heartbeat_s = heartbeat_s
        self._last_heartbeat: float | None = None

    def _ships(self, kind: RecordKind) -> bool:
        if kind == RecordKind.event:
            return self.ship_events
        if kind == RecordKind.health:
            now = time.monotonic()
            if self._last_heartbeat is not None and now - self._last_heartbeat < self.heartbeat_s:
                return False
            self._last_heartbeat = now
        return True

    def emit(self, record: SensorRecord) -> None:
        if not self._ships(record.kind):
            if self.output is not None:  # still written to --output, without a delivery id
                self.output.emit(record)
            return
        stored = self.agent.sink.emit(record)
        if self.output is not None:
            self.output.write(stored)

    def flush(self) -> None:
        if self.output is not None:
            self.output.flush()

    def close(self) -> None:
        self.agent.stop(timeout=10, drain_s=5)
        if self.output is not None:
            self.output.close()


def build_sinks(args: argparse.Namespace, config: _HasCollector) -> list[Any]:
    section = getattr(config, "collector", None) or CollectorSection()
    url = getattr(args, "collector", None) or section.url
    if not url:
        return []
    secret = getattr(args, "enroll_secret", None) or section.enroll_secret or os.environ.get(
        "CLAWWATCH_ENROLL_SECRET") or None
    ca_bundle = getattr(args, "ca_bundle", None) or section.ca_bundle or None
    state_dir = getattr(args, "state_dir", None) or (Path(section.state_dir) if section.state_dir else None)
    proxies = {"http": section.proxy, "https": section.proxy} if section.proxy else None
    agent = DeliveryAgent(DeliveryConfig(
        state_dir=state_dir or default_state_dir(),
        shipper=ShipperConfig(collector_url=url, enroll_secret=secret, ca_bundle=ca_bundle, proxies=proxies),
        spool_max_bytes=int(section.spool_max_mb * 2**20),
    ))
    agent.start()
    output = _take_output(args, config)
    return [DeliverySink(agent, section.ship_events, RecordLines(output) if output else None, section.heartbeat_s)]


def _take_output(args: argparse.Namespace, config: Any) -> str:
    """Claim --output / [sensor] output so the plain JSON-lines sink does not write it a second time."""
    target = getattr(args, "output", None) or getattr(getattr(config, "sensor", None), "output", "") or ""
    if target:
        args.output = None
        if getattr(config, "sensor", None) is not None:
            config.sensor.output = ""
    return str(target)
