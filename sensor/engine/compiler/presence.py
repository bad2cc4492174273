"""``field: null`` and ``|exists``.

``field: null`` holds when the field is absent or null. ``|exists: true`` holds when the field is
present with a non-null value, ``|exists: false`` is its negation: the two agree with each other and
with SQL-backed SIEMs (the sensor never emits explicit nulls, so the spec's "present but null" case
does not arise for sensor events).
"""

from __future__ import annotations

from sensor.engine.compiler.base import Compiled
from sensor.engine.errors import RuleCompileError
from sensor.engine.event_view import EventView


def compile_null(field: str | None) -> Compiled:
    if field is None:
        raise RuleCompileError("null value without a field")
    name = field

    def is_null(view: EventView) -> bool:
        return view.values[name] is None

    return Compiled(is_null)


def compile_exists(field: str | None, exists: bool) -> Compiled:
    if field is None:
        raise RuleCompileError("exists modifier without a field")
    name = field
    if exists:
        return Compiled(lambda view: view.values[name] is not None)
    return Compiled(lambda view: view.values[name] is None)
