"""``value_count``: N distinct values of a field per group within the timespan.

Per group: each distinct value with the time and event id of its newest occurrence, oldest first,
at most ``MAX_VALUES_PER_GROUP`` values. Events without the field do not count (as SQL's
``COUNT(DISTINCT ...)`` ignores nulls).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from sensor.engine.correlation.base import MAX_VALUES_PER_GROUP, Correlator, Fired, hashable

Values = OrderedDict[Any, tuple[float, str]]


class ValueCount(Correlator[Values]):
    def new_state(self) -> Values:
        return OrderedDict()

    def update(self, state: Values, position: int, now: float, event: Mapping[str, Any], event_id: str) -> Fired | None:
        horizon = now - self.spec.timespan
        while state and next(iter(state.values()))[0] < horizon:
            state.popitem(last=False)
        assert self.spec.value_field is not None
        value = event.get(self.spec.value_field)
        if value is None:
            return None
        key = hashable(value)
        state.pop(key, None)
        state[key] = (now, event_id)
        while len(state) > MAX_VALUES_PER_GROUP:
            state.popitem(last=False)
        if self.check(len(state), self.spec.count):
            return Fired(group={}, event_ids=[eid for _, eid in state.values()])
        return None
