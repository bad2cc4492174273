"""OpenClaw state source: file changes in homes, state dirs and service dirs re-run the inventory.

Changes are debounced (``debounce_s``; scans at most every ``min_interval_s``), the scanner's
``scan_host`` runs on this source's thread, and
``inventory_changes(old, new)`` becomes one ``InventoryChanged`` observation per change. The first scan
at start-up reports every install as ``install_added``. A heartbeat rescan runs every
``heartbeat_s``; other sources may ask for a rescan (a listener opened, an agent started).
Watching uses watchdog (inotify / FSEvents / ReadDirectoryChangesW), so it works on every OS.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from sensor.openclaw.names import CONFIG_FILE_NAMES
from sensor.schema import ScanReport
from sensor.sources.observations import InventoryChanged, InventorySnapshot, Offer
from sensor.sources.openclaw_state.base import ScanHost
from sensor.sources.openclaw_state.watch_dirs import is_state_dir_name, watch_dirs

log = logging.getLogger(__name__)

# Names in a state dir whose change can change the inventory (config and its backups, credential
# stores, agents, env and approvals files, service launchers); anything else there is ignored.
STATE_DIR_RELEVANT: tuple[str, ...] = (
    *CONFIG_FILE_NAMES, "credentials", "agents", ".env", "secrets.json", "exec-approvals.json",
    "gateway.", "node.cmd", "service-env", "npm", "tools",
)


def change_fields(change: Any) -> dict[str, Any]:
    """Event fields for one ``sensor.inventory.changes.InventoryChange`` (no secret values in it)."""
    d = dict(change.details)
    fields: dict[str, Any] = {"InstallId": change.install_id, "StateDir": change.state_dir}
    if isinstance(d.get("grants"), list):
        fields["Grants"] = [str(g) for g in d["grants"]]
    if change.change_type == "grant_added" and "grant" in d:
        fields["GrantsAdded"] = [str(d["grant"])]
    if isinstance(d.get("exposed"), bool):
        fields["Exposed"] = d["exposed"]
    if d.get("version") is not None:
        fields["Version"] = str(d["version"])
    for key, name in (("config_settings", "ConfigSettings"), ("config_settings_added", "ConfigSettingsAdded")):
        if isinstance(d.get(key), list) and d[key]:
            fields[name] = [str(item) for item in d[key]]
    if d.get("bind_mode"):
        fields["BindMode"] = str(d["bind_mode"])
    if d.get("auth_mode"):
        fields["AuthMode"] = str(d["auth_mode"])
    if change.change_type == "credential_added":
        fields["CredentialKind"] = str(d.get("kind"))
        fields["TargetFilename"] = str(d.get("path")) if d.get("path") else None
    return {k: v for k, v in fields.items() if v is not None}


class _Handler(FileSystemEventHandler):
    def __init__(self, roles: dict[str, str], poke: Callable[[], None]) -> None:
        self.roles = roles
        self.poke = poke

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        path = event.src_path if isinstance(event.src_path, str) else event.src_path.decode()
        parent = str(Path(path).parent)
        name = Path(path).name
        role = self.roles.get(parent)
        if role == "home" and not is_state_dir_name(name):
            return
        if role == "state" and not name.startswith(STATE_DIR_RELEVANT):
            return  # caches, logs, sqlite journals: the gateway writes them all the time
        self.poke()


class OpenClawStateSource:
    name = "openclaw_state"

    def __init__(self, *, scan_host: ScanHost | None, inventory_changes: Callable[..., list[Any]] | None,
                 homes: Callable[[], Sequence[Path]], debounce_s: float = 2.0,
                 min_interval_s: float = 30.0, heartbeat_s: float = 3600.0) -> None:
        self.scan_host = scan_host
        self.inventory_changes = inventory_changes
        self.homes = homes
        self.debounce_s = debounce_s
        self.min_interval_s = min_interval_s
        self.heartbeat_s = heartbeat_s
        self.counters: Counter[str] = Counter()
        self.report: ScanReport | None = None
        self.on_state_dirs: Callable[[], None] | None = None
        self._roles: dict[str, str] = {}
        self._observer = Observer()
        self._handler = _Handler(self._roles, self.request_rescan)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._dirty_since: float | None = None
        self._thread: threading.Thread | None = None
        self._intake: Offer | None = None
        self._lock = threading.Lock()

    @property
    def degraded(self) -> str | None:
        if self.scan_host is None:
            return "inventory scanner not available: state changes are not turned into inventory events"
        return None

    def state_dirs(self) -> list[Path]:
        report = self.report
        found = {Path(i.state_dir) for i in report.installs} if report is not None else set()
        return sorted(found)

    def start(self, intake: Offer) -> None:
        self._intake = intake
        self._refresh_watches()
        self._observer.start()
        self._thread = threading.Thread(target=self._loop, name="openclaw-state", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        cancel = getattr(self.scan_host, "cancel", None)
        if callable(cancel):
            cancel()  # a scan in progress must not hold up shutdown
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._observer.stop()
        self._observer.join(timeout=2)

    def request_rescan(self) -> None:
        with self._lock:
            if self._dirty_since is None:
                self._dirty_since = time.monotonic()
        self._wake.set()

    def _refresh_watches(self) -> None:
        wanted = watch_dirs(self.homes(), self.state_dirs())
        for directory, role in wanted.items():
            key = str(directory)
            if key in self._roles:
                continue
            try:
                self._observer.schedule(self._handler, key, recursive=False)
            except OSError as exc:
                self.counters["watch_failures"] += 1
                log.warning("cannot watch %s (%s)", directory, exc)
                continue
            self._roles[key] = role
        self.counters["watched_dirs"] = len(self._roles)

    def _loop(self) -> None:
        with self._lock:
            self._dirty_since = time.monotonic() - self.debounce_s  # first scan at once
        next_heartbeat = time.monotonic() + self.heartbeat_s
        last_scan = float("-inf")
        while not self._stop.is_set():
            with self._lock:
                dirty = self._dirty_since
            now = time.monotonic()
            if dirty is not None:
                due = max(dirty + self.debounce_s, last_scan + self.min_interval_s)
            else:
                due = next_heartbeat
            wait = due - now
            if wait > 0:
                self._wake.wait(wait)
                self._wake.clear()
                continue
            with self._lock:
                self._dirty_since = None
            last_scan = time.monotonic()
            self._scan()
            next_heartbeat = time.monotonic() + self.heartbeat_s

    def _scan(self) -> None:
        if self.scan_host is None or self.inventory_changes is None:
            return
        try:
            report = self.scan_host(list(self.homes()))
        except Exception:
            self.counters["scan_errors"] += 1
            log.exception("inventory rescan failed")
            return
        self.counters["scans"] += 1
        previous, self.report = self.report, report
        changes = self.inventory_changes(previous, report)
        for change in changes:
            self.counters["changes"] += 1
            if self._intake is not None:
                self._intake.offer(InventoryChanged(change.change_type, change_fields(change)))
        if (changes or previous is None) and self._intake is not None:
            self._intake.offer(InventorySnapshot(report))
        if self.state_dirs():
            self._refresh_watches()
            if self.on_state_dirs is not None:
                self.on_state_dirs()
