"""The collector's set of running forwarders: every new alert is offered to each (level permitting).

``clawwatch collector serve --forwarders FILE`` builds them (``config.load`` + ``config.build_forwarders``)
and hands them to the app, whose ``start`` runs them; ingest calls ``submit`` for each newly stored alert
(a retried batch is not forwarded twice; a batch whose database commit fails after the submit may be:
delivery is at-least-once).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from collectors.exports._common import level_index
from collectors.forwarders.forwarder import Forwarder
from sensor.schema.alerts import Alert

log = logging.getLogger(__name__)

_lock = threading.Lock()
_forwarders: list[Forwarder] = []
_min_level = 0


@dataclass(frozen=True)
class Forwarding:
    """Built (not yet started) forwarders and the lowest alert level they get."""

    forwarders: Sequence[Forwarder]
    min_level: str = "informational"


def start(forwarding: Forwarding) -> list[Forwarder]:
    """Start the forwarders; one set per process (a second call while they run changes nothing)."""
    global _min_level  # noqa: PLW0603 (one set per process)
    with _lock:
        if _forwarders:
            log.warning("forwarders already running; ignoring a second set")
            return list(_forwarders)
        _min_level = level_index(forwarding.min_level)
        _forwarders.extend(forwarder.start() for forwarder in forwarding.forwarders)
        if _forwarders:
            log.info("forwarding alerts to %s", ", ".join(f.sink.name for f in _forwarders))
        return list(_forwarders)


def submit(alert: Alert) -> None:
    if not _forwarders or level_index(alert.level) < _min_level:
        return
    for forwarder in _forwarders:
        try:
            forwarder.submit(alert)
        except Exception:  # a full disk must not fail ingest; the queue counts what it could not keep
            log.exception("forwarder %s: could not queue alert %s", forwarder.sink.name, alert.AlertId)


def stop_all() -> None:
    with _lock:
        for forwarder in _forwarders:
            forwarder.stop()
        _forwarders.clear()
