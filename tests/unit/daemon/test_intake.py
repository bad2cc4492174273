"""Intake: per-source caps drop non-agent observations (counted); agent-tree ones always pass."""

from __future__ import annotations

from sensor.attribution.ancestry import Attribution, ProcessNode
from sensor.daemon.intake import Intake
from sensor.sources.observations import FileOpened
from sensor.sources.processes.base import ProcessInfo


def _obs(agent: bool) -> FileOpened:
    info = ProcessInfo(10, 1, "cat", "/usr/bin/cat", ("cat", "x"), "/", 0)
    attribution = Attribution("openclaw", 5, "/usr/bin/node", False) if agent else None
    return FileOpened("/h/.ssh/id_rsa", "ssh_private_key", "u", ProcessNode(info, None, attribution), 10, "exact")


def test_cap_drops_and_counts_non_agent_observations() -> None:
    intake = Intake(max_queue=1000, max_priority_queue=1000, caps={"files": 10.0})
    accepted = sum(intake.offer(_obs(agent=False)) for _ in range(100))
    assert 10 <= accepted < 20
    assert intake.counters["files.dropped_rate_cap"] == 100 - accepted


def test_agent_observations_bypass_cap_and_come_first() -> None:
    intake = Intake(max_queue=1000, max_priority_queue=1000, caps={"files": 1.0})
    intake.offer(_obs(agent=False))
    for _ in range(50):
        assert intake.offer(_obs(agent=True))
    first = intake.take(timeout=0.1)
    assert first is not None and isinstance(first, FileOpened) and first.node is not None
    assert first.node.attribution is not None
    assert intake.depth() == 50


def test_bounded_queue_counts_overflow() -> None:
    intake = Intake(max_queue=5, max_priority_queue=3, caps={})
    results = [intake.offer(_obs(agent=False)) for _ in range(8)]
    assert results.count(True) == 5 and intake.counters["files.dropped_queue_full"] == 3
    results = [intake.offer(_obs(agent=True)) for _ in range(4)]
    assert results.count(True) == 3 and intake.counters["files.dropped_queue_full"] == 4


def test_take_times_out_empty() -> None:
    assert Intake(1, 1, {}).take(timeout=0.01) is None
