"""Sigma v2 correlation rules: compile a ``SigmaCorrelationRule`` into a bounded streaming correlator."""

from __future__ import annotations

from collections.abc import Mapping

from sigma.correlations import SigmaCorrelationCondition, SigmaCorrelationRule
from sigma.rule import SigmaRule

from sensor.engine.correlation.base import STREAMING_UNSUPPORTED, CorrelationSpec, Correlator, Fired
from sensor.engine.correlation.event_count import EventCount
from sensor.engine.correlation.temporal import Temporal, TemporalOrdered
from sensor.engine.correlation.value_count import ValueCount
from sensor.engine.errors import RuleCompileError

CORRELATORS: dict[str, type[Correlator]] = {
    "event_count": EventCount,
    "value_count": ValueCount,
    "temporal": Temporal,
    "temporal_ordered": TemporalOrdered,
}


def compile_correlation(
    rule: SigmaCorrelationRule, index: int, base_ids: Mapping[int, str], metadata: dict[str, object]
) -> Correlator:
    """``base_ids`` maps ``id(SigmaRule)`` to the compiled base rule's id."""
    kind = rule.type.name.lower()
    if kind not in CORRELATORS:
        raise RuleCompileError(f"correlation type {kind} is not supported by the streaming engine")
    condition = rule.condition
    if not isinstance(condition, SigmaCorrelationCondition):
        raise RuleCompileError("extended temporal conditions are not supported by the streaming engine")
    op = condition.op.name.lower()
    if op in STREAMING_UNSUPPORTED:
        raise RuleCompileError(
            f"condition '{op}' needs a timer at the end of each window; the streaming engine supports gte, gt, eq"
        )
    refs = rule.rules or []
    rule_ids: list[str] = []
    group_fields_by_rule: list[list[str]] = []
    group_by = list(rule.group_by or [])
    for ref in refs:
        target = ref.rule
        if not isinstance(target, SigmaRule):
            raise RuleCompileError(f"correlation references {ref.reference!r}, which is not a detection rule")
        base = base_ids.get(id(target))
        if base is None:
            raise RuleCompileError(f"correlation references {ref.reference!r}, which failed to compile")
        rule_ids.append(base)
        fields = []
        for name in group_by:
            alias = rule.aliases.aliases.get(name)
            if alias is None:
                fields.append(name)
                continue
            mapped = next((f for r, f in alias.mapping.items() if r.reference == ref.reference), None)
            if mapped is None:
                raise RuleCompileError(f"alias {name!r} has no field for rule {ref.reference!r}")
            fields.append(mapped)
        group_fields_by_rule.append(fields)
    value_field = condition.fieldref
    if kind == "value_count":
        if not isinstance(value_field, str):
            raise RuleCompileError("value_count needs exactly one condition field")
    spec = CorrelationSpec(
        index=index,
        type=kind,
        rule_ids=rule_ids,
        rule_names=[ref.reference for ref in refs],
        group_by=group_by,
        group_fields=group_fields_by_rule,
        timespan=float(rule.timespan.seconds),
        op=op,
        count=float(condition.count),
        value_field=value_field if isinstance(value_field, str) else None,
        generate=bool(rule.generate),
        **metadata,  # type: ignore[arg-type]
    )
    return CORRELATORS[kind](spec)


__all__ = ["CORRELATORS", "CorrelationSpec", "Correlator", "Fired", "compile_correlation"]
