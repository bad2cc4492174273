"""Build a ready-to-run ``SensorDaemon`` from a ``SensorConfig``: the one place that wires sources.

Per-OS choices are made by the source packages at import (``make_reader``, ``make_trigger``,
``make_table``, ``make_backend``); this module only connects them. Running as an ordinary user is
supported and logged as degraded (no exec trigger, inotify instead of fanotify, other users' homes
and processes partly unreadable).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sensor.attribution.ancestry import AncestryCache
from sensor.daemon.budget import SelfBudget
from sensor.daemon.config import SensorConfig
from sensor.daemon.daemon import SensorDaemon
from sensor.daemon.engine_stage import RuleStage, load_engine
from sensor.daemon.intake import Intake
from sensor.daemon.scan_worker import ScanRunner
from sensor.daemon.sinks import Sink
from sensor.daemon.source import Source
from sensor.normalizer import Normalizer
from sensor.platform import account_homes, owner_name
from sensor.sources import files, processes, sockets
from sensor.sources.files.source import FileAccessSource
from sensor.sources.openclaw_state import OpenClawStateSource
from sensor.sources.processes.source import ProcessSource
from sensor.sources.sockets.watcher import SocketWatcher

log = logging.getLogger(__name__)


def _optional(module: str, attr: str) -> Callable[..., Any] | None:
    try:
        found: Callable[..., Any] = getattr(importlib.import_module(module), attr)
        return found
    except (ModuleNotFoundError, AttributeError) as exc:
        log.warning("%s.%s unavailable (%s)", module, attr, exc)
        return None


def home_list(extra: Sequence[Path], *, include_accounts: bool = True) -> Callable[[], list[tuple[str | None, Path]]]:
    """Homes from the OS account database (re-read on each call; unless ``include_accounts`` is false)
    plus the ``--home`` extras."""
    extras = [(None, Path(p)) for p in extra]

    def homes() -> list[tuple[str | None, Path]]:
        found: dict[str, tuple[str | None, Path]] = {}
        for account in account_homes() if include_accounts else ():
            found.setdefault(str(account.home), (account.user, account.home))
        for owner, home in extras:
            if home.is_dir():
                found.setdefault(str(home), (_owner_of(home) or owner, home))
        return list(found.values())

    return homes


def _owner_of(path: Path) -> str | None:
    try:
        return owner_name(path.stat().st_uid)
    except OSError:
        return None


def build_daemon(config: SensorConfig, sinks: Sequence[Sink], extra_homes: Sequence[Path] = (),
                 engine: RuleStage | None = None) -> SensorDaemon:
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        log.warning("running as uid %d, not root: degraded mode (polling for processes, inotify with "
                    "best-effort attribution for files, other users' data partly unreadable)", os.geteuid())
    homes = home_list([*config.sensor.homes, *extra_homes], include_accounts=config.sensor.account_homes)
    reader = processes.make_reader()
    ancestry = AncestryCache(reader, grace_s=config.processes.exited_grace_s)
    process_source = ProcessSource(ancestry, reader, processes.make_trigger(),
                                   poll_interval=config.processes.poll_interval_s)
    socket_source = SocketWatcher(sockets.make_table(), ancestry,
                                  poll_interval=config.sockets.poll_interval_s,
                                  report_udp_listeners=config.sockets.udp_listeners)
    sources: list[Source] = [process_source, socket_source]

    state_source: OpenClawStateSource | None = None
    if config.openclaw_state.enabled:
        scanner = importlib.util.find_spec("sensor.inventory.scanner") is not None
        if not scanner:
            log.warning("sensor.inventory.scanner unavailable: no inventory events")
        changes = _optional("sensor.inventory.changes", "inventory_changes")
        state_source = OpenClawStateSource(
            scan_host=ScanRunner() if scanner else None,
            inventory_changes=changes,
            homes=lambda: [h for _, h in homes()],
            debounce_s=config.openclaw_state.debounce_s, min_interval_s=config.openclaw_state.min_interval_s,
            heartbeat_s=config.openclaw_state.heartbeat_s)
        socket_source.on_listener_change = state_source.request_rescan
        sources.append(state_source)

    if config.files.enabled:
        backend, reason = files.make_backend(config.files.backend)
        def state_dirs() -> list[tuple[str | None, Path]]:
            return [(_owner_of(d), d) for d in state_source.state_dirs()] if state_source else []

        file_source = FileAccessSource(
            backend=backend, degraded_reason=reason, homes=homes, state_dirs=state_dirs,
            home_entries=files.HOME_ENTRIES, ancestry=ancestry,
            rescan_interval=config.files.rescan_interval_s, extra_paths=config.files.extra_paths)
        if state_source is not None:
            state_source.on_state_dirs = file_source.request_rescan
        sources.append(file_source)

    rule_errors = 0
    if engine is None:
        engine, errors = load_engine(config.rule_paths())
        rule_errors = len(errors)
    caps = config.caps.model_dump()
    intake = Intake(config.queues.max_queue, config.queues.max_priority_queue, caps)
    return SensorDaemon(
        sources=sources, intake=intake, normalizer=Normalizer(reader.current_cmdline, ancestry.freshest), engine=engine,
        sinks=sinks, health_interval_s=config.sensor.health_interval_s,
        budget=SelfBudget(config.budget.cpu_percent, config.budget.rss_mb), rule_errors=rule_errors)
