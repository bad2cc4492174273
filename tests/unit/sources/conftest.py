"""Shared helpers for source tests: collect observations a source offers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from sensor.sources.observations import Observation


class Collector:
    def __init__(self) -> None:
        self.items: list[Observation] = []
        self._cond = threading.Condition()

    def offer(self, obs: Observation) -> bool:
        with self._cond:
            self.items.append(obs)
            self._cond.notify_all()
        return True

    def wait_for(self, pred: Callable[[Observation], bool], timeout: float = 10.0) -> Observation:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for item in self.items:
                    if pred(item):
                        return item
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching observation in {timeout}s; got {self.items[-20:]!r}")
                self._cond.wait(left)


@pytest.fixture
def collector() -> Collector:
    return Collector()


def needs_root() -> None:
    import os

    if os.geteuid() != 0:
        pytest.skip("needs root (netlink proc connector / fanotify)")
