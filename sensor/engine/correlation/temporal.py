"""``temporal`` and ``temporal_ordered``: several rules matching within the timespan per group.

``temporal`` keeps, per referenced rule, its newest match; it fires when the number of distinct rules
seen inside the window satisfies the condition (default: all of them). ``temporal_ordered`` keeps,
for each prefix r1..rk of the rule order, the chain with the latest start (the one that expires
last); an event of rule k+1 extends chain k if that chain started inside the window, and the full
chain fires. Both keep O(number of referenced rules) per group.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sensor.engine.correlation.base import Correlator, Fired

Latest = list[tuple[float, str] | None]
Chains = list[tuple[float, list[str]] | None]


class Temporal(Correlator[Latest]):
    def new_state(self) -> Latest:
        return [None] * len(self.spec.rule_ids)

    def update(self, state: Latest, position: int, now: float, event: Mapping[str, Any], event_id: str) -> Fired | None:
        state[position] = (now, event_id)
        horizon = now - self.spec.timespan
        for i, seen in enumerate(state):
            if seen is not None and seen[0] < horizon:
                state[i] = None
        present = [i for i, seen in enumerate(state) if seen is not None]
        if self.check(len(present), self.spec.count):
            return Fired(
                group={},
                event_ids=[state[i][1] for i in present],  # type: ignore[index]
                matched=[self.spec.rule_names[i] for i in present],
            )
        return None


class TemporalOrdered(Correlator[Chains]):
    def new_state(self) -> Chains:
        return [None] * (len(self.spec.rule_ids) + 1)

    def update(self, state: Chains, position: int, now: float, event: Mapping[str, Any], event_id: str) -> Fired | None:
        horizon = now - self.spec.timespan
        if position == 0:
            state[1] = (now, [event_id])
        else:
            chain = state[position]
            if chain is not None and chain[0] >= horizon:
                current = state[position + 1]
                if current is None or current[0] <= chain[0]:
                    state[position + 1] = (chain[0], chain[1] + [event_id])
        done = state[len(self.spec.rule_ids)]
        if done is not None:
            return Fired(group={}, event_ids=done[1], matched=list(self.spec.rule_names))
        return None
