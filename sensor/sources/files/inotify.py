"""inotify through watchdog (any user): open events without the reader's PID.

Attribution is best-effort and done by the file source (who has the file open now, or the newest
live process of an agent tree). An overflowing inotify queue (IN_Q_OVERFLOW) is counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileOpenedEvent, FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from sensor.sources.files.base import OnOpen

log = logging.getLogger(__name__)


class _Handler(FileSystemEventHandler):
    def __init__(self, on_open: OnOpen) -> None:
        self.on_open = on_open

    def on_opened(self, event: FileSystemEvent) -> None:
        if isinstance(event, FileOpenedEvent) and not event.is_directory:
            path = event.src_path
            self.on_open(path if isinstance(path, str) else path.decode("utf-8", "replace"), None)


class InotifyBackend:
    name = "inotify"
    exact_pid = False

    def __init__(self) -> None:
        self._observer: BaseObserver = Observer()
        self._handler: _Handler | None = None
        self._pending: list[Path] = []
        self.marked: set[Path] = set()
        self.failures = 0

    def watch(self, directory: Path) -> bool:
        if directory in self.marked:
            return True
        if self._handler is None:
            self._pending.append(directory)
            self.marked.add(directory)
            return True
        return self._schedule(directory)

    def _schedule(self, directory: Path) -> bool:
        assert self._handler is not None
        try:
            self._observer.schedule(self._handler, str(directory), recursive=False)
        except OSError as exc:  # ENOSPC: out of inotify watches; EACCES
            self.failures += 1
            log.warning("cannot watch %s (%s)", directory, exc)
            self.marked.discard(directory)
            return False
        self.marked.add(directory)
        return True

    def start(self, on_open: OnOpen, on_overflow: Callable[[], None]) -> None:
        self._handler = _Handler(on_open)
        for d in self._pending:
            self._schedule(d)
        self._pending.clear()
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=2)
