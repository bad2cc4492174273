"""Sockets of the host: ``list_sockets()`` snapshot API, one implementation per OS chosen at import.

Linux reads /proc/net/{tcp,tcp6,udp,udp6} and maps inodes to PIDs through /proc/<pid>/fd;
macOS and Windows use psutil. ``SocketWatcher`` (in ``watcher``) diffs snapshots into events.
"""

from __future__ import annotations

import sys

from sensor.sources.sockets.base import SocketEntry

if sys.platform.startswith("linux"):
    from sensor.sources.sockets.linux import list_sockets, make_table
elif sys.platform == "darwin":
    from sensor.sources.sockets.macos import list_sockets, make_table
else:
    from sensor.sources.sockets.windows import list_sockets, make_table

__all__ = ["SocketEntry", "list_sockets", "make_table"]
