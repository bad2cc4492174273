"""Condition trees -> predicates, plus the prefilter requirement (``need``) of each subtree.

Two trees are compiled: the detection tree pySigma builds for each named detection
(AND/OR/NOT over field/value leaves), and the rule's condition over detection names (identifiers,
``1 of``/``all of`` selectors with wildcards and ``them``, ``not``, parentheses). A detection is compiled
once even when several conditions or selectors name it.

Needs (see prefilter.py): an AND needs what its most selective child needs; an OR needs the union of
its children's needs, or nothing if one child has none; a NOT needs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionIdentifier,
    ConditionNOT,
    ConditionOR,
    ConditionSelector,
    ConditionValueExpression,
)
from sigma.rule.detection import SigmaDetections

from sensor.engine.compiler import Compiled, Predicate, compile_value
from sensor.engine.compiler.combinators import all_of, any_of, negate
from sensor.engine.errors import RuleCompileError
from sensor.engine.event_view import EventView


def compile_detection_tree(node: Any) -> Compiled:
    """A pySigma post-processed detection tree (AND/OR/NOT/field=value/keyword)."""
    if isinstance(node, ConditionAND):
        return all_of([compile_detection_tree(a) for a in node.args])
    if isinstance(node, ConditionOR):
        return any_of([compile_detection_tree(a) for a in node.args])
    if isinstance(node, ConditionNOT):
        return negate(compile_detection_tree(node.args[0]))
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return compile_value(node.field, node.value)
    if isinstance(node, ConditionValueExpression):
        return compile_value(None, node.value)
    if node is None:
        raise RuleCompileError("empty detection")
    raise RuleCompileError(f"condition node {type(node).__name__} is not supported")


class DetectionCompiler:
    """Compiles the named detections of one rule, each once, on demand."""

    def __init__(self, detections: SigmaDetections) -> None:
        self.detections = detections
        self.compiled: dict[str, Compiled] = {}
        self.polarity: dict[str, bool] = {}  # name -> referenced outside any NOT

    def detection(self, name: str) -> Compiled:
        found = self.compiled.get(name)
        if found is None:
            if name not in self.detections.detections:
                raise RuleCompileError(f"condition names detection {name!r}, which is not defined")
            tree = self.detections.detections[name].postprocess(self.detections, None)
            found = compile_detection_tree(tree)
            self.compiled[name] = found
        return found

    def condition(self, node: Any, positive: bool = True) -> Compiled:
        if isinstance(node, ConditionIdentifier):
            self.polarity[node.identifier] = self.polarity.get(node.identifier, False) or positive
            return self.detection(node.identifier)
        if isinstance(node, ConditionSelector):
            names = [i.identifier for i in node.resolve_referenced_detections(self.detections)]
            if not names:
                raise RuleCompileError(f"selector '{node.args[0]} of {node.pattern}' matches no detection")
            parts = [self.condition(ConditionIdentifier([n]), positive) for n in names]
            return all_of(parts) if node.cond_class is ConditionAND else any_of(parts)
        if isinstance(node, ConditionAND):
            return all_of([self.condition(a, positive) for a in node.args])
        if isinstance(node, ConditionOR):
            return any_of([self.condition(a, positive) for a in node.args])
        if isinstance(node, ConditionNOT):
            return negate(self.condition(node.args[0], not positive))
        raise RuleCompileError(f"condition node {type(node).__name__} is not supported")

    def positive_detections(self) -> list[tuple[str, Predicate]]:
        """Detections referenced outside a ``not``: reported as "matched" when they hold."""
        return [(n, self.compiled[n].predicate) for n, pos in self.polarity.items() if pos]


def matched_names(detections: Sequence[tuple[str, Predicate]], view: EventView) -> list[str]:
    return [name for name, predicate in detections if predicate(view)]
