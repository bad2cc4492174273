"""``|fieldref`` (alone or with ``contains``/``startswith``/``endswith``): compare two event fields.

Case-insensitive like plain strings; false when either field is absent; list-valued fields match if
any pair of elements does.
"""

from __future__ import annotations

from collections.abc import Callable

from sensor.engine.compiler.base import Compiled
from sensor.engine.errors import RuleCompileError
from sensor.engine.event_view import EventView, Text


def _as_tuple(value: Text) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return value


def compile_fieldref(field: str | None, other: str, starts_with: bool, ends_with: bool) -> Compiled:
    if field is None or not isinstance(other, str):
        raise RuleCompileError("fieldref without a field")
    left, right = field, other
    test: Callable[[str, str], bool]
    if starts_with and ends_with:
        test = lambda a, b: b in a  # noqa: E731
    elif starts_with:
        test = lambda a, b: a.startswith(b)  # noqa: E731
    elif ends_with:
        test = lambda a, b: a.endswith(b)  # noqa: E731
    else:
        test = lambda a, b: a == b  # noqa: E731

    def predicate(view: EventView) -> bool:
        lows = view.low
        return any(test(a, b) for a in _as_tuple(lows[left]) for b in _as_tuple(lows[right]))

    return Compiled(predicate)
