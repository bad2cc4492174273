"""A token bucket: the events-per-second cap used by the intake and by costly per-event work."""

from __future__ import annotations

import time


class TokenBucket:
    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(rate, 1.0)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> bool:
        if self.rate <= 0:
            return True  # 0 = uncapped
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False
