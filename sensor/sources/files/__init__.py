"""Credential and token file access: catalogue per OS and a backend chosen at start-up.

Linux: fanotify as root (reader PID exact), else inotify via watchdog (best-effort attribution).
macOS/Windows: the catalogue only; no read events without EndpointSecurity / ETW (docs/sensor.md).
"""

from __future__ import annotations

import sys

if sys.platform.startswith("linux"):
    from sensor.sources.files.linux import HOME_ENTRIES, make_backend
elif sys.platform == "darwin":
    from sensor.sources.files.macos import HOME_ENTRIES, make_backend
else:
    from sensor.sources.files.windows import HOME_ENTRIES, make_backend

__all__ = ["HOME_ENTRIES", "make_backend"]
