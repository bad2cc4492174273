"""What eslogger told us about each process, kept so the process source can read it after the fact.

An exec message carries everything the process source needs (image, argv, working directory, users),
exactly as at exec, so even a process that exited a millisecond later is reported whole, which
polling cannot do. A fork copies its parent's entry; any other message (an ``open``) records at least
the actor's image and parent, for attribution of processes that started before the sensor. Exited
processes stay ``grace_s`` (late events); the cache is bounded (``max_entries``), oldest exited first.
Thread-safe.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime

from sensor.sources.eslogger.messages import EsExec, EsProcess
from sensor.sources.processes.base import ProcessInfo


def start_ticks(start_time: str | None) -> int | None:
    """eslogger's ``start_time`` (UTC, microseconds) as milliseconds since the epoch, like psutil's
    ``create_time() * 1000`` the portable reader uses."""
    if not start_time:
        return None
    try:
        return int(datetime.fromisoformat(start_time).timestamp() * 1000)
    except ValueError:
        return None


def process_info(p: EsProcess, *, cmdline: tuple[str, ...] = (), cwd: str | None = None,
                 env_markers: tuple[str, ...] = ()) -> ProcessInfo:
    name = os.path.basename(p.executable) if p.executable else ""
    return ProcessInfo(p.pid, p.ppid or None, name, p.executable, cmdline, cwd, p.ruid,
                       start_ticks(p.start_time), env_markers)


class ExecInfoCache:
    def __init__(self, grace_s: float = 10.0, max_entries: int = 65_536) -> None:
        self.grace_s = grace_s
        self.max_entries = max_entries
        self._infos: OrderedDict[int, ProcessInfo] = OrderedDict()
        self._complete: set[int] = set()  # entries from an exec (or a fork of one): argv known
        self._exited: dict[int, float] = {}
        self._lock = threading.Lock()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._infos)

    def get(self, pid: int) -> ProcessInfo | None:
        with self._lock:
            return self._infos.get(pid)

    def is_complete(self, pid: int) -> bool:
        with self._lock:
            return pid in self._complete

    def live_pids(self) -> set[int]:
        with self._lock:
            return {pid for pid in self._infos if pid not in self._exited}

    def on_exec(self, message: EsExec) -> ProcessInfo:
        info = process_info(message.target, cmdline=message.args, cwd=message.cwd,
                            env_markers=message.env_markers)
        self._put(info, complete=True)
        return info

    def on_fork(self, parent: EsProcess, child: EsProcess) -> None:
        self.note(parent)
        with self._lock:
            known = self._infos.get(parent.pid)
            complete = parent.pid in self._complete
        base = known if known is not None else process_info(parent)
        info = replace(base, pid=child.pid, ppid=parent.pid, start_ticks=start_ticks(child.start_time))
        self._put(info, complete=complete)

    def note(self, p: EsProcess) -> None:
        """Record the actor of any message unless an entry for it exists (exec-time argv wins)."""
        with self._lock:
            if p.pid in self._infos and p.pid not in self._exited:
                return
        self._put(process_info(p), complete=False)

    def on_exit(self, pid: int, now: float | None = None) -> None:
        with self._lock:
            if pid in self._infos:
                self._exited[pid] = time.monotonic() if now is None else now

    def expire(self, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        with self._lock:
            gone = [pid for pid, at in self._exited.items() if now - at >= self.grace_s]
            for pid in gone:
                self._drop(pid)
            return len(gone)

    def _put(self, info: ProcessInfo, *, complete: bool) -> None:
        with self._lock:
            self._exited.pop(info.pid, None)
            self._infos[info.pid] = info
            self._infos.move_to_end(info.pid)
            if complete:
                self._complete.add(info.pid)
            else:
                self._complete.discard(info.pid)
            while len(self._infos) > self.max_entries:
                # the process that exited first, else the least recently seen one
                self._drop(next(iter(self._exited)) if self._exited else next(iter(self._infos)))
                self.evicted += 1

    def _drop(self, pid: int) -> None:
        self._infos.pop(pid, None)
        self._complete.discard(pid)
        self._exited.pop(pid, None)
