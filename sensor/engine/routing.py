"""Logsource routing: which rules an event can reach, from its category/product/service.

A rule's logsource field constrains only if the rule sets it. An event carrying none of the three
keys reaches every rule (a single-table view, as Zircolite has). An event carrying at least one is
routed: a rule setting a key the event lacks (or carries with another value) is not reached, so a
``service: auditd`` rule never sees a ``process_creation`` event without ``service``. Values compare
case-insensitively. The route of each distinct (category, product, service) is computed once and
cached (bounded, so hostile events with random categories cannot grow memory without limit).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from sensor.engine.rule import CompiledRule, Logsource

T = TypeVar("T")
MAX_ROUTES = 256
UNROUTED: Logsource = (None, None, None)


def event_logsource(event: Mapping[str, Any]) -> Logsource | None:
    """The event's routing key, or None when it carries no logsource at all."""
    keys = (event.get("category"), event.get("product"), event.get("service"))
    if keys == UNROUTED:
        return None
    return tuple(k.lower() if isinstance(k, str) else (None if k is None else str(k).lower()) for k in keys)  # type: ignore[return-value]


def reaches(rule_source: Logsource, event_source: Logsource | None) -> bool:
    if event_source is None:
        return True
    return all(want is None or want == have for want, have in zip(rule_source, event_source, strict=True))


class Router(Generic[T]):
    """Maps an event's logsource to a per-route object built from the rules it reaches."""

    def __init__(self, rules: Sequence[CompiledRule], build: Callable[[list[CompiledRule]], T]) -> None:
        self.rules = rules
        self.build = build
        self.routes: dict[Logsource | None, T] = {}
        self.fast: dict[tuple[Any, Any, Any], T] = {}  # raw (unnormalised) keys seen before

    def route(self, event: Mapping[str, Any]) -> T:
        raw = (event.get("category"), event.get("product"), event.get("service"))
        try:
            found = self.fast.get(raw)
        except TypeError:  # unhashable logsource values (hostile event): take the normalising path
            found = None
        if found is not None:
            return found
        source = event_logsource(event)
        found = self.routes.get(source)
        if found is None:
            found = self.build([r for r in self.rules if reaches(r.logsource, source)])
            if len(self.routes) >= MAX_ROUTES:
                self.routes.clear()
            self.routes[source] = found
        if len(self.fast) >= MAX_ROUTES:
            self.fast.clear()
        if all(k is None or k.__class__ is str for k in raw):
            self.fast[raw] = found
        return found
