"""The daemon measures itself: CPU share of one core and RSS, against configured budgets."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import time
from dataclasses import dataclass

import psutil


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library, looked up once (``find_library`` runs ``ldconfig`` on Linux)."""
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


def _malloc_trim() -> None:
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None  # glibc only
    if trim is not None:
        trim(0)


M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc malloc arenas (one per thread by default, each with its own resident heap); call
    before the source threads start. A no-op where there is no ``mallopt`` (macOS, Windows)."""
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    if mallopt is not None:
        mallopt(M_ARENA_MAX, arenas)


def release_memory(collect: bool = False) -> None:
    """Hand freed heap pages back to the OS (glibc ``malloc_trim``): after start-up (rule parsing,
    first process walk; with a full ``gc.collect``) and, cheaply, after each health report."""
    if collect:
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
