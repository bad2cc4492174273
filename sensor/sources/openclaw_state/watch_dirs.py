"""Directories whose changes can change the OpenClaw inventory, for any OS (locations module)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sensor.openclaw.locations import CURRENT, candidate_state_dirs
from sensor.openclaw.names import STATE_DIR_NAMES

STATE_DIR_PREFIXES: tuple[str, ...] = tuple(STATE_DIR_NAMES)


def is_state_dir_name(name: str) -> bool:
    """``.openclaw``, ``.openclaw-<profile>``, legacy names: a new one in a home is worth a rescan."""
    return name.startswith(STATE_DIR_PREFIXES)


def _real_dir(path: Path) -> bool:
    try:
        return path.is_dir() and not path.is_symlink()
    except OSError:
        return False


def watch_dirs(homes: Iterable[Path], extra_state_dirs: Iterable[Path]) -> dict[Path, str]:
    """Directory -> role: ``home`` (only state-dir names matter), ``state`` or ``service``."""
    out: dict[Path, str] = {}
    for home in homes:
        if not _real_dir(home):
            continue
        out[home] = "home"
        for state_dir in candidate_state_dirs(home):
            if _real_dir(state_dir):
                out[state_dir] = "state"
        for spec in CURRENT.user_service_dirs:
            service_dir = home / spec.relative
            if _real_dir(service_dir):
                out[service_dir] = "service"
    for state_dir in extra_state_dirs:
        if _real_dir(state_dir):
            out.setdefault(state_dir, "state")
    return out
