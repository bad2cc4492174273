"""SigmaHQ's Windows rules run unchanged on our Events from the recorded Windows events (tests/fixtures/windows-events).

Rules: every ``process_creation`` and ``file/file_access`` rule of SigmaHQ's ``rules*/windows`` folders (not
rules-placeholder: its rules need placeholder values), read at run time from the checkout
:func:`tests.support.paths.sigmahq_root` finds (CLAWWATCH_SIGMAHQ_ROOT, ../shared/sigmahq, or the local
SigmaHQ/sigma fetch snapshot); the test skips, saying so, without one. SigmaHQ's rules are not in this repository.
Every rule runs on every event, through our engine and through pySigma's SQLite backend (the oracle); they must
agree on every (rule, event) pair, and each SigmaHQ regression event must fire the rule it is the test of.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from sensor.engine import Engine
from sensor.sources.windows_events import record_from_json, record_from_xml, to_event
from tests.support.paths import SigmaHQMissing, sigmahq_root
from tests.support.sigma_oracle import SQLiteOracle, convert, load_sigma_rules
from tests.support.windows_event_records import RecordedEvent, recorded_events

CATEGORIES = ("process_creation", "file_access")


@cache
def rule_roots() -> tuple[Path, ...]:
    try:
        root = sigmahq_root("rules*/windows")
    except SigmaHQMissing as exc:
        pytest.skip(f"SigmaHQ's Windows rules are not here: {exc}")
    windows = sorted(p for p in root.glob("rules*/windows") if p.parent.name != "rules-placeholder")
    return tuple(d for w in windows for d in (w / "process_creation", w / "file" / "file_access") if d.is_dir())


@cache
def engine() -> Engine:
    loaded = Engine.load(list(rule_roots()))
    assert not loaded.errors, [str(e) for e in loaded.errors]
    return loaded


@cache
def events() -> tuple[tuple[dict[str, Any], RecordedEvent], ...]:
    out = []
    for row in recorded_events():
        record = record_from_json(row.json) if row.shape == "json" else record_from_xml(row.text)
        event = to_event(record)
        if event is not None:
            out.append((event.to_match_dict(), row))
    return tuple(out)


def engine_matches(evs: list[dict[str, Any]]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {rule.id: set() for rule in engine().rules}
    for number, event in enumerate(evs):
        for rule_id, _ in engine().match(event):
            found[rule_id].add(number)
    return found


def oracle_matches(evs: list[dict[str, Any]]) -> dict[str, set[int]]:
    converted, failed = convert(load_sigma_rules(list(rule_roots())))
    assert not failed, failed
    found: dict[str, set[int]] = {}
    for category in CATEGORIES:  # one table per category: the engine's routing
        index = [i for i, e in enumerate(evs) if e["category"] == category]
        rules = [r for r in converted if r.rule.logsource.category == category]
        oracle = SQLiteOracle(rules)
        subset = [evs[i] for i in index]
        oracle.prepare(subset)
        oracle.insert(subset)
        for rule_id, hits in oracle.matches().items():
            found[rule_id] = {index[j] for j in hits}
    return found


def test_engine_agrees_with_pysigma_on_every_rule_and_recorded_event() -> None:
    evs = [event for event, _ in events()]
    assert {e["category"] for e in evs} == set(CATEGORIES)
    assert len(engine().rules) >= 1000  # SigmaHQ has ~1,250 such rules; fewer means the wrong folders
    ours = engine_matches(evs)
    oracle = oracle_matches(evs)
    assert set(ours) == set(oracle)
    disagreements = {rule: (ours[rule], oracle[rule]) for rule in ours if ours[rule] != oracle[rule]}
    assert not disagreements
    assert sum(1 for hits in ours.values() if hits) >= 30  # 36 at SigmaHQ 8eaafff1f284 (2026-08-05)


def test_each_regression_event_fires_the_rule_it_tests() -> None:
    evs = [event for event, _ in events()]
    ours = engine_matches(evs)
    rule_of_file = {rule.path.stem: rule.id for rule in engine().rules if rule.path is not None}
    checked = 0
    for number, (_, row) in enumerate(events()):
        rule_file = row.source.get("regression_test_of")
        if rule_file:
            assert rule_file in rule_of_file, f"{rule_file}.yml is not among the loaded rules"
            assert number in ours[rule_of_file[rule_file]], (row.key, rule_file)
            checked += 1
    assert checked == 24  # 23 SigmaHQ regression files, one of them with two events


def test_the_agent_and_download_rules_the_soc_expects_fire() -> None:
    """The clawwatch-relevant detections among them, named: npx installing agent skills, curl downloads."""
    evs = [event for event, _ in events()]
    ours = engine_matches(evs)
    titles = {rule.id: rule.title for rule in engine().rules}
    fired = {titles[rule_id] for rule_id, hits in ours.items() if hits}
    node = next(i for i, e in enumerate(evs) if str(e.get("Image", "")).endswith("node.exe"))
    assert any("Agent Skills" in titles[r] for r, hits in ours.items() if node in hits), fired
    curls = {i for i, e in enumerate(evs) if e.get("OriginalFileName") == "curl.exe"}
    assert len(curls) == 9 and all(any(i in hits for hits in ours.values()) for i in curls)
