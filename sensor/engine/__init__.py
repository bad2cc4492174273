"""The Sigma engine: rules parsed by pySigma, compiled once to Python predicates, routed by
logsource, prefiltered by literals, matched and correlated per event.

    engine = Engine.load([Path("detections")], variables={"users": ["root"]})
    engine.errors          # RuleLoadError per rule that did not load (file, rule, reason)
    engine.process(event)  # list[Alert]: matches and fired correlations (stateful)
    engine.match(event)    # [(rule id, matched selection names)] (stateless)
"""

from sensor.engine.engine import Engine
from sensor.engine.errors import RuleLoadError
from sensor.engine.rule import CompiledRule

__all__ = ["CompiledRule", "Engine", "RuleLoadError"]
