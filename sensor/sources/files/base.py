"""Credential-file watching: catalogue entries, watch targets, and the backend interface."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """Files called ``pattern`` (fnmatch on the name) in ``directory`` (relative to a base, may
    contain ``*`` segments, e.g. browser profiles) are credential stores of ``kind``.
    ``recursive`` also covers files in subdirectories (bounded depth)."""

    directory: str
    pattern: str
    kind: str
    recursive: bool = False
    exclude: str | None = None  # fnmatch on the name, e.g. "*.pub"


@dataclass(frozen=True, slots=True)
class WatchDir:
    """One directory to watch and the catalogue entries that say which of its files count."""

    path: Path
    owner: str | None
    entries: tuple[CatalogueEntry, ...]


OnOpen = Callable[[str, int | None], None]
"""Called by a backend with (opened file path, reader PID if the backend knows it)."""


class FileAccessBackend(Protocol):
    name: str
    exact_pid: bool  # True when events carry the reader's PID (fanotify)

    def watch(self, directory: Path) -> bool: ...

    def start(self, on_open: OnOpen, on_overflow: Callable[[], None]) -> None: ...

    def stop(self) -> None: ...
