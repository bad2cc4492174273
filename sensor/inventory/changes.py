"""What changed in the OpenClaw inventory between two scans (the live sensor emits these as events).

``change_type`` uses the ``Event.ChangeType`` vocabulary of ``sensor/schema/events.py``.
Installs are matched by ``install_id``; every change carries ``config_settings`` (current risk-relevant
``key=value`` settings, see ``sensor.openclaw.settings``) and ``config_settings_added`` (new since the
previous scan; all of them for ``install_added``). Details never carry secret values (credentials are
compared by kind + path + location + fingerprint, and only kind/path/location are reported).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from sensor.schema import ScanReport
from sensor.schema.inventory import Install

CHANGE_TYPES: Final[tuple[str, ...]] = (
    "install_added",
    "install_removed",
    "grant_added",
    "grant_removed",
    "exposure_changed",
    "version_changed",
    "running_changed",
    "credential_added",
)


@dataclass(frozen=True)
class InventoryChange:
    change_type: str
    install_id: str
    state_dir: str
    details: dict[str, object] = field(default_factory=dict)


def _summary(install: Install) -> dict[str, object]:
    return {
        "product": install.product,
        "owner": install.owner,
        "version": install.version,
        "running": install.running,
        "exposed": install.exposed,
        "grants": list(install.grants),
        "config_settings": list(install.config_settings),
        "config_settings_added": list(install.config_settings),
        **_exposure_modes(install),
    }


def _exposure_modes(install: Install) -> dict[str, object]:
    """Bind and auth mode (modes, never hosts or tokens) for the event's BindMode / AuthMode."""
    return {key: install.exposure.get(key) for key in ("bind_mode", "auth_mode") if install.exposure.get(key)}


def _listeners(install: Install) -> list[str]:
    return sorted(f"{listener.address}:{listener.port}" for listener in install.listeners)


def _install_changes(old: Install, new: Install) -> list[InventoryChange]:
    out: list[InventoryChange] = []

    settings_added = sorted(set(new.config_settings) - set(old.config_settings))

    def add(change_type: str, **details: object) -> None:
        details.setdefault("config_settings", list(new.config_settings))
        details.setdefault("config_settings_added", settings_added)
        for key, value in _exposure_modes(new).items():
            details.setdefault(key, value)
        out.append(InventoryChange(change_type, new.install_id, new.state_dir, dict(details)))

    for grant in sorted(set(new.grants) - set(old.grants)):
        add("grant_added", grant=grant, grants=list(new.grants))
    for grant in sorted(set(old.grants) - set(new.grants)):
        add("grant_removed", grant=grant, grants=list(new.grants))
    if (old.exposed != new.exposed or _listeners(old) != _listeners(new)
            or _exposure_modes(old) != _exposure_modes(new)):
        add("exposure_changed", exposed=new.exposed, was_exposed=old.exposed, listeners=_listeners(new))
    if old.version != new.version:
        add("version_changed", version=new.version, previous_version=old.version)
    if old.running != new.running or sorted(old.pids) != sorted(new.pids):
        add("running_changed", running=new.running, was_running=old.running, pids=sorted(new.pids))
    known = {(c.kind, c.path, c.location, c.fingerprint) for c in old.credentials}
    for cred in new.credentials:
        if (cred.kind, cred.path, cred.location, cred.fingerprint) not in known:
            add("credential_added", kind=cred.kind, path=cred.path, location=cred.location)
    return out


def inventory_changes(old: ScanReport | None, new: ScanReport) -> list[InventoryChange]:
    """Changes from ``old`` to ``new``; with no previous report every install is ``install_added``."""
    previous = {i.install_id: i for i in old.installs} if old is not None else {}
    current = {i.install_id: i for i in new.installs}
    out: list[InventoryChange] = []
    for install_id, install in current.items():
        before = previous.get(install_id)
        if before is None:
            out.append(InventoryChange("install_added", install_id, install.state_dir, _summary(install)))
        else:
            out.extend(_install_changes(before, install))
    for install_id, install in previous.items():
        if install_id not in current:
            out.append(InventoryChange("install_removed", install_id, install.state_dir, _summary(install)))
    return out
