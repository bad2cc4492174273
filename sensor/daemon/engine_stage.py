"""The rule-engine stage of the pipeline, behind a small protocol.

The real engine is ``sensor.engine.Engine`` (Sigma rules compiled to predicates). ``load_engine``
returns it loaded with the configured rule paths, or a ``NoRules`` stage (no alerts, logged) when no
rule path is configured. The rules come from the compiled bundle shipped for the pack when it was
built from exactly these files (hash of the YAML); otherwise they are compiled from the YAML, which
is the only case that imports pySigma and YAML into the daemon.

The engine matches flat field dicts. ``alerts_for`` is the typed hand-off the daemon uses: it gives the stage
an ``Event``'s field view (``Event.to_match_dict``) and gives each alert that same ``Event``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from sensor.engine.ruleset import load_rules
from sensor.schema.alerts import Alert
from sensor.schema.events import Event

log = logging.getLogger(__name__)


class RuleStage(Protocol):
    def process(self, event: Mapping[str, Any]) -> list[Alert]: ...


class NoRules:
    def process(self, event: Mapping[str, Any]) -> list[Alert]:
        return []


def alerts_for(stage: RuleStage, event: Event) -> list[Alert]:
    """The alerts ``event`` raises; each carries the typed event it matched."""
    return [alert.model_copy(update={"event": event}) for alert in stage.process(event.to_match_dict())]


def load_engine(paths: Sequence[Path]) -> tuple[RuleStage, list[str]]:
    """(stage, load errors as text). Errors in single rules do not stop the others from loading."""
    if not paths:
        log.warning("no rule paths configured: events are recorded, no alerts are raised")
        return NoRules(), []
    loaded = load_rules([Path(p) for p in paths])
    if loaded.bundle_file is not None:
        log.info("rules from the compiled bundle %s", loaded.bundle_file)
    else:
        log.info("rules compiled from YAML (no compiled bundle matches them)")
    errors = [str(e) for e in loaded.engine.errors]
    for err in errors:
        log.warning("rule error: %s", err)
    return loaded.engine, errors
