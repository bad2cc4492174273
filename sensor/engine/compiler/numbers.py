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

from sigma.types import (
    CompareOperators,
    SigmaBool,
    SigmaCompareExpression,
    SigmaNumber,
    SigmaTimestampPart,
    TimestampPart,
)

from sensor.engine.compiler.base import Compiled, field_key, on_low
from sensor.engine.errors import RuleCompileError
from sensor.engine.event_view import EventView

_OPERATORS: dict[CompareOperators, Callable[[float, float], bool]] = {
    CompareOperators.LT: operator.lt,
    CompareOperators.LTE: operator.le,
    CompareOperators.GT: operator.gt,
    CompareOperators.GTE: operator.ge,
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


def _any_scalar(field: str, test: Callable[[Any], bool]) -> Callable[[EventView], bool]:
    def predicate(view: EventView) -> bool:
        value = view.raw.get(field)
        if isinstance(value, (list, tuple)):
            return any(test(v) for v in value)
        return test(value)

    return predicate


def compile_number(field: str | None, value: SigmaNumber) -> Compiled:
    number = value.number
    spelled = str(number).lower()
    if field is None:
        return Compiled(on_low(field_key(None), lambda v: spelled in v), frozenset({(field_key(None), spelled)}))

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
        need = frozenset({(field, spelled)})  # the decimal spelling is in the text of any equal value
    return Compiled(_any_scalar(field, equal), need)


def compile_compare(field: str | None, value: SigmaCompareExpression) -> Compiled:
    if field is None:
        raise RuleCompileError("numeric comparison without a field")
    op = _OPERATORS.get(value.op)
    if op is None:
        raise RuleCompileError(f"unsupported comparison operator {value.op.name}")
    bound = value.number.number

    def compare(v: Any) -> bool:
        number = as_number(v)
        return number is not None and op(number, bound)

    return Compiled(_any_scalar(field, compare))


def compile_bool(field: str | None, value: SigmaBool) -> Compiled:
    if field is None:
        raise RuleCompileError("boolean value without a field")
    wanted = bool(value.boolean)
    spellings = ("true", "1") if wanted else ("false", "0")

    def equal(v: Any) -> bool:
        if isinstance(v, bool):
            return v is wanted
        if isinstance(v, int):
            return v == int(wanted)
        if isinstance(v, str):
            return v.lower() in spellings
        return False

    return Compiled(_any_scalar(field, equal), frozenset({(field, spellings[0]), (field, spellings[1])}))


_PARTS: dict[TimestampPart, Callable[[datetime], int]] = {
    TimestampPart.MINUTE: lambda d: d.minute,
    TimestampPart.HOUR: lambda d: d.hour,
    TimestampPart.DAY: lambda d: d.day,
    TimestampPart.WEEK: lambda d: int(d.strftime("%W")),
    TimestampPart.MONTH: lambda d: d.month,
    TimestampPart.YEAR: lambda d: d.year,
}


def compile_timestamp_part(field: str | None, value: SigmaTimestampPart) -> Compiled:
    if field is None:
        raise RuleCompileError("timestamp part without a field")
    part = _PARTS[value.timestamp_part]
    wanted = value.number

    def equal(v: Any) -> bool:
        if not isinstance(v, str) or len(v) > 64:
            return False
        try:
            stamp = datetime.fromisoformat(v)
        except ValueError:
            return False
        return part(stamp) == wanted

    return Compiled(_any_scalar(field, equal))
