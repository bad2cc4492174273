"""The daemon measures itself: CPU share of one core and RSS, against configured budgets."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import time
from dataclasses import dataclass

import psutil


def _malloc_trim() -> None:
    name = ctypes.util.find_library("c")
    if not name:
        return
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None)  # glibc only
    if trim is not None:
        trim(0)


M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc malloc arenas (one per thread by default, each with its own resident heap); call
    before the source threads start. A no-op where there is no ``mallopt`` (macOS, Windows)."""
    name = ctypes.util.find_library("c")
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None) if name else None
    if mallopt is not None:
        mallopt(M_ARENA_MAX, arenas)


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS (glibc ``malloc_trim``), after
    start-up (rule parsing, first process walk) and after each health report."""
    gc.collect()
    try:
        _malloc_trim()
    except OSError:
        pass


@dataclass(frozen=True, slots=True)
class BudgetReading:
    cpu_percent: float  # of one core, since the previous reading
    rss_mb: float
    cpu_over: bool
    rss_over: bool


class SelfBudget:
    def __init__(self, cpu_percent: float, rss_mb: float) -> None:
        self.cpu_limit = cpu_percent
        self.rss_limit = rss_mb
        self._proc = psutil.Process()
        self._last_cpu = self._cpu_seconds()
        self._last_wall = time.monotonic()

    def _cpu_seconds(self) -> float:
        t = self._proc.cpu_times()
        return float(t.user + t.system)

    def read(self) -> BudgetReading:
        cpu, wall = self._cpu_seconds(), time.monotonic()
        elapsed = max(wall - self._last_wall, 1e-6)
        pct = 100.0 * (cpu - self._last_cpu) / elapsed
        self._last_cpu, self._last_wall = cpu, wall
        rss = self._proc.memory_info().rss / (1024 * 1024)
        return BudgetReading(pct, rss, pct > self.cpu_limit, rss > self.rss_limit)
