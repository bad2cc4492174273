"""pySigma rules -> the engine's IR (``ir.py``): the only place that reads pySigma's object model.

Detections are taken from pySigma's post-processed trees (modifiers applied, processing pipelines
applied by the loader); the condition is translated with ``1 of x*`` / ``all of them`` expanded into
references to named detections, and only referenced detections are translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
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
from sigma.correlations import SigmaCorrelationCondition, SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule
from sigma.rule.detection import SigmaDetections
from sigma.types import (
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaTimestampPart,
    SpecialChars,
)

from sensor.engine import ir
from sensor.engine.correlation import CORRELATORS
from sensor.engine.correlation.base import STREAMING_UNSUPPORTED, CorrelationSpec
from sensor.engine.errors import RuleCompileError

DEFAULT_LEVEL = "medium"

_FLAG_LETTERS = {
    SigmaRegularExpressionFlag.IGNORECASE: "i",
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}


def string_tokens(value: SigmaString) -> list[str | int]:
    tokens: list[str | int] = []
    for part in value.iter_parts():
        if isinstance(part, Placeholder):
            raise RuleCompileError(f"unresolved placeholder %{part.name}% (|expand): pass a value for it in variables")
        if isinstance(part, str):
            if tokens and isinstance(tokens[-1], str):
                tokens[-1] += part
            else:
                tokens.append(part)
        elif part is SpecialChars.WILDCARD_MULTI:
            tokens.append(ir.WILDCARD_MULTI)
        elif part is SpecialChars.WILDCARD_SINGLE:
            tokens.append(ir.WILDCARD_SINGLE)
        else:
            raise RuleCompileError(f"unsupported string part {part!r}")
    return tokens


def value_ir(field: str | None, value: Any) -> ir.Node:
    """One field/value leaf. Subclasses first: cased strings and timestamp parts before their bases."""
    if isinstance(value, SigmaCasedString):
        return ["s", field, string_tokens(value), True]
    if isinstance(value, SigmaString):
        return ["s", field, string_tokens(value), False]
    if isinstance(value, SigmaRegularExpression):
        if value.regexp.contains_placeholder():
            raise RuleCompileError("unresolved placeholder in regular expression: pass it in variables")
        return ["re", field, str(value.regexp), "".join(sorted(_FLAG_LETTERS[f] for f in value.flags))]
    if isinstance(value, SigmaTimestampPart):
        return ["ts", field, value.timestamp_part.name.lower(), value.number]
    if isinstance(value, SigmaCompareExpression):
        return ["cmp", field, value.op.name.lower(), value.number.number]
    if isinstance(value, SigmaNumber):
        return ["n", field, value.number]
    if isinstance(value, SigmaBool):
        return ["b", field, bool(value.boolean)]
    if isinstance(value, SigmaCIDRExpression):
        return ["cidr", field, str(value.network)]
    if isinstance(value, SigmaNull):
        return ["null", field]
    if isinstance(value, SigmaExists):
        return ["ex", field, bool(value.exists)]
    if isinstance(value, SigmaFieldReference):
        return ["fref", field, value.field, bool(value.starts_with), bool(value.ends_with)]
    if isinstance(value, SigmaExpansion):  # windash/base64offset variants: OR-ed even under |all
        return [ir.OR, [value_ir(field, v) for v in value.values]]
    raise RuleCompileError(f"value type {type(value).__name__} is not supported by the engine")


def detection_ir(node: Any) -> ir.Node:
    """A pySigma post-processed detection tree (AND/OR/NOT/field=value/keyword)."""
    if isinstance(node, ConditionAND):
        return [ir.AND, [detection_ir(a) for a in node.args]]
    if isinstance(node, ConditionOR):
        return [ir.OR, [detection_ir(a) for a in node.args]]
    if isinstance(node, ConditionNOT):
        return [ir.NOT, detection_ir(node.args[0])]
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return value_ir(node.field, node.value)
    if isinstance(node, ConditionValueExpression):
        return value_ir(None, node.value)
    if node is None:
        raise RuleCompileError("empty detection")
    raise RuleCompileError(f"condition node {type(node).__name__} is not supported")


class _ConditionTranslator:
    def __init__(self, detections: SigmaDetections) -> None:
        self.detections = detections
        self.trees: dict[str, ir.Node] = {}

    def ref(self, name: str) -> ir.Node:
        if name not in self.trees:
            if name not in self.detections.detections:
                raise RuleCompileError(f"condition names detection {name!r}, which is not defined")
            tree = self.detections.detections[name].postprocess(self.detections, None)
            self.trees[name] = detection_ir(tree)
        return [ir.REF, name]

    def condition(self, node: Any) -> ir.Node:
        if isinstance(node, ConditionIdentifier):
            return self.ref(node.identifier)
        if isinstance(node, ConditionSelector):
            names = [i.identifier for i in node.resolve_referenced_detections(self.detections)]
            if not names:
                raise RuleCompileError(f"selector '{node.args[0]} of {node.pattern}' matches no detection")
            refs = [self.ref(n) for n in names]
            return [ir.AND if node.cond_class is ConditionAND else ir.OR, refs]
        if isinstance(node, ConditionAND):
            return [ir.AND, [self.condition(a) for a in node.args]]
        if isinstance(node, ConditionOR):
            return [ir.OR, [self.condition(a) for a in node.args]]
        if isinstance(node, ConditionNOT):
            return [ir.NOT, self.condition(node.args[0])]
        raise RuleCompileError(f"condition node {type(node).__name__} is not supported")


def metadata(rule: SigmaRule | SigmaCorrelationRule, fallback_id: str) -> dict[str, Any]:
    return {
        "id": str(rule.id) if rule.id else (rule.name or fallback_id),
        "title": rule.title or fallback_id,
        "level": rule.level.name.lower() if rule.level else DEFAULT_LEVEL,
        "status": rule.status.name.lower() if rule.status else None,
        "tags": [f"{t.namespace}.{t.name}" for t in (rule.tags or [])],
        "description": rule.description,
    }


def rule_spec(rule: SigmaRule, fallback_id: str, path: Path | None) -> ir.RuleSpec:
    """The IR of one (pipeline-processed) detection rule."""
    translator = _ConditionTranslator(rule.detection)
    try:
        trees = [c.parse(postprocess=False) for c in rule.detection.parsed_condition]
    except SigmaError as exc:
        raise RuleCompileError(f"condition: {exc}") from exc
    conditions = [translator.condition(tree) for tree in trees]
    source = rule.logsource
    meta = metadata(rule, fallback_id)
    return ir.RuleSpec(
        id=meta["id"],
        title=meta["title"],
        level=meta["level"],
        status=meta["status"],
        tags=meta["tags"],
        description=meta["description"],
        name=rule.name,
        path=str(path) if path is not None else None,
        logsource=[
            v.lower() if isinstance(v, str) else None for v in (source.category, source.product, source.service)
        ],
        detections=translator.trees,
        condition=conditions[0] if len(conditions) == 1 else [ir.OR, conditions],
        emit=bool(getattr(rule, "_output", True)),
    )


def correlation_spec(
    rule: SigmaCorrelationRule, index: int, base_ids: Mapping[int, str], meta: dict[str, Any]
) -> CorrelationSpec:
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
    if kind == "value_count" and not isinstance(value_field, str):
        raise RuleCompileError("value_count needs exactly one condition field")
    return CorrelationSpec(
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
        **meta,
    )
