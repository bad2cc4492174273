"""The inventory scan runs in a child process; the daemon gets a validated ScanReport back."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from sensor.daemon.scan_worker import ScanFailed, ScanRunner
from sensor.schema import ScanReport


def test_scan_in_child_returns_report(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".openclaw").mkdir(parents=True)
    (home / ".openclaw" / "openclaw.json").write_text('{ gateway: { bind: "lan", port: 18789 } }')
    report = ScanRunner()([home])
    assert isinstance(report, ScanReport)
    assert any(i.state_dir == str(home / ".openclaw") for i in report.installs)


def test_cancel_kills_running_scan_and_refuses_new_ones(tmp_path: Path) -> None:
    runner = ScanRunner()
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            runner([tmp_path])
        except ScanFailed as exc:
            errors.append(exc)

    t = threading.Thread(target=scan)
    t.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    runner.cancel()
    t.join(timeout=30)
    assert not t.is_alive() and time.monotonic() - t0 < 30
    with pytest.raises(ScanFailed):
        runner([tmp_path])
