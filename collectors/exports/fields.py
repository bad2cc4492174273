"""Field helpers the ECS and OCSF mappings, the forwarders and the projection share: levels, times, paths, pruning."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePath
from typing import Any

from sensor.schema.alerts import Alert
from sensor.schema.events import Event


def epoch_ms(stamp: datetime | None) -> int | None:
    """An aware time -> milliseconds since the epoch (None stays None: the alert's time did not read)."""
    return None if stamp is None else int(stamp.timestamp() * 1000)


def event_fields(alert: Alert) -> dict[str, Any]:
    """The alert's event as the flat field dict the mappings read (what the engine matched)."""
    event = alert.event
    if isinstance(event, Event):
        return event.to_match_dict()
    return event or {}


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
