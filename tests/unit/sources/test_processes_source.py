"""The process source against real processes: exec trigger (root), pid-diff poll, attribution."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sensor.attribution.ancestry import AncestryCache
from sensor.sources.observations import ProcessStarted
from sensor.sources.processes.linux import NetlinkExecTrigger, ProcReader, parse_stat, split_cmdline
from sensor.sources.processes.source import ProcessSource
from tests.unit.sources.agent_like import start_agent_like, stop
from tests.unit.sources.conftest import Collector, needs_root

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc reader")

AGENT_SPAWNS_SHELL = """
import subprocess, sys, time
child = subprocess.Popen(["/bin/sh", "-c", "sleep 3"])
print(child.pid, flush=True)
child.wait()
"""


def _started(pid: int):  # type: ignore[no-untyped-def]
    return lambda o: isinstance(o, ProcessStarted) and o.node.pid == pid


@pytest.mark.root
def test_exec_trigger_reports_short_lived_process_with_exec_cmdline(collector: Collector) -> None:
    needs_root()
    reader = ProcReader()
    trigger = NetlinkExecTrigger()
    source = ProcessSource(AncestryCache(reader), reader, trigger, poll_interval=5.0)
    source.start(collector)
    try:
        proc = subprocess.Popen(["/bin/sh", "-c", "sleep 0.3", "marker-arg"])
        proc.wait()
        obs = collector.wait_for(_started(proc.pid))
        assert isinstance(obs, ProcessStarted)
        assert obs.origin == "netlink"
        assert obs.node.info.cmdline == ("/bin/sh", "-c", "sleep 0.3", "marker-arg")
        assert obs.parent is not None and obs.parent.pid == os.getpid()
    finally:
        source.stop()


def test_poll_alone_finds_new_processes_when_no_trigger(collector: Collector) -> None:
    reader = ProcReader()
    source = ProcessSource(AncestryCache(reader), reader, None, poll_interval=0.1)
    assert source.degraded is not None
    source.start(collector)
    try:
        proc = subprocess.Popen(["/bin/sleep", "2"])
        obs = collector.wait_for(_started(proc.pid), timeout=5)
        assert isinstance(obs, ProcessStarted) and obs.origin == "poll"
        assert (obs.node.info.exe or "").endswith("sleep")
        proc.wait()
    finally:
        source.stop()


@pytest.mark.parametrize("use_trigger", [True, False], ids=["netlink", "poll-only"])
def test_shell_child_of_agent_is_attributed_to_agent_root(
    tmp_path: Path, collector: Collector, use_trigger: bool
) -> None:
    if use_trigger and os.geteuid() != 0:
        pytest.skip("netlink proc connector needs root")
    reader = ProcReader()
    trigger = NetlinkExecTrigger() if use_trigger else None
    source = ProcessSource(AncestryCache(reader), reader, trigger, poll_interval=0.1)
    source.start(collector)
    agent = start_agent_like(tmp_path, AGENT_SPAWNS_SHELL)
    try:
        assert agent.stdout is not None
        shell_pid = int(agent.stdout.readline())
        obs = collector.wait_for(_started(shell_pid), timeout=5)
        assert isinstance(obs, ProcessStarted)
        a = obs.node.attribution
        assert a is not None and a.root_pid == agent.pid and a.product == "openclaw"
        assert not a.is_agent
        root = source.ancestry.get(agent.pid)
        assert root is not None and root.attribution is not None and root.attribution.is_agent
    finally:
        stop(agent)
        source.stop()


def test_unrelated_process_is_not_attributed(collector: Collector) -> None:
    reader = ProcReader()
    cache = AncestryCache(reader)
    proc = subprocess.Popen(["/bin/sleep", "1"])
    try:
        node = cache.resolve(proc.pid)
        assert node is not None and node.attribution is None
    finally:
        proc.wait()


def test_exited_process_kept_for_grace_then_forgotten() -> None:
    reader = ProcReader()
    cache = AncestryCache(reader, grace_s=5.0)
    proc = subprocess.Popen(["/bin/true"])
    node = cache.resolve(proc.pid)
    proc.wait()
    assert node is not None
    cache.mark_exited(proc.pid, now=100.0)
    assert cache.expire(now=104.0) == 0 and cache.get(proc.pid) is not None
    assert cache.expire(now=105.5) == 1 and cache.get(proc.pid) is None


def test_parse_stat_with_hostile_comm() -> None:
    raw = b"123 (evil) 1 2 (x) S 77 " + b" ".join(b"0" for _ in range(17)) + b" 4242 0 0\n"
    assert parse_stat(raw) == ("evil) 1 2 (x", 77, 4242)
    assert parse_stat(b"garbage") is None


def test_split_cmdline() -> None:
    assert split_cmdline(b"a\0b c\0\0") == ("a", "b c", "")
    assert split_cmdline(b"") == ()
