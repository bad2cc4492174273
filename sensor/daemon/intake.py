"""The daemon's intake: bounded queues between the source threads and the pipeline thread.

Every source offers observations here. Observations about an agent tree go to a priority queue and
are never subject to the per-source events/s cap; everything else passes a token bucket per source
and a bounded queue. What does not fit is dropped and counted (reported in health events).
"""

from __future__ import annotations

import threading
from collections import Counter, deque

from sensor.sources.observations import Observation, is_agent_related
from sensor.sources.ratelimit import TokenBucket


class Intake:
    def __init__(self, max_queue: int, max_priority_queue: int, caps: dict[str, float]) -> None:
        self.max_queue = max_queue
        self.max_priority_queue = max_priority_queue
        self._caps = caps
        self._buckets: dict[str, TokenBucket] = {}
        self._normal: deque[Observation] = deque()
        self._priority: deque[Observation] = deque()
        self._cond = threading.Condition()
        self.counters: Counter[str] = Counter()
        self.closed = False

    def _bucket(self, source: str) -> TokenBucket:
        bucket = self._buckets.get(source)
        if bucket is None:
            bucket = self._buckets[source] = TokenBucket(self._caps.get(source, 0.0))
        return bucket

    def offer(self, obs: Observation) -> bool:
        """Queue one observation; False (and a counted drop) when it is capped or the queue is full."""
        priority = is_agent_related(obs)
        with self._cond:
            if priority:
                if len(self._priority) >= self.max_priority_queue:
                    self.counters[f"{obs.source}.dropped_queue_full"] += 1
                    return False
                self._priority.append(obs)
            else:
                if not self._bucket(obs.source).take():
                    self.counters[f"{obs.source}.dropped_rate_cap"] += 1
                    return False
                if len(self._normal) >= self.max_queue:
                    self.counters[f"{obs.source}.dropped_queue_full"] += 1
                    return False
                self._normal.append(obs)
            self.counters[f"{obs.source}.accepted"] += 1
            self._cond.notify()
            return True

    def take(self, timeout: float) -> Observation | None:
        """The next observation (agent-tree ones first), or None after ``timeout`` seconds."""
        with self._cond:
            if not self._priority and not self._normal:
                self._cond.wait(timeout)
            if self._priority:
                return self._priority.popleft()
            if self._normal:
                return self._normal.popleft()
            return None

    def depth(self) -> int:
        with self._cond:
            return len(self._priority) + len(self._normal)

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()
