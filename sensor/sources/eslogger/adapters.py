"""One eslogger run feeding both consumers: the process source and the file-access source.

``EsloggerHub`` owns the supervisor and the parser and dispatches messages; it is also a daemon
source in its own right (name, counters, degraded), so a refused eslogger (no Full Disk Access)
shows in the sensor's health even though the sources it feeds simply see nothing. The daemon starts
it after the sources it feeds (their ``start`` only registers callbacks). The adapters give each
consumer the interface it already knows:

* ``EsloggerExecTrigger``  the process source's ``ExecTrigger`` (exec, fork, exit, overflow);
* ``ExecInfoReader``       its ``ProcessReader``: exec-time image and argv from eslogger, the live
                           reader (psutil) for anything eslogger has not described;
* ``EsloggerFileBackend``  the file-access source's ``FileAccessBackend``: ``watch`` adds a directory
                           to the ``open`` pre-filter, every open in a watched one is passed on with
                           the reader's PID (attribution "exact").
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from sensor.sources.eslogger.exec_cache import ExecInfoCache
from sensor.sources.eslogger.messages import KINDS, EsExec, EsExit, EsFork, EsMessage, EsOpen
from sensor.sources.eslogger.parser import EsloggerParser
from sensor.sources.eslogger.supervisor import ESLOGGER, EsloggerSupervisor, Launcher, spawn
from sensor.sources.files.base import OnOpen
from sensor.sources.processes.base import ExecCallback, ProcessInfo, ProcessReader

EXPIRE_EVERY_S = 1.0
ORIGIN = "eslogger"


class EsloggerHub:
    name = "eslogger"

    def __init__(self, *, events: Sequence[str] = KINDS, launcher: Launcher = spawn,
                 executable: str = ESLOGGER, cache: ExecInfoCache | None = None) -> None:
        self.cache = cache or ExecInfoCache()
        self.parser = EsloggerParser(wanted=events, wants_open=self.wants_open if "open" in events else None,
                                     on_gap=self._on_gap)
        self.supervisor = EsloggerSupervisor(list(events), self.handle_line, launcher=launcher,
                                             executable=executable, on_restart=self.parser.restart)
        self._watched: frozenset[str] = frozenset()
        self._lock = threading.Lock()
        self._last_expire = time.monotonic()
        self.on_exec: ExecCallback | None = None
        self.on_fork: Callable[[int, int], None] | None = None
        self.on_exit: Callable[[int], None] | None = None
        self.on_open: OnOpen | None = None
        self._on_overflow: list[Callable[[], None]] = []

    # --- a daemon source ---------------------------------------------------------------------
    @property
    def counters(self) -> Counter[str]:
        merged: Counter[str] = Counter()
        merged.update({f"parser.{k}": v for k, v in self.parser.counters.items()})
        merged.update({f"process.{k}": v for k, v in self.supervisor.counters.items()})
        merged["exec_cache_entries"] = len(self.cache)
        merged["watched_dirs"] = len(self._watched)
        return merged

    @counters.setter
    def counters(self, value: Counter[str]) -> None:  # the Source protocol declares a plain attribute
        raise AttributeError("EsloggerHub.counters is computed from its parser and supervisor")

    @property
    def degraded(self) -> str | None:
        return self.supervisor.degraded

    def start(self, intake: object | None = None) -> None:
        """Start eslogger. Call it after the consumers started (they only register callbacks), so
        no event arrives before someone listens: the daemon starts this source last."""
        self.supervisor.start()

    def stop(self) -> None:
        self.supervisor.stop()

    # --- the open pre-filter -----------------------------------------------------------------
    def watch(self, directory: str) -> None:
        with self._lock:
            self._watched = self._watched | {directory}

    def wants_open(self, path: str) -> bool:
        """Is ``path`` in a watched directory? (Called for every open: one split, one set lookup.)"""
        return path.rpartition("/")[0] in self._watched

    # --- dispatch ----------------------------------------------------------------------------
    def handle_line(self, line: bytes) -> None:
        message = self.parser.parse(line)
        if message is not None:
            self.dispatch(message)

    def dispatch(self, message: EsMessage) -> None:
        if isinstance(message, EsExec):
            info = self.cache.on_exec(message)
            if self.on_exec is not None:
                self.on_exec(info.pid, info.ppid, ORIGIN)
        elif isinstance(message, EsFork):
            self.cache.on_fork(message.process, message.child)
            if self.on_fork is not None:
                self.on_fork(message.child.pid, message.process.pid)
        elif isinstance(message, EsExit):
            self.cache.on_exit(message.process.pid)
            if self.on_exit is not None:
                self.on_exit(message.process.pid)
            now = time.monotonic()
            if now - self._last_expire >= EXPIRE_EVERY_S:
                self._last_expire = now
                self.cache.expire(now)
        elif isinstance(message, EsOpen):
            self.cache.note(message.process)
            if self.on_open is not None:
                self.on_open(message.path, message.process.pid)

    def add_overflow_listener(self, callback: Callable[[], None]) -> None:
        """``callback`` runs whenever Endpoint Security dropped messages (a ``global_seq_num`` gap)."""
        self._on_overflow.append(callback)

    def _on_gap(self, missed: int) -> None:
        for callback in list(self._on_overflow):
            callback()


class EsloggerExecTrigger:
    """``ExecTrigger`` for the process source."""

    def __init__(self, hub: EsloggerHub) -> None:
        self.hub = hub

    def start(self, on_exec: ExecCallback, on_fork: Callable[[int, int], None],
              on_exit: Callable[[int], None], on_overflow: Callable[[], None]) -> None:
        self.hub.on_exec, self.hub.on_fork, self.hub.on_exit = on_exec, on_fork, on_exit
        self.hub.add_overflow_listener(on_overflow)

    def stop(self) -> None:
        self.hub.on_exec = self.hub.on_fork = self.hub.on_exit = None


class ExecInfoReader:
    """``ProcessReader``: eslogger's exec-time view first, then the live reader (may be None)."""

    def __init__(self, cache: ExecInfoCache, fallback: ProcessReader | None) -> None:
        self.cache = cache
        self.fallback = fallback

    def read(self, pid: int) -> ProcessInfo | None:
        seen = self.cache.get(pid)
        if seen is not None and self.cache.is_complete(pid):
            return seen
        live = self.fallback.read(pid) if self.fallback is not None else None
        return live if live is not None else seen

    def pids(self) -> set[int]:
        return self.fallback.pids() if self.fallback is not None else self.cache.live_pids()

    def current_cmdline(self, pid: int) -> tuple[str, ...] | None:
        return self.fallback.current_cmdline(pid) if self.fallback is not None else None


class EsloggerFileBackend:
    """``FileAccessBackend`` for the file-access source: every watched directory's opens, with PID."""

    name = "eslogger"
    exact_pid = True

    def __init__(self, hub: EsloggerHub) -> None:
        self.hub = hub

    def watch(self, directory: Path) -> bool:
        self.hub.watch(str(directory))
        return True

    def start(self, on_open: OnOpen, on_overflow: Callable[[], None]) -> None:
        self.hub.on_open = on_open
        self.hub.add_overflow_listener(on_overflow)

    def stop(self) -> None:
        self.hub.on_open = None
