"""OpenClaw state: watch state dirs, configs and service definitions; re-run the inventory on change.

Portable (watchdog picks inotify, FSEvents or ReadDirectoryChangesW), so there are no per-OS modules:
the per-OS knowledge (where state dirs and service definitions live) is in ``sensor.openclaw.locations``.
"""

from sensor.sources.openclaw_state.source import OpenClawStateSource

__all__ = ["OpenClawStateSource"]
