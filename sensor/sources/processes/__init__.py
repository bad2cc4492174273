"""Processes of the host: a reader and (where the OS has one) an exec trigger, chosen at import.

``make_reader()`` returns a ``ProcessReader``; ``make_trigger()`` returns an exec trigger or None
(Linux without CAP_NET_ADMIN, macOS, Windows), in which case the pid-diff poll sees everything.
"""

from __future__ import annotations

import sys

from sensor.sources.processes.base import ProcessInfo, ProcessReader

if sys.platform.startswith("linux"):
    from sensor.sources.processes.linux import make_reader, make_trigger
elif sys.platform == "darwin":
    from sensor.sources.processes.macos import make_reader, make_trigger
else:
    from sensor.sources.processes.windows import make_reader, make_trigger

__all__ = ["ProcessInfo", "ProcessReader", "make_reader", "make_trigger"]
