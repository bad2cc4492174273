"""Processes through psutil (macOS, Windows): polling only, no exec trigger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import psutil

from sensor.sources.processes.base import ProcessInfo

AGENT_ENV_PREFIXES = ("OPENCLAW_", "CLAWDBOT_", "MOLTBOT_")
T = TypeVar("T")


class PsutilReader:
    def pids(self) -> set[int]:
        return set(psutil.pids())

    def read(self, pid: int) -> ProcessInfo | None:
        try:
            p = psutil.Process(pid)
            with p.oneshot():
                name = p.name()
                ppid = p.ppid()
                start = int(p.create_time() * 1000)
                no_args: list[str] = []
                no_env: dict[str, str] = {}
                cmdline = tuple(_safe(p.cmdline, no_args))
                exe = _safe(p.exe, "") or None
                cwd = _safe(p.cwd, "") or None
                uids: Any = _safe(p.uids, None) if hasattr(p, "uids") else None
                env = _safe(p.environ, no_env)
        except psutil.Error:
            return None
        markers = tuple(sorted(k for k in env if k.startswith(AGENT_ENV_PREFIXES)))
        return ProcessInfo(pid, ppid or None, name, exe, cmdline, cwd,
                           int(uids.real) if uids is not None else None, start, markers)

    def current_cmdline(self, pid: int) -> tuple[str, ...] | None:
        try:
            return tuple(psutil.Process(pid).cmdline())
        except psutil.Error:
            return None


def _safe(fn: Callable[[], T], default: T) -> T:
    try:
        return fn()
    except psutil.Error:
        return default


def make_reader() -> PsutilReader:
    return PsutilReader()


def make_trigger() -> None:
    """No exec trigger through psutil; macOS EndpointSecurity / Windows ETW are documented gaps."""
    return None
