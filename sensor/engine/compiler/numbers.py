"""Numbers, ``lt``/``lte``/``gt``/``gte``, booleans and the timestamp-part modifiers.

Equality with a number: a numeric event value compares numerically; a string compares as text with
the number's decimal spelling (``"4444"`` matches ``4444``, ``"04444"`` does not), as a SIEM storing
the field as text would. Comparisons (``gt``...) accept numeric values and strings that parse as
numbers, and are false for anything else (so ``not`` over them is true).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sensor.engine.compiler.base import Compiled, field_key, literal_need, on_low
from sensor.engine.errors import RuleCompileError
from sensor.engine.event_view import EventView
from sensor.schema.timestamps import parse_time

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}


def as_number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and len(value) <= 64:
        try:
            return int(value)
        except ValueError:
            try:
                number = float(value)
            except ValueError:
                return None
            return number if math.isfinite(number) else None
    return None


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RuleCompileError(f"not a number: {value!r}")
    return value


def _any_scalar(field: str, test: Callable[[Any], bool]) -> Callable[[EventView], bool]:
    def predicate(view: EventView) -> bool:
        value = view.values[field]
        if isinstance(value, (list, tuple)):
            return any(test(v) for v in value)
        return test(value)

    return predicate


def compile_number(field: str | None, number: Any) -> Compiled:
    number = _number(number)
    spelled = str(number).lower()
    if field is None:
        return Compiled(on_low(field_key(None), lambda v: spelled in v), literal_need(field_key(None), spelled))

    def equal(v: Any) -> bool:
        if isinstance(v, bool) or v is None:
            return False
        if isinstance(v, (int, float)):
            return bool(v == number)
        if isinstance(v, str):
            return v.lower() == spelled
        return False

    need = None
    if isinstance(number, int) and abs(number) < 10**15:
        need = literal_need(field, spelled)  # the decimal spelling is in the text of any equal value
    return Compiled(_any_scalar(field, equal), need)


def compile_compare(field: str | None, op_name: str, bound: Any) -> Compiled:
    if field is None:
        raise RuleCompileError("numeric comparison without a field")
    op = _OPERATORS.get(op_name)
    if op is None:
        raise RuleCompileError(f"unsupported comparison operator {op_name}")
    limit = _number(bound)

    def compare(v: Any) -> bool:
        number = as_number(v)
        return number is not None and op(number, limit)

    return Compiled(_any_scalar(field, compare))


def compile_bool(field: str | None, wanted: bool) -> Compiled:
    if field is None:
        raise RuleCompileError("boolean value without a field")
    wanted = bool(wanted)
    spellings = ("true", "1") if wanted else ("false", "0")

    def equal(v: Any) -> bool:
        if isinstance(v, bool):
            return v is wanted
        if isinstance(v, int):
            return v == int(wanted)
        if isinstance(v, str):
            return v.lower() in spellings
        return False

    return Compiled(_any_scalar(field, equal), frozenset({frozenset({(field, spellings[0]), (field, spellings[1])})}))


_PARTS: dict[str, Callable[[datetime], int]] = {
    "minute": lambda d: d.minute,
    "hour": lambda d: d.hour,
    "day": lambda d: d.day,
    "week": lambda d: int(d.strftime("%W")),
    "month": lambda d: d.month,
    "year": lambda d: d.year,
}


def compile_timestamp_part(field: str | None, part_name: str, wanted: Any) -> Compiled:
    if field is None:
        raise RuleCompileError("timestamp part without a field")
    part = _PARTS.get(part_name)
    if part is None:
        raise RuleCompileError(f"unsupported timestamp part {part_name}")

    def equal(v: Any) -> bool:
        if not isinstance(v, str) or len(v) > 64:
            return False
        try:
            stamp = parse_time(v)
        except ValueError:
            return False
        return part(stamp) == wanted

    return Compiled(_any_scalar(field, equal))
