"""The sensor daemon: sources -> intake -> normalizer -> rule engine -> sinks, plus health.

One pipeline thread (the caller of ``run``) takes observations from the bounded intake, normalises
them into events, writes each event to every sink, runs the rule engine and writes its alerts.
Every ``health_interval_s`` it writes a ``sensor_health`` event with counters (drops, overflows,
restarts, rule errors, queue depth, CPU, RSS) and checks its own budget: over budget for
``BUDGET_PATIENCE`` intervals in a row (a burst of events is not a reason), the polling sources slow
down (x2, up to x4); back under budget, they return to their configured intervals.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sensor.daemon.budget import SelfBudget, limit_malloc_arenas, release_memory
from sensor.daemon.engine_stage import RuleStage, alerts_for
from sensor.daemon.intake import Intake
from sensor.daemon.sinks import Sink
from sensor.daemon.source import Source
from sensor.normalizer import Normalizer
from sensor.schema.events import Event
from sensor.schema.records import AlertRecord, EventRecord, HealthRecord, InventoryRecord, SensorRecord
from sensor.sources.observations import InventorySnapshot

log = logging.getLogger(__name__)

MAX_SLOWDOWN = 4.0
BUDGET_PATIENCE = 3  # consecutive over-budget health intervals before polling slows down
DRAIN_SECONDS = 3.0


class SensorDaemon:
    def __init__(self, *, sources: Sequence[Source], intake: Intake, normalizer: Normalizer,
                 engine: RuleStage, sinks: Sequence[Sink], health_interval_s: float,
                 budget: SelfBudget, rule_errors: int = 0) -> None:
        self.sources = list(sources)
        self.intake = intake
        self.normalizer = normalizer
        self.engine = engine
        self.sinks = list(sinks)
        self.health_interval_s = health_interval_s
        self.budget = budget
        self.counters: Counter[str] = Counter({"rule_errors": rule_errors})
        self.stop_event = threading.Event()
        self._slowdown = 1.0
        self._over_budget = 0
        self._base_intervals: dict[str, float] = {}
        self._last_reading: dict[str, float] = {}

    def request_stop(self) -> None:
        self.stop_event.set()
        self.intake.wake()

    def _start_sources(self) -> None:
        for source in self.sources:
            try:
                source.start(self.intake)
            except Exception as exc:
                self.counters[f"{source.name}.start_failures"] += 1
                log.error("source %s failed to start (%s); running without it", source.name, exc)
                continue
            reason = source.degraded
            if reason:
                log.warning("source %s degraded: %s", source.name, reason)
            interval = getattr(source, "poll_interval", None)
            if isinstance(interval, float | int):
                self._base_intervals[source.name] = float(interval)

    def run(self) -> int:
        limit_malloc_arenas()
        self._start_sources()
        release_memory(collect=True)
        log.info("sensor running with sources: %s", ", ".join(s.name for s in self.sources))
        next_health = time.monotonic() + self.health_interval_s
        try:
            while not self.stop_event.is_set():
                obs = self.intake.take(timeout=max(0.0, next_health - time.monotonic()))
                if obs is not None:
                    self._handle(obs)
                    if self.intake.depth() == 0:
                        self._flush()  # a burst is written out as soon as it has been handled
                if time.monotonic() >= next_health:
                    self._health()
                    next_health = time.monotonic() + self.health_interval_s
        finally:
            self._shutdown()
        return 0

    def _handle(self, obs: Any) -> None:
        if isinstance(obs, InventorySnapshot):
            self.counters["inventory_snapshots"] += 1
            self._emit(InventoryRecord(body=obs.report))
            return
        try:
            event = self.normalizer.normalize(obs)
        except Exception:
            self.counters["normalize_errors"] += 1
            log.exception("could not normalise a %s observation", type(obs).__name__)
            return
        self.counters["events"] += 1
        self._emit(EventRecord(body=event))
        self._match(event)

    def _match(self, event: Event) -> None:
        try:
            alerts = alerts_for(self.engine, event)
        except Exception:
            self.counters["engine_errors"] += 1
            log.exception("rule engine failed on a %s event", event.category)
            return
        for alert in alerts:
            self.counters["alerts"] += 1
            self._emit(AlertRecord.of(alert))

    def _emit(self, record: SensorRecord) -> None:
        for sink in self.sinks:
            try:
                sink.emit(record)
            except Exception:
                self.counters["sink_errors"] += 1
                log.exception("sink %s failed", type(sink).__name__)

    def _flush(self) -> None:
        for sink in self.sinks:
            try:
                sink.flush()
            except Exception:
                self.counters["sink_errors"] += 1

    def health_counters(self) -> dict[str, int]:
        counters: Counter[str] = Counter()
        counters.update(self.counters)
        counters.update(self.intake.counters)
        for source in self.sources:
            for key, value in source.counters.items():
                counters[f"{source.name}.{key}"] += value
            if source.degraded:
                counters[f"{source.name}.degraded"] = 1
        counters["queue_depth"] = self.intake.depth()
        counters["drops"] = sum(v for k, v in counters.items() if ".dropped_" in k)
        counters["overflows"] = sum(v for k, v in counters.items() if k.endswith(".overflows"))
        counters["restarts"] = sum(v for k, v in counters.items() if k.endswith(".restarts"))
        for key, reading in self._last_reading.items():
            counters[key] = int(reading)
        return dict(counters)

    def _health(self, final: bool = False) -> None:
        reading = self.budget.read()
        self._last_reading = {"cpu_permille": reading.cpu_percent * 10, "rss_kb": reading.rss_mb * 1024}
        if final:
            pass  # the last report: measure, do not react
        elif reading.cpu_over or reading.rss_over:
            self.counters["budget_exceeded"] += 1
            self._over_budget += 1
            if self._over_budget >= BUDGET_PATIENCE:
                self._set_slowdown(min(self._slowdown * 2, MAX_SLOWDOWN))
            log.warning("over budget (cpu %.1f%% of a core, rss %.0f MB): polling %.0fx slower",
                        reading.cpu_percent, reading.rss_mb, self._slowdown)
        else:
            self._over_budget = 0
            if self._slowdown > 1.0:
                self._set_slowdown(1.0)
        counters = self.health_counters()
        self._emit(HealthRecord(body=self.normalizer.health(counters)))
        self._flush()
        release_memory()

    def _set_slowdown(self, factor: float) -> None:
        self._slowdown = factor
        for source in self.sources:
            base = self._base_intervals.get(source.name)
            if base is not None:
                source.poll_interval = base * factor  # type: ignore[attr-defined]

    def _shutdown(self) -> None:
        log.info("sensor stopping")
        for source in self.sources:
            try:
                source.stop()
            except Exception:
                log.exception("source %s failed to stop", source.name)
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            obs = self.intake.take(timeout=0.05)
            if obs is None:
                break
            self._handle(obs)
        self._health(final=True)
        for sink in self.sinks:
            try:
                sink.close()
            except Exception:
                log.exception("sink %s failed to close", type(sink).__name__)
