"""The collector's set of running forwarders: every new alert is offered to each (level permitting).

``configure_from_env()`` reads ``CLAWWATCH_FORWARDERS`` once per collector process; ingest calls
``submit`` for each newly stored alert (a retried batch is not forwarded twice; a batch whose database
commit fails after the submit may be: delivery is at-least-once).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from collectors.exports._common import level_index
from collectors.forwarders.config import build_forwarders, load
from collectors.forwarders.forwarder import Forwarder
from sensor.schema.alerts import Alert

log = logging.getLogger(__name__)
ENV = "CLAWWATCH_FORWARDERS"

_lock = threading.Lock()
_forwarders: list[Forwarder] = []
_min_level = 0


def configure_from_env() -> list[Forwarder]:
    """Start the forwarders the config file names (once); [] when the variable is unset."""
    global _min_level  # noqa: PLW0603 (one set per process)
    path = os.environ.get(ENV)
    with _lock:
        if _forwarders or not path:
            return list(_forwarders)
        config = load(Path(path))
        _min_level = level_index(config.min_level)
        _forwarders.extend(forwarder.start() for forwarder in build_forwarders(config))
        log.warning("forwarding alerts to %s", ", ".join(f.sink.name for f in _forwarders))
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
