"""Logsource routing: which rules an event can reach, from routing metadata kept apart from its fields.

Where an event's logsource comes from, first found wins:
1. the caller's ``logsource`` (``Engine.match(event, logsource=...)``, ``rules match --logsource``):
   every key of the event is then a data field;
2. a reserved envelope object ``"logsource": {"category": ..., "product": ..., "service": ...}`` in
   the event (the event's own ``category``/``product``/``service`` keys are then data fields, as
   in Zeek's ``service`` or Azure's ``category``);
3. the event's top-level ``category``/``product``/``service`` keys (clawwatch's own events): routing
   metadata, left out of the keyword text, still readable as fields.
An event with no logsource at all reaches every rule (a single-table view, as Zircolite has).

A routed event reaches a rule if the rule's category/product/service each either is unset or equals
one of the event's logsources (case-insensitive). One event can belong to several logsources, as
pySigma's pipelines define them (``families.py``): a Sysmon ``registry_set`` event is also a
``registry_event`` (EIDs 12/13/14), ``ps_script`` implies service ``powershell``, a Windows
channel service (``security``, ``sysmon``) implies product ``windows``.

Routes are computed once per distinct logsource and cached (bounded, so hostile events with random
categories cannot grow memory without limit). Building a route never raises: if its prefilter cannot
be built, the route evaluates all its rules and the fallback is counted (``Router.fallbacks``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from sensor.engine import families
from sensor.engine.event_view import ROUTING_KEYS
from sensor.engine.rule import CompiledRule, Logsource

T = TypeVar("T")
MAX_ROUTES = 256
UNROUTED: Logsource = (None, None, None)
ENVELOPE = "logsource"
ENVELOPE_KEYS = frozenset({ENVELOPE})
NO_KEYS: frozenset[str] = frozenset()
RawSource = tuple[Any, Any, Any]

log = logging.getLogger(__name__)


def _norm(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text.lower() or None


def normalise(raw: RawSource) -> Logsource | None:
    """The routing key of raw (category, product, service) values, or None when all are unset."""
    source: Logsource = (_norm(raw[0]), _norm(raw[1]), _norm(raw[2]))
    return None if source == UNROUTED else source


def raw_source(
    event: Mapping[str, Any], given: RawSource | Mapping[str, Any] | None
) -> tuple[RawSource, frozenset[str]]:
    """(raw logsource values, envelope keys of the event) following the order in the module doc."""
    if given is not None:
        if isinstance(given, Mapping):
            return (given.get("category"), given.get("product"), given.get("service")), NO_KEYS
        return (given[0], given[1], given[2]), NO_KEYS
    envelope = event.get(ENVELOPE)
    if isinstance(envelope, Mapping):
        return (envelope.get("category"), envelope.get("product"), envelope.get("service")), ENVELOPE_KEYS
    return (event.get("category"), event.get("product"), event.get("service")), ROUTING_KEYS


def event_logsource(event: Mapping[str, Any]) -> Logsource | None:
    """The event's own routing key (envelope or top-level keys), or None when it carries none."""
    raw, _ = raw_source(event, None)
    return normalise(raw)


def reaches(rule_source: Logsource, event_sources: Sequence[Logsource] | None) -> bool:
    if event_sources is None:
        return True
    return any(
        all(want is None or want == have for want, have in zip(rule_source, source, strict=True))
        for source in event_sources
    )


class Router(Generic[T]):
    """Maps an event's logsource to a per-route object built from the rules it reaches."""

    def __init__(
        self,
        rules: Sequence[CompiledRule],
        build: Callable[[list[CompiledRule]], T],
        fallback: Callable[[list[CompiledRule]], T],
    ) -> None:
        self.rules = rules
        self.build = build
        self.fallback = fallback
        self.fallbacks = 0  # routes whose prefilter could not be built
        self.routes: dict[Logsource | None, T] = {}
        self.fast: dict[RawSource, T] = {}  # raw (unnormalised) keys seen before

    def clear(self) -> None:
        self.routes.clear()
        self.fast.clear()

    def route(self, raw: RawSource) -> T:
        try:
            found = self.fast.get(raw)
        except TypeError:  # unhashable logsource values (hostile event): take the normalising path
            found = None
        if found is not None:
            return found
        source = normalise(raw)
        found = self.routes.get(source)
        if found is None:
            found = self._build(source)
            if len(self.routes) >= MAX_ROUTES:
                self.routes.clear()
            self.routes[source] = found
        if len(self.fast) >= MAX_ROUTES:
            self.fast.clear()
        if all(k is None or k.__class__ is str for k in raw):
            self.fast[raw] = found
        return found

    def _build(self, source: Logsource | None) -> T:
        expanded = None if source is None else families.expand(source)
        rules = [r for r in self.rules if reaches(r.logsource, expanded)]
        try:
            return self.build(rules)
        except Exception as exc:  # never a crash on a valid rule set: evaluate every rule of the route
            self.fallbacks += 1
            log.warning("route %s: prefilter not built (%s); evaluating its %d rules without it",
                        source, exc, len(rules))
            return self.fallback(rules)
