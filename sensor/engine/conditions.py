"""A rule's condition (IR over named detections) -> one predicate, plus the detections it reports.

Each named detection is compiled once, even when several conditions or selectors name it
(``1 of x*`` and ``all of them`` are expanded by the front end into OR/AND over ``["ref", name]``).
A detection referenced outside any ``not`` is "positive": alerts list the positive detections that
hold for the event (``matched``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sensor.engine import ir
from sensor.engine.compiler import Compiled, Predicate, compile_node
from sensor.engine.compiler.combinators import all_of, any_of, negate
from sensor.engine.errors import RuleCompileError
from sensor.engine.event_view import EventView


class ConditionCompiler:
    """Compiles the condition of one rule, each referenced detection once."""

    def __init__(self, detections: Mapping[str, ir.Node]) -> None:
        self.detections = detections
        self.compiled: dict[str, Compiled] = {}
        self.polarity: dict[str, bool] = {}  # name -> referenced outside any NOT

    def detection(self, name: str) -> Compiled:
        found = self.compiled.get(name)
        if found is None:
            tree = self.detections.get(name)
            if tree is None:
                raise RuleCompileError(f"condition names detection {name!r}, which is not defined")
            found = compile_node(tree)
            self.compiled[name] = found
        return found

    def condition(self, node: ir.Node, positive: bool = True) -> Compiled:
        if not isinstance(node, list) or not node:
            raise RuleCompileError(f"malformed condition {node!r}")
        tag = node[0]
        if tag == ir.REF:
            name = str(node[1])
            self.polarity[name] = self.polarity.get(name, False) or positive
            return self.detection(name)
        if tag == ir.AND:
            return all_of([self.condition(a, positive) for a in node[1]])
        if tag == ir.OR:
            return any_of([self.condition(a, positive) for a in node[1]])
        if tag == ir.NOT:
            return negate(self.condition(node[1], not positive))
        raise RuleCompileError(f"condition node {tag!r} is not supported")

    def positive_detections(self) -> list[tuple[str, Predicate]]:
        """Detections referenced outside a ``not``: reported as "matched" when they hold."""
        return [
            (n, self.compiled[n].predicate)
            for n, pos in self.polarity.items()
            if pos and not n.startswith(ir.PIPELINE_CONDITION_PREFIX)
        ]


def matched_names(detections: Sequence[tuple[str, Predicate]], view: EventView) -> list[str]:
    return [name for name, predicate in detections if predicate(view)]
