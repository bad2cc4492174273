"""A compiled Sigma detection rule: metadata plus predicates; no pySigma object is kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sensor.engine.compiler import Need, Predicate

Logsource = tuple[str | None, str | None, str | None]  # category, product, service


@dataclass
class RuleMeta:
    """A rule's place in the engine and what its alerts say about it; shared by detection rules
    (``CompiledRule``) and correlation rules (``CorrelationSpec``)."""

    index: int
    id: str
    title: str
    level: str
    status: str | None
    tags: list[str]
    description: str | None


@dataclass
class CompiledRule(RuleMeta):
    path: Path | None
    name: str | None
    logsource: Logsource
    predicate: Predicate
    need: Need | None
    detections: list[tuple[str, Predicate]]
    emit: bool = True  # False for rules referenced by a correlation without `generate: true`
    # (index into Engine.correlations, position of this rule in that correlation's rule list)
    correlations: list[tuple[int, int]] = field(default_factory=list)
