"""Write the status file after every inventory snapshot: ``key=value`` lines a POSIX shell can read
without ``eval`` (``packaging/mdm/jamf-extension-attribute.sh``), written atomically, root-only.

    format=1
    updated=2026-12-04T10:00:00Z
    installs=1              OpenClaw/Clawdbot/Moltbot installs found
    running=1               of which running
    exposed=0               of which listening beyond loopback
    worst=high              highest finding severity (none when there is no finding)
    findings=CW-A,CW-B      finding ids, sorted, at most 20

No path, user name or secret is written: finding ids and counts only.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sensor.schema.inventory import ScanReport

FORMAT = 1
MAX_FINDING_IDS = 20


def status_lines(report: ScanReport, now: datetime | None = None) -> list[str]:
    findings = report.findings  # the scanner copies every install's findings here too
    worst = max(findings, key=lambda f: f.severity.rank).severity.value if findings else "none"
    ids = sorted({f.id for f in findings})[:MAX_FINDING_IDS]
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        f"format={FORMAT}",
        f"updated={when}",
        f"installs={len(report.installs)}",
        f"running={sum(1 for i in report.installs if i.running)}",
        f"exposed={sum(1 for i in report.installs if i.exposed)}",
        f"worst={worst}",
        f"findings={','.join(ids)}",
    ]


def write_status(path: Path, report: ScanReport, now: datetime | None = None) -> None:
    """Replace ``path`` atomically with the status of ``report`` (mode 0600)."""
    text = "\n".join(status_lines(report, now)) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".status.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
