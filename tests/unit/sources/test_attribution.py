"""Attribution over the ancestry cache with real process trees shaped like OpenClaw's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sensor.attribution.ancestry import AncestryCache
from sensor.sources.processes.linux import ProcReader
from tests.unit.sources.agent_like import start_agent_like, stop

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc reader")

# First run: a launcher that respawns itself (like `openclaw gateway run` respawning node with
# flags); the respawned gateway starts a shell, as the exec tool does.
LAUNCHER = """
import os, subprocess, sys, time
if os.environ.get("AGENT_LIKE_CHILD") != "1":
    child = subprocess.Popen([sys.argv[0].replace("openclaw.mjs", "node"), sys.argv[0], "gateway"],
                             env=dict(os.environ, AGENT_LIKE_CHILD="1"), stdout=subprocess.PIPE)
    print(child.pid, flush=True)
    print(child.stdout.readline().decode().strip(), flush=True)
    child.wait()
else:
    shell = subprocess.Popen(["/bin/sh", "-c", "sleep 5"])
    print(shell.pid, flush=True)
    shell.wait()
"""


def test_respawned_gateway_is_root_and_shell_belongs_to_it(tmp_path: Path) -> None:
    launcher = start_agent_like(tmp_path, LAUNCHER)
    try:
        assert launcher.stdout is not None
        gateway_pid = int(launcher.stdout.readline())
        shell_pid = int(launcher.stdout.readline())
        cache = AncestryCache(ProcReader())
        for pid in (launcher.pid, gateway_pid, shell_pid):  # in exec order, as the trigger sees them
            cache.resolve(pid)
        launcher_node = cache.get(launcher.pid)
        gateway = cache.get(gateway_pid)
        shell = cache.get(shell_pid)
        assert launcher_node is not None and launcher_node.attribution is not None
        assert launcher_node.attribution.root_pid == launcher.pid
        assert gateway is not None and gateway.attribution is not None
        assert gateway.attribution.root_pid == gateway_pid and gateway.attribution.is_agent
        assert shell is not None and shell.attribution is not None
        assert shell.attribution.root_pid == gateway_pid and not shell.attribution.is_agent
        assert cache.agent_pids() >= {launcher.pid, gateway_pid, shell_pid}
    finally:
        stop(launcher)


def test_gateway_started_by_agent_shell_stays_in_first_tree(tmp_path: Path) -> None:
    """An agent that runs `openclaw gateway` through its exec tool: the new gateway is still
    attributed to the tree that started it (the parent is not the root itself)."""
    code = """
import os, subprocess, sys
if os.environ.get("DEPTH", "0") == "0":
    node, script = sys.argv[0].replace("openclaw.mjs", "node"), sys.argv[0]
    sh = subprocess.Popen(["/bin/sh", "-c", f'"{node}" "{script}" gateway; true'],
                          env=dict(os.environ, DEPTH="1"), stdout=subprocess.PIPE)
    print(sh.pid, flush=True)
    print(sh.stdout.readline().decode().strip(), flush=True)
    sh.wait()
else:
    print(os.getpid(), flush=True)
    import time; time.sleep(5)
"""
    root = start_agent_like(tmp_path, code)
    try:
        assert root.stdout is not None
        sh_pid = int(root.stdout.readline())
        inner_pid = int(root.stdout.readline())
        cache = AncestryCache(ProcReader())
        for pid in (root.pid, sh_pid, inner_pid):
            cache.resolve(pid)
        inner = cache.get(inner_pid)
        assert inner is not None and inner.attribution is not None
        assert inner.attribution.root_pid == root.pid and inner.attribution.is_agent
    finally:
        stop(root)
