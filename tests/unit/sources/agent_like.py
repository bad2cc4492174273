"""Start real processes that OpenClaw's identity rules recognise, without the 650 MB package.

``<tmp>/node`` is a symlink to this Python and ``<tmp>/openclaw.mjs`` a Python script, so the argv
is ``<tmp>/node <tmp>/openclaw.mjs gateway`` (the exec-time shape of a gateway) while the code that
runs is the test's. Used to test attribution with real processes, real /proc and real sockets;
the real-gateway flows are in tests/e2e/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def start_agent_like(workdir: Path, code: str, *args: str) -> subprocess.Popen[bytes]:
    workdir.mkdir(parents=True, exist_ok=True)
    node = workdir / "node"
    if not node.exists():
        node.symlink_to(sys.executable)
    script = workdir / "openclaw.mjs"
    script.write_text(code)
    return subprocess.Popen(
        [str(node), str(script), "gateway", *args],
        cwd=workdir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
