"""The interface every daemon source implements (processes, sockets, files, openclaw_state)."""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from sensor.sources.observations import Offer


class Source(Protocol):
    name: str
    counters: Counter[str]

    @property
    def degraded(self) -> str | None:
        """Why this source sees less than it could (None when it runs at full strength)."""

    def start(self, intake: Offer) -> None: ...

    def stop(self) -> None: ...


class Throttleable(Protocol):
    poll_interval: float
