"""AND / OR / NOT over compiled items, combining their prefilter needs (see conditions.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sensor.engine.compiler.base import Compiled, Need
from sensor.engine.event_view import EventView


def _need_score(need: Need) -> tuple[int, int]:
    return (min(len(lit) for _, lit in need), -len(need))


def all_of(items: Sequence[Compiled]) -> Compiled:
    if len(items) == 1:
        return items[0]
    needs = [c.need for c in items if c.need is not None]
    need = max(needs, key=_need_score) if needs else None
    preds = tuple(c.predicate for c in items)
    if len(preds) == 2:
        a, b = preds
        return Compiled(lambda v: a(v) and b(v), need)

    def every(view: EventView) -> bool:
        for p in preds:
            if not p(view):
                return False
        return True

    return Compiled(every, need)


def any_of(items: Sequence[Compiled]) -> Compiled:
    if len(items) == 1:
        return items[0]
    need: Need | None = None
    if items and all(c.need is not None for c in items):
        need = frozenset().union(*(c.need for c in items if c.need is not None))
    preds = tuple(c.predicate for c in items)
    if len(preds) == 2:
        a, b = preds
        return Compiled(lambda v: a(v) or b(v), need)

    def some(view: EventView) -> bool:
        for p in preds:
            if p(view):
                return True
        return False

    return Compiled(some, need)


def negate(item: Compiled) -> Compiled:
    p = item.predicate
    return Compiled(lambda v: not p(v), None)
