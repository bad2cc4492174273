"""The status file MDM scripts read: counts, worst severity and finding ids of a real scan; no paths."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from sensor.inventory.scanner import scan_host
from sensor.posture.status_file import status_lines, write_status

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "openclaw"


def test_status_of_a_real_onboarded_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(FIXTURES / "v2026.9.6-lan-grants" / "home", home, symlinks=True)
    report = scan_host([home], include_processes=False, salt=b"s" * 32, system_wide=False)
    lines = dict(line.split("=", 1) for line in status_lines(report, datetime(2026, 12, 4, 10, tzinfo=UTC)))
    assert lines["format"] == "1" and lines["updated"] == "2026-12-04T10:00:00Z"
    assert lines["installs"] == "1" and lines["running"] == "0"
    worst = max(report.findings, key=lambda f: f.severity.rank).severity.value
    assert lines["worst"] == worst == "critical"
    assert lines["findings"].split(",") == sorted({f.id for f in report.findings})[:20]
    path = tmp_path / "status"
    write_status(path, report)
    text = path.read_text()
    assert str(home) not in text and "FAKE" not in text
    assert path.stat().st_mode & 0o777 == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".status.")]


def test_status_without_installs(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    report = scan_host([tmp_path / "empty"], include_processes=False, salt=b"s" * 32, system_wide=False)
    lines = dict(line.split("=", 1) for line in status_lines(report))
    assert (lines["installs"], lines["worst"], lines["findings"]) == ("0", "none", "")
