"""The rule-engine stage of the pipeline, behind a small protocol.

The real engine is ``sensor.engine.Engine`` (Sigma rules compiled to predicates). ``load_engine``
returns it loaded with the configured rule paths, or a ``NoRules`` stage (no alerts, logged) when no
rule path is configured or the engine package is not installed.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class RuleStage(Protocol):
    def process(self, event: dict[str, Any]) -> list[Any]: ...


class NoRules:
    def process(self, event: dict[str, Any]) -> list[Any]:
        return []


def load_engine(paths: Sequence[Path]) -> tuple[RuleStage, list[str]]:
    """(stage, load errors as text). Errors in single rules do not stop the others from loading."""
    if not paths:
        log.warning("no rule paths configured: events are recorded, no alerts are raised")
        return NoRules(), []
    try:
        module = importlib.import_module("sensor.engine")
    except ModuleNotFoundError as exc:
        log.error("rule engine unavailable (%s): no alerts are raised", exc)
        return NoRules(), [f"engine unavailable: {exc}"]
    engine = module.Engine.load([Path(p) for p in paths])
    errors = [str(e) for e in getattr(engine, "errors", [])]
    for err in errors:
        log.warning("rule error: %s", err)
    return engine, errors
