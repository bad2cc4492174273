"""Shared parts of the correlation types: the compiled spec, conditions, group tables, time.

Memory is bounded everywhere: at most ``MAX_GROUPS`` group-by keys per correlation (least recently
seen evicted first, counted in ``evicted_groups``), groups idle for longer than the timespan are
dropped, and each group keeps at most what its type needs (see each type's module).
Time is each event's ``UtcTime`` (RFC 3339); an event without a parseable one uses the wall clock.
After a correlation fires for a group, that group's window is cleared, so a burst of N x threshold
events gives N alerts, not one per event.
"""

from __future__ import annotations

import json
import operator
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sensor.engine.rule import RuleMeta
from sensor.schema.timestamps import parse_time

MAX_GROUPS = 10_000
MAX_VALUES_PER_GROUP = 10_000

S = TypeVar("S")
GroupKey = tuple[Any, ...]


@dataclass
class CorrelationSpec(RuleMeta):
    type: str
    rule_ids: list[str]  # referenced base rules, in the correlation's order
    rule_names: list[str]  # their names/ids as written in the correlation
    group_by: list[str]  # group-by names as written (aliases allowed)
    group_fields: list[list[str]]  # per referenced rule: the event field for each group-by name
    timespan: float
    op: str  # gte | gt | eq
    count: float
    value_field: str | None = None
    generate: bool = False


@dataclass
class Fired:
    group: dict[str, Any]
    event_ids: list[str]
    matched: list[str] = field(default_factory=list)


CONDITION_OPS: dict[str, Callable[[float, float], bool]] = {
    "gte": operator.ge,
    "gt": operator.gt,
    "eq": operator.eq,
}
STREAMING_UNSUPPORTED = {"lt", "lte", "neq"}


def event_time(event: Mapping[str, Any]) -> float:
    stamp = event.get("UtcTime")
    if isinstance(stamp, str) and len(stamp) <= 64:
        try:
            return parse_time(stamp).timestamp()
        except ValueError:
            pass
    return time.time()


def hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(hashable(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return value


class Correlator(ABC, Generic[S]):
    """One correlation rule's state: a bounded table of group-by keys."""

    def __init__(self, spec: CorrelationSpec) -> None:
        self.spec = spec
        self.check = CONDITION_OPS[spec.op]
        self.groups: OrderedDict[GroupKey, tuple[float, S]] = OrderedDict()
        self.evicted_groups = 0

    def feed(self, position: int, event: Mapping[str, Any], event_id: str) -> Fired | None:
        """An event matched the referenced rule at ``position``; returns what fired, if anything."""
        now = event_time(event)
        fields = self.spec.group_fields[position]
        key = tuple(hashable(event.get(f)) for f in fields)
        self._expire(now)
        entry = self.groups.pop(key, None)
        state = entry[1] if entry is not None else self.new_state()
        fired = self.update(state, position, now, event, event_id)
        if fired is not None:
            fired.group = dict(zip(self.spec.group_by, key, strict=True))
            return fired  # the group starts over
        self.groups[key] = (now, state)
        while len(self.groups) > MAX_GROUPS:
            self.groups.popitem(last=False)
            self.evicted_groups += 1
        return None

    def _expire(self, now: float) -> None:
        horizon = now - self.spec.timespan
        while self.groups:
            first = next(iter(self.groups.values()))
            if first[0] >= horizon:
                break
            self.groups.popitem(last=False)

    @abstractmethod
    def new_state(self) -> S: ...

    @abstractmethod
    def update(self, state: S, position: int, now: float, event: Mapping[str, Any], event_id: str) -> Fired | None: ...
