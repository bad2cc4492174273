"""SigmaHQ's Windows rules run unchanged on our Events from real recorded Windows events.

Rules: tests/fixtures/windows-events/sigmahq-rules (the 70 SigmaHQ process_creation / file_access rules that fire
on any recorded event; README there), or every Windows rule of ../shared/sigmahq/rules when shared/ has them.
Every rule runs on every event, through our engine and through pySigma's SQLite backend (the oracle); they must
agree on every (rule, event) pair, and each SigmaHQ regression event must fire the rule it is the test of.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sensor.engine import Engine
from sensor.sources.windows_events import record_from_json, record_from_xml, to_event
from tests.support.paths import SIGMAHQ_RULES
from tests.support.sigma_oracle import SQLiteOracle, convert, load_sigma_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "windows-events"
VENDORED = FIXTURES / "sigmahq-rules"
SHARED_WINDOWS = [SIGMAHQ_RULES / "windows" / "process_creation", SIGMAHQ_RULES / "windows" / "file" / "file_access"]


def rule_roots() -> list[Path]:
    shared = [p for p in SHARED_WINDOWS if p.is_dir()]
    return shared or [VENDORED]


def events() -> tuple[list[dict[str, Any]], list[str]]:
    out: list[dict[str, Any]] = []
    sources: list[str] = []
    for path in sorted((FIXTURES / "recorded").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for record in (record_from_json(row["json"]), record_from_xml(row["xml"])):
                event = to_event(record)
                if event is not None:
                    out.append(event.to_match_dict())
                    sources.append(path.stem)
    return out, sources


def engine_matches(engine: Engine, evs: list[dict[str, Any]]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {rule.id: set() for rule in engine.rules}
    for number, event in enumerate(evs):
        for rule_id, _ in engine.match(event):
            found[rule_id].add(number)
    return found


def oracle_matches(evs: list[dict[str, Any]]) -> dict[str, set[int]]:
    converted, failed = convert(load_sigma_rules(rule_roots()))
    assert not failed, failed
    found: dict[str, set[int]] = {}
    for category in ("process_creation", "file_access"):  # one table per category: the engine's routing
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
    evs, _ = events()
    engine = Engine.load(rule_roots())
    assert not engine.errors, [str(e) for e in engine.errors]
    assert len(engine.rules) >= 70
    ours = engine_matches(engine, evs)
    oracle = oracle_matches(evs)
    assert set(ours) == set(oracle)
    disagreements = {rule: (ours[rule], oracle[rule]) for rule in ours if ours[rule] != oracle[rule]}
    assert not disagreements
    assert sum(1 for hits in ours.values() if hits) >= 70


def test_each_regression_event_fires_the_rule_it_tests() -> None:
    evs, sources = events()
    manifest = json.loads((FIXTURES / "sources.json").read_text(encoding="utf-8"))
    ours = engine_matches(Engine.load(rule_roots()), evs)
    checked = 0
    for number, source in enumerate(sources):
        rule_id = manifest[source].get("regression_test_of")
        if rule_id:
            assert number in ours[rule_id], (source, manifest[source]["rule_title"])
            checked += 1
    assert checked == 80  # 40 Sysmon events, each in both shapes


def test_credential_file_reads_and_schtasks_fire_the_rules_the_soc_expects() -> None:
    evs, sources = events()
    ours = engine_matches(Engine.load(rule_roots()), evs)
    browser_reads = {i for i, s in enumerate(sources) if s == "gpl-CA_chrome_firefox_opera_4663"}
    assert len(browser_reads) == 8  # 4 records x 2 shapes
    chrome = {i for i in browser_reads if "\\Google\\Chrome\\" in evs[i]["FileName"]}
    # "Suspicious File Access to Browser Credential Storage" fires on the stealer's read of Chrome's Login Data;
    # SigmaHQ's browser list has no Opera and no '\Mozilla\Firefox' path (SeaMonkey only): those reads fire nothing.
    assert len(chrome) == 2
    assert ours["a1dfd976-4852-41d4-9507-dc6590a3ccd0"] & browser_reads == chrome
    schtasks = {i for i, s in enumerate(sources) if s == "cc0-ID4688-Scheduled_task_creation"}
    # Scheduled Task Creation Via Schtasks.EXE
    assert schtasks and schtasks <= ours["92626ddd-662c-49e3-ac59-f6535f12d189"]
