"""What the process source knows about a process, and the interface every OS implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """A process as read right after it started (exec-time command line, not a later retitle)."""

    pid: int
    ppid: int | None
    name: str
    exe: str | None
    cmdline: tuple[str, ...]
    cwd: str | None
    uid: int | None
    start_ticks: int | None = None  # start time in OS units; tells a reused PID from the original
    env_markers: tuple[str, ...] = field(default=())  # names (never values) of OPENCLAW_* env keys


class ProcessReader(Protocol):
    """Reads one process by PID; None when it is gone or unreadable."""

    def read(self, pid: int) -> ProcessInfo | None: ...

    def pids(self) -> set[int]: ...

    def current_cmdline(self, pid: int) -> tuple[str, ...] | None: ...


ExecCallback = Callable[[int, int | None, str], None]
"""Called by an exec trigger with (pid, ppid-if-known, origin) for every exec it sees."""


class ExecTrigger(Protocol):
    """An OS facility that reports execs as they happen (Linux: netlink proc connector)."""

    def start(self, on_exec: ExecCallback, on_fork: Callable[[int, int], None],
              on_exit: Callable[[int], None], on_overflow: Callable[[], None]) -> None: ...

    def stop(self) -> None: ...
