"""Per-key token buckets (per host for ingest, per client address for enrollment attempts).

State is per collector process: with N processes behind a load balancer a host can reach N times the
rate. That bounds abuse; it is not an accounting tool.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    def __init__(self, rate_per_s: float, burst: float, max_keys: int = 100_000) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: str, cost: float = 1.0) -> float:
        """Spend ``cost`` tokens; return 0.0 if allowed, else the seconds to wait before retrying."""
        if not self.enabled:
            return 0.0
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._buckets.clear()
                bucket = self._buckets[key] = _Bucket(tokens=self.burst, stamp=now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            # A batch larger than the burst is admitted when the bucket is full, then paid back.
            if bucket.tokens >= min(cost, self.burst):
                bucket.tokens -= cost
                return 0.0
            return (min(cost, self.burst) - bucket.tokens) / self.rate
