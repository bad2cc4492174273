"""A socket table read by running ``lsof``: the socket watcher's table interface (``read``, ``owners``,
``inodes_of``), for macOS when psutil returns nothing (it needs root there to see other users'
sockets, and silently gives an empty or partial list otherwise).

lsof is run with numeric names (``-nP``), no warnings (``-w``), TCP and UDP only, NUL-terminated
field output (``-F 0pcuRftPnT``), a timeout, and its output bounded. Like psutil on macOS it names
every socket's owner, so ``owners``/``inodes_of`` have nothing to add.
"""

from __future__ import annotations

import logging
import subprocess
from collections import Counter

from sensor.sources.lsof.fields import parse
from sensor.sources.sockets.base import SocketEntry

log = logging.getLogger(__name__)

ARGS = ("-nP", "-w", "-iTCP", "-iUDP", "-F", "0pcuRftPnT")
MAX_OUTPUT_BYTES = 32 << 20


class LsofTable:
    def __init__(self, lsof: str = "/usr/sbin/lsof", timeout_s: float = 10.0) -> None:
        self.argv = [lsof, *ARGS]
        self.timeout_s = timeout_s
        self.counters: Counter[str] = Counter()
        self.degraded: str | None = None

    def read(self, outbound: bool = True) -> list[SocketEntry]:
        try:
            done = subprocess.run(self.argv, capture_output=True, timeout=self.timeout_s, check=False,
                                  stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            self.degraded = f"{self.argv[0]} not found: no socket table"
            return []
        except subprocess.TimeoutExpired:
            self.counters["timeouts"] += 1
            self.degraded = f"lsof took longer than {self.timeout_s:g} s"
            return []
        # exit 1 also means "nothing matched" (no sockets at all), with empty output
        if done.returncode not in (0, 1):
            self.counters["errors"] += 1
            self.degraded = f"lsof exited {done.returncode}: {done.stderr[:200].decode('utf-8', 'replace')}"
            return []
        if len(done.stdout) > MAX_OUTPUT_BYTES:
            self.counters["output_over_limit"] += 1
        result = parse(done.stdout[:MAX_OUTPUT_BYTES])
        self.counters.update(result.counters)
        self.counters["reads"] += 1
        self.degraded = None
        entries = result.entries
        return entries if outbound else [e for e in entries if e.is_listener]

    def owners(self, inodes: set[int]) -> dict[int, int]:
        return {}

    def inodes_of(self, pids: set[int]) -> dict[int, int]:
        return {}
