"""``event_count``: at least/more than/exactly N matching events per group within the timespan.

Per group only the newest ``count`` (+1 for ``gt``) events are kept: the condition holds iff the
oldest of them is still inside the window.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any

from sensor.engine.correlation.base import MAX_VALUES_PER_GROUP, CorrelationSpec, Correlator, Fired

Window = deque[tuple[float, str]]


class EventCount(Correlator[Window]):
    def __init__(self, spec: CorrelationSpec) -> None:
        super().__init__(spec)
        self.keep = min(MAX_VALUES_PER_GROUP, max(1, math.floor(spec.count) + 1))

    def new_state(self) -> Window:
        return deque(maxlen=self.keep)

    def update(self, state: Window, position: int, now: float, event: Mapping[str, Any], event_id: str) -> Fired | None:
        horizon = now - self.spec.timespan
        while state and state[0][0] < horizon:
            state.popleft()
        state.append((now, event_id))
        if self.check(len(state), self.spec.count):
            return Fired(group={}, event_ids=[eid for _, eid in state])
        return None
