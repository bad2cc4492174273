"""Sigma v2 correlation rules: a ``CorrelationSpec`` (built by the front end) -> a bounded streaming
correlator."""

from __future__ import annotations

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


def build_correlator(spec: CorrelationSpec) -> Correlator:
    kind = CORRELATORS.get(spec.type)
    if kind is None:
        raise RuleCompileError(f"correlation type {spec.type} is not supported by the streaming engine")
    if spec.op in STREAMING_UNSUPPORTED or spec.op not in ("gte", "gt", "eq"):
        raise RuleCompileError(f"correlation condition {spec.op!r} is not supported by the streaming engine")
    return kind(spec)


__all__ = ["CORRELATORS", "CorrelationSpec", "Correlator", "Fired", "build_correlator"]
