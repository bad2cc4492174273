"""Run one inventory scan in a child process and print the ``ScanReport`` as JSON on stdout.

    python -m sensor.daemon.scan_worker HOME [HOME ...]

The daemon runs every rescan here rather than in its own process: a scan reads hostile files
(configs, SQLite stores) and briefly needs tens of MB, so a crash or a memory peak stays in the
child and the daemon's resident set stays small. ``run_scan`` is the daemon side.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from sensor.schema import ScanReport

SCAN_TIMEOUT_S = 600.0
MAX_REPORT_BYTES = 64 * 1024 * 1024


class ScanFailed(RuntimeError):
    pass


def run_scan(homes: Sequence[Path], timeout: float = SCAN_TIMEOUT_S) -> ScanReport:
    """Scan in a child process (same interpreter); raises ``ScanFailed`` with the child's error."""
    argv = [sys.executable, "-m", "sensor.daemon.scan_worker", *(str(h) for h in homes)]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ScanFailed(f"inventory scan timed out after {timeout:.0f} s") from exc
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise ScanFailed(f"inventory scan exited {done.returncode}: {tail}")
    if len(done.stdout) > MAX_REPORT_BYTES:
        raise ScanFailed(f"inventory report larger than {MAX_REPORT_BYTES} bytes")
    return ScanReport.model_validate_json(done.stdout)


def main(argv: Sequence[str]) -> int:
    from sensor.inventory.scanner import scan_host  # noqa: PLC0415 - only the child imports the scanner

    report = scan_host([Path(a) for a in argv], include_processes=True)
    sys.stdout.write(report.model_dump_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
