"""Run one inventory scan in a child process and print the ``ScanReport`` as JSON on stdout.

    python -m sensor.daemon.scan_worker HOME [HOME ...]

The daemon runs every rescan here rather than in its own process: a scan reads hostile files
(configs, SQLite stores) and briefly needs tens of MB, so a crash or a memory peak stays in the
child and the daemon's resident set stays small. ``run_scan`` is the daemon side.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from sensor.schema import ScanReport

SCAN_TIMEOUT_S = 600.0
MAX_REPORT_BYTES = 64 * 1024 * 1024


class ScanFailed(RuntimeError):
    pass


class ScanRunner:
    """Runs scans in child processes one at a time; ``cancel()`` (at shutdown) kills the running one
    by its PID so stopping the daemon never waits for a scan."""

    def __init__(self, timeout: float = SCAN_TIMEOUT_S) -> None:
        self.timeout = timeout
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._cancelled = False

    def __call__(self, homes: Sequence[Path]) -> ScanReport:
        argv = [sys.executable, "-m", "sensor.daemon.scan_worker", *(str(h) for h in homes)]
        with self._lock:
            if self._cancelled:
                raise ScanFailed("inventory scan cancelled: the sensor is stopping")
            child = self._child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = child.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired as exc:
            child.kill()
            child.communicate()
            raise ScanFailed(f"inventory scan timed out after {self.timeout:.0f} s") from exc
        finally:
            with self._lock:
                self._child = None
        if child.returncode != 0:
            tail = err.decode("utf-8", "replace")[-2000:]
            raise ScanFailed(f"inventory scan exited {child.returncode}: {tail}")
        if len(out) > MAX_REPORT_BYTES:
            raise ScanFailed(f"inventory report larger than {MAX_REPORT_BYTES} bytes")
        return ScanReport.model_validate_json(out)

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._child is not None and self._child.poll() is None:
                self._child.kill()


def run_scan(homes: Sequence[Path], timeout: float = SCAN_TIMEOUT_S) -> ScanReport:
    """One scan in a child process (same interpreter); raises ``ScanFailed`` with the child's error."""
    return ScanRunner(timeout)(homes)


def main(argv: Sequence[str]) -> int:
    from sensor.inventory.scanner import scan_host  # noqa: PLC0415 - only the child imports the scanner

    report = scan_host([Path(a) for a in argv], include_processes=True)
    sys.stdout.write(report.model_dump_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
