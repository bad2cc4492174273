"""The process source: exec trigger (when the OS has one) plus a cheap pid-diff poll.

The trigger reports execs as they happen; the poll lists PIDs every ``poll_interval`` and reports
new processes the trigger missed one poll later (so a process the trigger is still handling is not
reported twice). Without a trigger (not root, or macOS/Windows) every new PID is reported by the poll.
Both feed the ancestry cache, which every other source uses for attribution.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter

from sensor.attribution.ancestry import AncestryCache
from sensor.sources.observations import Offer, ProcessStarted
from sensor.sources.processes.base import ExecTrigger, ProcessInfo, ProcessReader

log = logging.getLogger(__name__)




class ProcessSource:
    name = "processes"

    def __init__(self, ancestry: AncestryCache, reader: ProcessReader, trigger: ExecTrigger | None,
                 poll_interval: float = 1.0) -> None:
        self.ancestry = ancestry
        self.reader = reader
        self.trigger = trigger
        self.poll_interval = poll_interval
        self.counters: Counter[str] = Counter()
        self._known: set[int] = set()
        self._pending: set[int] = set()
        self._resync = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._intake: Offer | None = None
        self._emitted_by_trigger: set[int] = set()
        self._lock = threading.Lock()

    @property
    def degraded(self) -> str | None:
        return None if self.trigger is not None else "no exec trigger: new processes seen by polling only"

    def start(self, intake: Offer) -> None:
        self._intake = intake
        self._known = self.reader.pids()
        for pid in sorted(self._known):
            self.ancestry.resolve(pid)
        if self.trigger is not None:
            self.trigger.start(self._on_exec, self.ancestry.note_fork, self._on_exit, self._on_overflow)
        self._thread = threading.Thread(target=self._poll_loop, name="process-poll", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self.trigger is not None:
            self.trigger.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # trigger callbacks (trigger thread)
    def _on_exec(self, pid: int, ppid: int | None, origin: str) -> None:
        self.counters["execs"] += 1
        info = self.reader.read(pid)
        if info is None:
            # gone before /proc could be read: report what the fork notification told us (PID,
            # parent, and so the agent tree), without image or command line
            self.counters["exited_before_read"] += 1
            node = self.ancestry.resolve(pid)
            if node is not None and self._intake is not None:
                parent = self.ancestry.get(node.info.ppid) if node.info.ppid else None
                self._intake.offer(ProcessStarted(node, parent, origin))
            return
        self._report(info, origin)
        with self._lock:
            self._emitted_by_trigger.add(pid)

    def _on_exit(self, pid: int) -> None:
        self.ancestry.mark_exited(pid)

    def _on_overflow(self) -> None:
        self.counters["overflows"] += 1
        self._resync = True

    def _report(self, info: ProcessInfo, origin: str) -> None:
        node = self.ancestry.observe(info)
        parent = self.ancestry.get(info.ppid) if info.ppid else None
        if self._intake is not None:
            self._intake.offer(ProcessStarted(node, parent, origin))

    # poll thread
    def _poll_loop(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                self.poll_once()
            except Exception:  # a poll must never kill the source
                self.counters["poll_errors"] += 1
                log.exception("process poll failed")

    def poll_once(self) -> None:
        pids = self.reader.pids()
        for pid in self._known - pids:
            self.ancestry.mark_exited(pid)
        new = pids - self._known
        with self._lock:
            trigger_seen = set(self._emitted_by_trigger)
            self._emitted_by_trigger.clear()
        if self.trigger is None:
            for pid in sorted(new):
                self._report_pid(pid)
        else:
            resync, self._resync = self._resync, False
            # a PID new at the last poll that the trigger has not reported since was missed by it
            for pid in sorted((self._pending & pids) - trigger_seen):
                if resync or not self.ancestry.forked_without_exec(pid):
                    self._report_pid(pid)
                else:
                    self.ancestry.resolve(pid)
            self._pending = new - trigger_seen
        self._known = pids
        self.ancestry.expire()

    def _report_pid(self, pid: int) -> None:
        info = self.reader.read(pid)
        if info is None:
            return
        self.counters["poll_found"] += 1
        self._report(info, "poll")
