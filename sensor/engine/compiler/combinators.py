"""AND / OR / NOT over compiled items, combining their prefilter needs.

A need is a conjunction of clauses (compiler/base.py). An AND needs every clause of its children
(the ``MAX_CLAUSES`` most selective kept); an OR needs one clause: the union of each child's most
selective clause (sound: whichever child holds satisfies its own clause), or nothing if a child has
no need; a NOT needs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from sensor.engine.compiler.base import Clause, Compiled, Need
from sensor.engine.event_view import EventView

MAX_CLAUSES = 3


def clause_score(clause: Clause) -> tuple[int, int]:
    """Higher is more selective: long shortest literal first, then few alternatives."""
    return (min(len(lit) for _, lit in clause), -len(clause))


def best_clause(need: Need) -> Clause:
    return max(need, key=lambda c: (clause_score(c), sorted(c)))


def all_needs(needs: Sequence[Need | None]) -> Need | None:
    clauses: set[Clause] = set()
    for need in needs:
        if need is not None:
            clauses.update(need)
    if not clauses:
        return None
    if len(clauses) > MAX_CLAUSES:
        ranked = sorted(clauses, key=lambda c: (clause_score(c), sorted(c)), reverse=True)
        clauses = set(ranked[:MAX_CLAUSES])
    return frozenset(clauses)


def any_needs(needs: Sequence[Need | None]) -> Need | None:
    if not needs or any(n is None for n in needs):
        return None
    merged: set[tuple[str, str]] = set()
    for need in needs:
        assert need is not None
        merged.update(best_clause(need))
    return frozenset({frozenset(merged)})


def all_of(items: Sequence[Compiled]) -> Compiled:
    if len(items) == 1:
        return items[0]
    need = all_needs([c.need for c in items])
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
    need = any_needs([c.need for c in items])
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
