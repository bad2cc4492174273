"""Events generated from a Sigma rule's own values: hits and near-misses (differential testing).

For each rule, walks pySigma's condition tree choosing satisfying (or falsifying) branches and builds
field values from the rule's literals: wildcards filled, regexes sampled from the parsed pattern,
CIDR hosts, numbers +-1, field references copied. Each hit then yields near-misses: wrong case,
first/last character cut, prefix/suffix shifts, ``/`` -> ``\\``, a trailing newline, a missing field,
other values, IP neighbours and textual prefix collisions. Deterministic for a given seed. Events
carry no logsource keys, so every rule sees every event (single-table semantics).
"""

from __future__ import annotations

import ipaddress
import random
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Iterator
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.rule import SigmaRule
from sigma.types import (
    CompareOperators,
    SigmaBool,
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
    SpecialChars,
)

KEYWORD_FIELD = "Message"
FILLERS = ("", "x", "Ab", " /tmp/", "zz9")
_ABSENT = object()


def _sample_regex(pattern: str, rng: random.Random, flags: int = 0) -> str:
    try:
        parsed = sre_parse.parse(pattern, flags)
    except Exception:
        return "x"
    return "".join(_emit(parsed, rng, 0))


def _emit(items: Any, rng: random.Random, depth: int) -> Iterator[str]:
    if depth > 20:
        return
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            yield chr(arg)
        elif name == "NOT_LITERAL":
            yield "x" if arg != ord("x") else "y"
        elif name == "ANY":
            yield rng.choice("a/ 1")
        elif name == "IN":
            yield _emit_in(arg, rng)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = rng.randint(low, min(max(low, 1) + 2, high if high != sre_parse.MAXREPEAT else low + 3))
            for _ in range(count):
                yield from _emit(sub, rng, depth + 1)
        elif name == "SUBPATTERN":
            yield from _emit(arg[-1], rng, depth + 1)
        elif name == "BRANCH":
            yield from _emit(rng.choice(arg[1]), rng, depth + 1)
        elif name in ("AT", "ASSERT", "ASSERT_NOT", "GROUPREF"):
            continue
        else:
            continue


def _emit_in(arg: Any, rng: random.Random) -> str:
    negate = any(str(op) == "NEGATE" for op, _ in arg)
    choices: list[str] = []
    for op, value in arg:
        name = str(op)
        if name == "LITERAL":
            choices.append(chr(value))
        elif name == "RANGE":
            choices.append(chr(rng.randint(value[0], value[1])))
        elif name == "CATEGORY":
            choices.append(
                {"CATEGORY_DIGIT": "7", "CATEGORY_SPACE": " ", "CATEGORY_WORD": "w"}.get(str(value), "a")
            )
    if negate:
        return next(c for c in "xq#7 " if c not in choices)
    return rng.choice(choices) if choices else "a"


def _string_value(value: SigmaString, rng: random.Random) -> str:
    out = []
    for part in value.iter_parts():
        if part is SpecialChars.WILDCARD_MULTI:
            out.append(rng.choice(FILLERS))
        elif part is SpecialChars.WILDCARD_SINGLE:
            out.append(rng.choice("q7/"))
        elif isinstance(part, str):
            out.append(part)
    return "".join(out)


def satisfying(value: Any, rng: random.Random, event: dict[str, Any]) -> Any:
    """A value for a field that the leaf should accept (``_ABSENT`` = leave the field out)."""
    if isinstance(value, SigmaExpansion):
        return satisfying(rng.choice(value.values), rng, event)
    if isinstance(value, SigmaRegularExpression):
        flags = 0
        if SigmaRegularExpressionFlag.IGNORECASE in value.flags:
            flags |= sre_parse.SRE_FLAG_IGNORECASE
        return _sample_regex(str(value.regexp), rng, flags)
    if isinstance(value, SigmaString):
        return _string_value(value, rng)
    if isinstance(value, SigmaCompareExpression):
        n = value.number.number
        delta = {CompareOperators.LT: -1, CompareOperators.GT: 1}.get(value.op, 0)
        return int(n + delta) if isinstance(n, int) else n + delta
    if isinstance(value, SigmaNumber):
        return value.number
    if isinstance(value, SigmaBool):
        return "true" if value.boolean else "false"
    if isinstance(value, SigmaCIDRExpression):
        net = value.network
        return str(net.network_address + min(1, net.num_addresses - 1))
    if isinstance(value, SigmaNull):
        return _ABSENT
    if isinstance(value, SigmaExists):
        return "present" if value.exists else _ABSENT
    if isinstance(value, SigmaFieldReference):
        other = event.get(value.field)
        if other is None:
            other = "ref-" + str(rng.randint(0, 9))
            event[value.field] = other
        prefix = "pre" if value.ends_with else ""
        suffix = "post" if value.starts_with else ""
        return f"{prefix}{other}{suffix}"
    return "x"


class _Builder:
    """Field values under construction: string fragments per field are combined, not overwritten."""

    def __init__(self) -> None:
        self.event: dict[str, Any] = {}
        self.parts: dict[str, dict[str, list[str]]] = {}

    def add_string(self, field: str, value: SigmaString, rng: random.Random) -> None:
        parts = list(value.iter_parts())
        lead = bool(parts) and parts[0] is SpecialChars.WILDCARD_MULTI
        trail = bool(parts) and parts[-1] is SpecialChars.WILDCARD_MULTI
        kind = {
            (False, False): "exact",
            (False, True): "prefix",
            (True, False): "suffix",
            (True, True): "infix",
        }
        slot = self.parts.setdefault(field, {"exact": [], "prefix": [], "infix": [], "suffix": []})
        slot[kind[(lead, trail)]].append(_string_value(value, rng))

    def add_regex(self, field: str, value: SigmaRegularExpression, rng: random.Random) -> None:
        pattern = str(value.regexp)
        kind = "prefix" if pattern.startswith("^") else "suffix" if pattern.endswith("$") else "infix"
        slot = self.parts.setdefault(field, {"exact": [], "prefix": [], "infix": [], "suffix": []})
        slot[kind].append(satisfying(value, rng, self.event))

    def constrained(self, field: str) -> bool:
        return field in self.parts

    def finish(self) -> dict[str, Any]:
        for field, slot in self.parts.items():
            if slot["exact"]:
                self.event[field] = slot["exact"][-1]
            else:
                self.event[field] = "".join(slot["prefix"] + slot["infix"] + slot["suffix"])
        return self.event


def _assign(tree: Any, want: bool, rng: random.Random, out: _Builder) -> None:
    event = out.event
    if isinstance(tree, ConditionNOT):
        _assign(tree.args[0], not want, rng, out)
    elif isinstance(tree, (ConditionAND, ConditionOR)):
        conjunctive = isinstance(tree, ConditionAND) == want  # every child must get `want`
        if conjunctive:
            for arg in tree.args:
                _assign(arg, want, rng, out)
        else:
            _assign(rng.choice(tree.args), want, rng, out)
    elif isinstance(tree, ConditionFieldEqualsValueExpression):
        field = tree.field
        value_type = tree.value
        if isinstance(value_type, SigmaExpansion):
            value_type = rng.choice(value_type.values)
        if want:
            if isinstance(value_type, SigmaString):
                out.add_string(field, value_type, rng)
                return
            if isinstance(value_type, SigmaRegularExpression):
                out.add_regex(field, value_type, rng)
                return
            value = satisfying(value_type, rng, event)
            if value is _ABSENT:
                event.pop(field, None)
            else:
                event[field] = value
        elif out.constrained(field):
            return
        elif isinstance(value_type, SigmaNull):
            event[field] = "something"
        elif rng.random() < 0.5:
            event.pop(field, None)
        else:
            event[field] = "other-" + str(rng.randint(0, 99))
    elif isinstance(tree, ConditionValueExpression):
        if want:
            value = satisfying(tree.value, rng, event)
            event[KEYWORD_FIELD] = f"{event.get(KEYWORD_FIELD, '')} {value} ".strip()


def near_misses(event: dict[str, Any], rng: random.Random) -> Iterator[dict[str, Any]]:
    for field, value in list(event.items()):
        yield {k: v for k, v in event.items() if k != field}
        if isinstance(value, int) and not isinstance(value, bool):
            yield {**event, field: value + 1}
            yield {**event, field: str(value)}
            continue
        if not isinstance(value, str) or not value:
            continue
        variants = [
            value.upper(),
            value.swapcase(),
            value[1:],
            value[:-1],
            "x" + value,
            value + "x",
            value.replace("/", "\\"),
            value + "\n",
            " " + value,
            value.replace("-", "/", 1),
        ]
        try:
            ip = ipaddress.ip_address(value)
        except ValueError:
            ip = None
        if ip is not None:
            variants += [str(ip + 1), str(ip - 1) if int(ip) > 0 else str(ip), ip.exploded]
            if ip.version == 4:
                first, _, rest = value.partition(".")
                variants += [f"{first}0.{rest}", f"{first}.0{rest}"]
        for variant in variants:
            yield {**event, field: variant}


def events_for_rule(rule: SigmaRule, seed: int, hits: int = 4, misses: int = 2) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    trees = [c.parsed for c in rule.detection.parsed_condition]
    out: list[dict[str, Any]] = []
    base_hits: list[dict[str, Any]] = []
    for want, count in ((True, hits), (False, misses)):
        for _ in range(count):
            builder = _Builder()
            _assign(rng.choice(trees), want, rng, builder)
            event = builder.finish()
            out.append(event)
            if want:
                base_hits.append(event)
    for event in base_hits[:2]:
        out.extend(near_misses(event, rng))
    return out
