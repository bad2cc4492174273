"""Field helpers the ECS and OCSF mappings, the forwarders and the projection share: levels, times, paths, pruning."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

LEVELS: tuple[str, ...] = ("informational", "low", "medium", "high", "critical")


def level_index(level: str) -> int:
    """0 informational .. 4 critical; unknown levels count as informational."""
    try:
        return LEVELS.index(level.lower())
    except ValueError:
        return 0


def epoch_ms(utc_time: str) -> int:
    """RFC 3339 -> milliseconds since the epoch (naive times are taken as UTC)."""
    parsed = datetime.fromisoformat(utc_time.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def basename(path: str | None) -> str | None:
    if not path:
        return None
    return PurePath(path.replace("\\", "/")).name or None


def dirname(path: str | None) -> str | None:
    if not path:
        return None
    parent = str(PurePath(path.replace("\\", "/")).parent)
    return parent or None


def prune(value: Any) -> Any:
    """Drops None, empty dicts and empty lists, recursively, so documents carry only what is known."""
    if isinstance(value, dict):
        pruned = {key: prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in (None, {}, [])}
    if isinstance(value, list):
        items = [prune(item) for item in value]
        return [item for item in items if item not in (None, {}, [])]
    return value
