"""The credential-file source: catalogue -> watched directories -> FileOpened observations.

Directories (not single files) are watched, so a key written after start-up is still covered;
each open is matched against the catalogue entries of its directory and everything else is ignored.
OpenClaw processes opening OpenClaw's own stores are counted, not reported (that is the agent working;
a shell it spawned, or any other process, opening them is reported).
The catalogue is re-expanded every ``rescan_interval`` (new ~/.ssh, new browser profile, new
OpenClaw state dir). With fanotify the reader's PID comes with the event (attribution "exact");
with inotify the source guesses (attribution "best-effort"): a live agent-tree process that still has
the file open when the event is handled (at most ``GUESSES_PER_SECOND`` guesses, so a flood stays cheap).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import psutil

from sensor.attribution.ancestry import AncestryCache, ProcessNode
from sensor.sources.files.base import CatalogueEntry, FileAccessBackend, WatchDir
from sensor.sources.files.catalogue import STATE_DIR_ENTRIES, expand, kind_of
from sensor.sources.observations import FileOpened, Offer
from sensor.sources.ratelimit import TokenBucket

log = logging.getLogger(__name__)

MAX_WATCHED_DIRS = 4096
GUESSES_PER_SECOND = 50.0
RETRY_AFTER_S = 0.5  # a reader not yet in the ancestry cache is looked up again after this
MAX_DEFERRED = 10_000
OWN_STORE_PREFIX = "openclaw_"  # kinds of OpenClaw's own stores (catalogue.STATE_DIR_ENTRIES)

Home = tuple[str | None, Path]  # (owner user name, directory)


def _explicit_entries(paths: Sequence[Path]) -> list[tuple[Path, CatalogueEntry]]:
    return [(p.parent, CatalogueEntry("", p.name, "configured")) for p in paths]


class FileAccessSource:
    name = "files"

    def __init__(self, *, backend: FileAccessBackend | None, degraded_reason: str | None,
                 homes: Callable[[], list[Home]], state_dirs: Callable[[], list[Home]],
                 home_entries: Sequence[CatalogueEntry], ancestry: AncestryCache,
                 rescan_interval: float = 30.0, extra_paths: Sequence[Path] = ()) -> None:
        self.backend = backend
        self._degraded = degraded_reason
        self.homes = homes
        self.state_dirs = state_dirs
        self.home_entries = tuple(home_entries)
        self.ancestry = ancestry
        self.rescan_interval = rescan_interval
        self.extra_paths = list(extra_paths)
        self.counters: Counter[str] = Counter()
        self._targets: dict[str, WatchDir] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._rescan_now = threading.Event()
        self._wake_loop = threading.Event()
        self._thread: threading.Thread | None = None
        self._intake: Offer | None = None
        self._guesses = TokenBucket(GUESSES_PER_SECOND)
        self._deferred: list[tuple[float, str, str, str | None, int]] = []

    @property
    def degraded(self) -> str | None:
        return self._degraded

    def start(self, intake: Offer) -> None:
        self._intake = intake
        if self.backend is None:
            return
        self.rescan()
        self.backend.start(self._on_open, self._on_overflow)
        self._thread = threading.Thread(target=self._loop, name="files-rescan", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._rescan_now.set()
        self._wake_loop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.backend is not None:
            self.backend.stop()

    def request_rescan(self) -> None:
        self._rescan_now.set()
        self._wake_loop.set()

    def _loop(self) -> None:
        next_rescan = time.monotonic() + self.rescan_interval
        while not self._stop.is_set():
            with self._lock:
                pending = bool(self._deferred)
            # sleep until the next rescan unless a deferred open is waiting (``_defer`` wakes us)
            self._wake_loop.wait(RETRY_AFTER_S / 2 if pending else max(0.0, next_rescan - time.monotonic()))
            self._wake_loop.clear()
            self._retry_deferred()
            if not self._rescan_now.is_set() and time.monotonic() < next_rescan:
                continue
            self._rescan_now.clear()
            if self._stop.is_set():
                break
            next_rescan = time.monotonic() + self.rescan_interval
            try:
                self.rescan()
            except Exception:
                self.counters["rescan_errors"] += 1
                log.exception("credential catalogue rescan failed")
        self._retry_deferred(final=True)

    def watch_targets(self) -> list[WatchDir]:
        targets: list[WatchDir] = []
        for owner, home in self.homes():
            targets.extend(expand(home, self.home_entries, owner))
        for owner, state_dir in self.state_dirs():
            targets.extend(expand(state_dir, STATE_DIR_ENTRIES, owner))
        for directory, entry in _explicit_entries(self.extra_paths):
            targets.extend(expand(directory, [entry], None))
        return targets

    def rescan(self) -> None:
        assert self.backend is not None
        for target in self.watch_targets():
            key = os.path.realpath(target.path)
            with self._lock:
                known = self._targets.get(key)
                if known is not None:
                    merged = tuple(dict.fromkeys(known.entries + target.entries))
                    self._targets[key] = WatchDir(known.path, known.owner or target.owner, merged)
                    continue
                if len(self._targets) >= MAX_WATCHED_DIRS:
                    self.counters["watch_limit_reached"] += 1
                    continue
            if self.backend.watch(Path(key)):
                with self._lock:
                    self._targets[key] = target
                self.counters["watched_dirs"] = len(self._targets)
            else:
                self.counters["watch_failures"] += 1

    def _on_overflow(self) -> None:
        self.counters["overflows"] += 1

    def _on_open(self, path: str, pid: int | None) -> None:
        directory, name = os.path.split(path)
        with self._lock:
            target = self._targets.get(directory)
        if target is None:
            return
        kind = kind_of(name, target.entries)
        if kind is None:
            self.counters["ignored_opens"] += 1
            return
        self.counters["opens"] += 1
        if pid is not None:
            node = self.ancestry.resolve(pid)
            if node is None:
                # reaped before we looked, and the process source has not caught up with its
                # fork/exec yet: ask the ancestry cache again shortly
                self._defer(path, kind, target.owner, pid)
                return
            confidence = "exact"
        else:
            node = self._guess_reader(path)
            confidence = "best-effort"
        self._report(path, kind, target.owner, node, pid=pid, confidence=confidence)

    def _defer(self, path: str, kind: str, owner: str | None, pid: int) -> None:
        with self._lock:
            if len(self._deferred) >= MAX_DEFERRED:
                self.counters["deferred_dropped"] += 1
                resolved = None
            else:
                self._deferred.append((time.monotonic(), path, kind, owner, pid))
                self.counters["deferred"] += 1
                self._wake_loop.set()
                return
        self._report(path, kind, owner, resolved, pid=pid, confidence="exact")

    def _retry_deferred(self, final: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            due = [d for d in self._deferred if final or now - d[0] >= RETRY_AFTER_S]
            self._deferred = [d for d in self._deferred if d not in due]
        for _t, path, kind, owner, pid in due:
            node = self.ancestry.resolve(pid)
            self.counters["deferred_resolved" if node is not None else "deferred_unresolved"] += 1
            self._report(path, kind, owner, node, pid=pid, confidence="exact")

    def _report(self, path: str, kind: str, owner: str | None, node: ProcessNode | None, *,
                pid: int | None, confidence: str) -> None:
        if kind.startswith(OWN_STORE_PREFIX) and node is not None and node.attribution is not None \
                and node.attribution.is_agent:
            self.counters["agent_own_store_opens"] += 1  # OpenClaw using its own state: expected
            return
        if self._intake is not None:
            self._intake.offer(FileOpened(path, kind, owner, node, pid if node is None else node.pid, confidence))

    def _guess_reader(self, path: str) -> ProcessNode | None:
        if not self._guesses.take():
            self.counters["guesses_skipped"] += 1
            return None
        for pid in sorted(self.ancestry.agent_pids()):
            try:
                if any(f.path == path for f in psutil.Process(pid).open_files()):
                    return self.ancestry.get(pid)
            except psutil.Error:
                continue
        return None
