"""The engine: rules compiled once (from YAML through pySigma, or from a compiled bundle), then
route, prefilter, match and correlate events one at a time.

This module and everything it imports run without pySigma or YAML: ``Engine.load`` /
``Engine.from_yaml`` import the front end (loader.py) when called; ``Engine.from_bundle`` never does.
"""

from __future__ import annotations

import platform
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sensor.engine import ir
from sensor.engine.bundle import RuleBundle
from sensor.engine.conditions import ConditionCompiler, matched_names
from sensor.engine.correlation import Correlator, Fired, build_correlator
from sensor.engine.correlation.base import CorrelationSpec
from sensor.engine.errors import RuleCompileError, RuleLoadError
from sensor.engine.event_view import EventView
from sensor.engine.prefilter import Prefilter
from sensor.engine.routing import RawSource, Router, raw_source
from sensor.engine.rule import CompiledRule, RuleMeta
from sensor.schema.alerts import Alert
from sensor.schema.timestamps import parse_time
from sensor.schema.vocabulary import Level

if TYPE_CHECKING:
    from sensor.engine.loader import CompiledSources

LogsourceArg = RawSource | Mapping[str, Any] | None


def build_rule(spec: ir.RuleSpec, index: int) -> CompiledRule:
    compiler = ConditionCompiler(spec["detections"])
    combined = compiler.condition(spec["condition"])
    category, product, service = (spec["logsource"] + [None, None, None])[:3]
    return CompiledRule(
        index=index,
        id=spec["id"],
        title=spec["title"],
        level=spec["level"],
        status=spec["status"],
        tags=list(spec["tags"]),
        description=spec["description"],
        path=Path(spec["path"]) if spec["path"] else None,
        name=spec["name"],
        logsource=(category, product, service),
        predicate=combined.predicate,
        need=combined.need,
        detections=compiler.positive_detections(),
        emit=bool(spec["emit"]),
    )


class _AllRules:
    """A route without a prefilter: every rule it reaches is evaluated."""

    def __init__(self, rules: list[CompiledRule]) -> None:
        self.rules = rules

    def candidates(self, view: EventView) -> list[CompiledRule]:
        return self.rules


class Engine:
    """Compiled rules and correlation state. ``process`` is stateful; ``match`` is not."""

    def __init__(self, *, prefilter: bool = True) -> None:
        self.rules: list[CompiledRule] = []
        self.correlations: list[Correlator] = []
        self.errors: list[RuleLoadError] = []
        self.runtime_errors = 0
        self._prefilter_enabled = prefilter
        self._by_id: dict[str, CompiledRule] = {}
        self._router: Router[Prefilter | _AllRules] = Router(self.rules, self._build_route, _AllRules)

    # ---- loading -------------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        paths: Sequence[Path | str],
        *,
        variables: Mapping[str, list[str]] | None = None,
        prefilter: bool = True,
        pipelines: Sequence[str] = (),
    ) -> Engine:
        """Load rule files or directories; bad rules land in ``errors``, never raise (an unknown
        pipeline raises ``loader.PipelineError``)."""
        # The YAML/pySigma front end is imported only when rules are compiled, never for a bundle.
        from sensor.engine.loader import compile_sources  # noqa: PLC0415

        return cls.from_sources(compile_sources(paths, variables, pipelines), prefilter=prefilter)

    @classmethod
    def from_yaml(
        cls,
        text: str,
        *,
        variables: Mapping[str, list[str]] | None = None,
        prefilter: bool = True,
        pipelines: Sequence[str] = (),
    ) -> Engine:
        from sensor.engine.loader import compile_text  # noqa: PLC0415 (see load)

        return cls.from_sources(compile_text(text, variables, pipelines), prefilter=prefilter)

    @classmethod
    def from_sources(cls, sources: CompiledSources | RuleBundle, *, prefilter: bool = True) -> Engine:
        engine = cls(prefilter=prefilter)
        engine.errors.extend(sources.errors)
        engine._add(sources.rules, sources.correlations)
        return engine

    @classmethod
    def from_bundle(cls, bundle: RuleBundle, *, prefilter: bool = True) -> Engine:
        """An engine from a compiled bundle: no YAML, no pySigma."""
        return cls.from_sources(bundle, prefilter=prefilter)

    def _add(self, rules: Sequence[ir.RuleSpec], correlations: Sequence[CorrelationSpec]) -> None:
        for spec in rules:
            try:
                compiled = build_rule(spec, len(self.rules))
            except (RuleCompileError, KeyError, TypeError, ValueError, IndexError) as exc:
                self.errors.append(_spec_error(spec, str(exc) or type(exc).__name__))
                continue
            if compiled.id in self._by_id:
                self.errors.append(_spec_error(spec, f"duplicate rule id {compiled.id}"))
                continue
            self.rules.append(compiled)
            self._by_id[compiled.id] = compiled
        for cspec in correlations:
            missing = [r for r in cspec.rule_ids if r not in self._by_id]
            try:
                if missing:
                    raise RuleCompileError(f"correlation references {', '.join(missing)}, which failed to compile")
                reindexed = _reindexed(cspec, len(self.correlations))
                correlator = build_correlator(reindexed)
            except RuleCompileError as exc:
                self.errors.append(RuleLoadError(None, cspec.id, cspec.title, str(exc)))
                continue
            self.correlations.append(correlator)
            for position, rule_id in enumerate(reindexed.rule_ids):
                self._by_id[rule_id].correlations.append((reindexed.index, position))
        self._router.clear()

    def _build_route(self, rules: list[CompiledRule]) -> Prefilter:
        return Prefilter(rules, enabled=self._prefilter_enabled)

    # ---- matching ------------------------------------------------------------------------------

    def _matching(self, event: Mapping[str, Any], logsource: LogsourceArg) -> tuple[EventView, list[CompiledRule]]:
        raw, envelope = raw_source(event, logsource)
        view = EventView(event, envelope)
        found = []
        route = self._router.route(raw)
        try:
            candidates = route.candidates(view)
        except Exception:
            self.runtime_errors += 1
            view = EventView(event, envelope)
            candidates = route.rules
        for rule in candidates:
            try:
                if rule.predicate(view):
                    found.append(rule)
            except Exception:
                self.runtime_errors += 1
        return view, found

    def match(self, event: Mapping[str, Any], logsource: LogsourceArg = None) -> list[tuple[str, list[str]]]:
        """Stateless: (rule id, matched selection names) for every rule the event matches.
        ``logsource``: (category, product, service) or a mapping of them, for events whose routing
        metadata is not in the event (routing.py)."""
        view, found = self._matching(event, logsource)
        return [(rule.id, matched_names(rule.detections, view)) for rule in found]

    def matching_rules(self, event: Mapping[str, Any], logsource: LogsourceArg = None) -> list[CompiledRule]:
        """Stateless: the rules the event matches (no selection names, no alerts)."""
        return self._matching(event, logsource)[1]

    def process(self, event: Mapping[str, Any], logsource: LogsourceArg = None) -> list[Alert]:
        """Alerts for matching rules (unless only used by a correlation) and fired correlations."""
        view, found = self._matching(event, logsource)
        alerts: list[Alert] = []
        if not found:
            return alerts
        event_id = str(event.get("EventId") or uuid.uuid4().hex)
        for rule in found:
            if rule.emit:
                alerts.append(self._alert(rule, event, matched_names(rule.detections, view)))
            alerts.extend(self.correlate(rule, event, event_id))
        return alerts

    def correlate(self, rule: CompiledRule, event: Mapping[str, Any], event_id: str) -> list[Alert]:
        """Feed one match of ``rule`` to the correlations that reference it; alerts of those that fire."""
        alerts: list[Alert] = []
        for correlation_index, position in rule.correlations:
            correlator = self.correlations[correlation_index]
            fired = correlator.feed(position, event, event_id)
            if fired is not None:
                alerts.append(self._correlation_alert(correlator, event, fired))
        return alerts

    def health(self) -> dict[str, int]:
        """Counters for the sensor's own health telemetry."""
        return {
            "rules": len(self.rules),
            "correlation_rules": len(self.correlations),
            "rule_load_errors": len(self.errors),
            "rule_runtime_errors": self.runtime_errors,
            "prefilter_fallbacks": self._router.fallbacks,
            "correlation_groups": sum(len(c.groups) for c in self.correlations),
            "correlation_groups_evicted": sum(c.evicted_groups for c in self.correlations),
        }

    # ---- alerts --------------------------------------------------------------------------------

    def _alert(self, rule: RuleMeta, event: Mapping[str, Any], matched: list[str], **correlation: Any) -> Alert:
        return Alert(
            AlertId=uuid.uuid4().hex,
            UtcTime=_event_time(event),
            Hostname=str(event.get("Hostname") or platform.node()),
            rule_id=rule.id,
            title=rule.title,
            level=Level(rule.level),
            status=rule.status,
            tags=list(rule.tags),
            description=rule.description,
            matched=matched,
            event=dict(event),
            **correlation,
        )

    def _correlation_alert(self, correlator: Correlator, event: Mapping[str, Any], fired: Fired) -> Alert:
        spec = correlator.spec
        return self._alert(spec, event, fired.matched or list(dict.fromkeys(spec.rule_names)),
                           correlation_type=spec.type, contributing_event_ids=fired.event_ids, group=fired.group)


def _reindexed(spec: CorrelationSpec, index: int) -> CorrelationSpec:
    return spec if spec.index == index else replace(spec, index=index)


def _event_time(event: Mapping[str, Any]) -> datetime:
    stamp = event.get("UtcTime")
    if isinstance(stamp, str) and stamp:
        try:
            return parse_time(stamp)
        except ValueError:
            pass
    return datetime.now(UTC)


def _spec_error(spec: Any, reason: str) -> RuleLoadError:
    get = spec.get if isinstance(spec, dict) else (lambda _k: None)
    path = get("path")
    return RuleLoadError(path=Path(path) if path else None, rule_id=get("id"), title=get("title"), reason=reason)
