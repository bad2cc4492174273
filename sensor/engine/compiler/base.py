"""What a compiled detection leaf is, and the helpers every leaf compiler shares."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sensor.engine.event_view import FULLTEXT, EventView, Text

Predicate = Callable[[EventView], bool]
# Prefilter requirement, a conjunction of clauses: every clause needs one of its (field key,
# lower-cased literal) pairs to occur in view.low[field] for the item to be able to hold.
Clause = frozenset[tuple[str, str]]
Need = frozenset[Clause]


@dataclass(frozen=True)
class Compiled:
    predicate: Predicate
    need: Need | None = None  # None: no requirement (the item may hold whatever the event's text)


def literal_need(key: str, literal: str) -> Need:
    return frozenset({frozenset({(key, literal)})})


def field_key(field: str | None) -> str:
    """Field-less (keyword) values are matched against the event's full text."""
    return FULLTEXT if field is None else field


def _on(fields: Callable[[EventView], Mapping[str, Text]], key: str, test: Callable[[str], bool]) -> Predicate:
    """Apply ``test`` to the text of field ``key`` in ``fields(view)`` (any element of a list-valued field)."""

    def predicate(view: EventView) -> bool:
        value = fields(view)[key]
        if value.__class__ is str:
            return test(value)
        if value is None:
            return False
        return any(test(v) for v in value)

    return predicate


_LOW: Callable[[EventView], Mapping[str, Text]] = operator.attrgetter("low")
_TEXT: Callable[[EventView], Mapping[str, Text]] = operator.attrgetter("text")


def on_low(key: str, test: Callable[[str], bool]) -> Predicate:
    """Apply ``test`` to the lower-cased text of a field (any element of a list-valued field)."""
    return _on(_LOW, key, test)


def on_text(key: str, test: Callable[[str], bool]) -> Predicate:
    """Apply ``test`` to the canonical (case-preserved) text of a field."""
    return _on(_TEXT, key, test)
