"""The engine: load rules once, then route, prefilter, match and correlate events one at a time."""

from __future__ import annotations

import platform
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule

from sensor.engine.conditions import DetectionCompiler, any_of, matched_names
from sensor.engine.correlation import Correlator, Fired, compile_correlation
from sensor.engine.errors import RuleCompileError, RuleLoadError
from sensor.engine.event_view import EventView
from sensor.engine.loader import LoadedFile, load_file, load_text, placeholder_pipeline, rule_files
from sensor.engine.prefilter import Prefilter
from sensor.engine.routing import Router
from sensor.engine.rule import CompiledRule, RuleMeta
from sensor.schema import Alert

DEFAULT_LEVEL = "medium"


def _metadata(rule: SigmaRule | SigmaCorrelationRule, fallback_id: str) -> dict[str, Any]:
    return {
        "id": str(rule.id) if rule.id else (rule.name or fallback_id),
        "title": rule.title or fallback_id,
        "level": rule.level.name.lower() if rule.level else DEFAULT_LEVEL,
        "status": rule.status.name.lower() if rule.status else None,
        "tags": [f"{t.namespace}.{t.name}" for t in (rule.tags or [])],
        "description": rule.description,
    }


def compile_rule(rule: SigmaRule, index: int, path: Path | None) -> CompiledRule:
    compiler = DetectionCompiler(rule.detection)
    try:
        trees = [c.parse(postprocess=False) for c in rule.detection.parsed_condition]
    except SigmaError as exc:
        raise RuleCompileError(f"condition: {exc}") from exc
    combined = any_of([compiler.condition(tree) for tree in trees])
    meta = _metadata(rule, f"{path.name if path else 'rule'}#{index}")
    source = rule.logsource
    return CompiledRule(
        index=index,
        path=path,
        name=rule.name,
        logsource=tuple(  # type: ignore[arg-type]
            v.lower() if isinstance(v, str) else None for v in (source.category, source.product, source.service)
        ),
        predicate=combined.predicate,
        need=combined.need,
        detections=compiler.positive_detections(),
        emit=bool(getattr(rule, "_output", True)),
        **meta,
    )


class Engine:
    """Compiled rules and correlation state. ``process`` is stateful; ``match`` is not."""

    def __init__(self, *, prefilter: bool = True) -> None:
        self.rules: list[CompiledRule] = []
        self.correlations: list[Correlator] = []
        self.errors: list[RuleLoadError] = []
        self.runtime_errors = 0
        self._prefilter_enabled = prefilter
        self._by_id: dict[str, CompiledRule] = {}
        self._router: Router[Prefilter] = Router(self.rules, self._build_route)

    # ---- loading -------------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        paths: Sequence[Path | str],
        *,
        variables: Mapping[str, list[str]] | None = None,
        prefilter: bool = True,
    ) -> Engine:
        """Load rule files or directories; bad rules land in ``errors``, never raise."""
        engine = cls(prefilter=prefilter)
        pipeline = placeholder_pipeline(variables or {})
        for path in rule_files([Path(p) for p in paths]):
            loaded, errors = load_file(path, pipeline)
            engine.errors.extend(errors)
            if loaded is not None:
                engine._add(loaded)
        return engine

    @classmethod
    def from_yaml(
        cls, text: str, *, variables: Mapping[str, list[str]] | None = None, prefilter: bool = True
    ) -> Engine:
        engine = cls(prefilter=prefilter)
        loaded, errors = load_text(text, None, placeholder_pipeline(variables or {}))
        engine.errors.extend(errors)
        if loaded is not None:
            engine._add(loaded)
        return engine

    def _add(self, loaded: LoadedFile) -> None:
        base_ids: dict[int, str] = {}
        for rule in loaded.rules:
            try:
                compiled = compile_rule(rule, len(self.rules), loaded.path)
            except (RuleCompileError, SigmaError) as exc:
                self.errors.append(_load_error(loaded.path, rule, str(exc)))
                continue
            if compiled.id in self._by_id:
                self.errors.append(_load_error(loaded.path, rule, f"duplicate rule id {compiled.id}"))
                continue
            self.rules.append(compiled)
            self._by_id[compiled.id] = compiled
            base_ids[id(rule)] = compiled.id
        for correlation in loaded.correlations:
            meta = _metadata(correlation, f"{loaded.path.name if loaded.path else 'rule'}#c{len(self.correlations)}")
            try:
                correlator = compile_correlation(correlation, len(self.correlations), base_ids, meta)
            except (RuleCompileError, SigmaError) as exc:
                self.errors.append(_load_error(loaded.path, correlation, str(exc)))
                continue
            self.correlations.append(correlator)
            for position, rule_id in enumerate(correlator.spec.rule_ids):
                self._by_id[rule_id].correlations.append((correlator.spec.index, position))
        self._router.routes.clear()
        self._router.fast.clear()

    def _build_route(self, rules: list[CompiledRule]) -> Prefilter:
        return Prefilter(rules, enabled=self._prefilter_enabled)

    # ---- matching ------------------------------------------------------------------------------

    def _matching(self, event: Mapping[str, Any]) -> tuple[EventView, list[CompiledRule]]:
        view = EventView(event)
        found = []
        route = self._router.route(event)
        try:
            candidates = route.candidates(view)
        except Exception:
            self.runtime_errors += 1
            view = EventView(event)
            candidates = route.rules
        for rule in candidates:
            try:
                if rule.predicate(view):
                    found.append(rule)
            except Exception:
                self.runtime_errors += 1
        return view, found

    def match(self, event: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
        """Stateless: (rule id, matched selection names) for every rule the event matches."""
        view, found = self._matching(event)
        return [(rule.id, matched_names(rule.detections, view)) for rule in found]

    def process(self, event: Mapping[str, Any]) -> list[Alert]:
        """Alerts for matching rules (unless only used by a correlation) and fired correlations."""
        view, found = self._matching(event)
        alerts: list[Alert] = []
        event_id = str(event.get("EventId") or uuid.uuid4().hex)
        for rule in found:
            if rule.emit:
                alerts.append(self._alert(rule, event, matched_names(rule.detections, view)))
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
            level=rule.level,
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


def _event_time(event: Mapping[str, Any]) -> str:
    stamp = event.get("UtcTime")
    if isinstance(stamp, str) and stamp:
        return stamp
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _load_error(path: Path | None, rule: Any, reason: str) -> RuleLoadError:
    return RuleLoadError(
        path=path,
        rule_id=str(rule.id) if getattr(rule, "id", None) else None,
        title=getattr(rule, "title", None),
        reason=reason,
    )
