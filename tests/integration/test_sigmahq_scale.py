"""The engine over all of SigmaHQ (acceptance 1 of the engine-at-scale issue).

Needs SigmaHQ's rules*/ folders and regression_data (tests/support/sigmahq_data.py says where);
skips without them. Costs about 20 s of CPU (compiling 3,780 rules once, then a few hundred events).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sensor.engine import Engine
from sensor.engine.bundle import RuleBundle
from sensor.engine.ruleset import compile_bundle
from tests.support import sigmahq_data as data
from tests.support.sigma_oracle import SQLiteOracle, convert, load_sigma_rules

pytestmark = [
    pytest.mark.timeout(600),
    pytest.mark.skipif(
        not (data.have_all_rules() and data.REGRESSION.is_dir()),
        reason=f"SigmaHQ rules*/ and regression_data not found under {data.SIGMAHQ_ROOT} (CLAWWATCH_SIGMAHQ_ROOT)",
    ),
]


@pytest.fixture(scope="module")
def variables() -> dict[str, list[str]]:
    return data.placeholder_variables()


@pytest.fixture(scope="module")
def all_rules(variables: dict[str, list[str]]) -> Engine:
    bundle = compile_bundle(data.rule_folders(), variables)
    return Engine.from_bundle(bundle)


@pytest.fixture(scope="module")
def cases() -> list[data.RegressionCase]:
    return [c for c in data.regression_cases() if c.rule_file is not None]


def _rule_documents() -> int:
    count = 0
    for folder in data.rule_folders():
        for path in folder.rglob("*.yml"):
            count += sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("detection:"))
    return count


def test_every_sigmahq_rule_loads_and_compiles_with_placeholder_values(all_rules: Engine) -> None:
    assert [str(e) for e in all_rules.errors] == []
    assert len(all_rules.rules) == _rule_documents() >= 3780


def test_without_values_placeholder_rules_are_reported_not_crashed() -> None:
    engine = Engine.load([data.SIGMAHQ_ROOT / "rules-placeholder"])
    assert engine.errors and all("placeholder" in e.reason.lower() for e in engine.errors)


def _fired(engine: Engine, events: list[dict[str, Any]]) -> set[str]:
    return {rule_id for event in events for rule_id, _ in engine.match(event)}


def _silent(cases: list[data.RegressionCase], engine: Engine, shape: Any) -> list[str]:
    silent = []
    for case in cases:
        fired = _fired(engine, [shape(e) for e in case.events])
        silent.extend(f"{case.folder.name}: {rule_id}" for rule_id in case.rule_ids if rule_id not in fired)
    return silent


def _case_rules(cases: list[data.RegressionCase]) -> list[Path]:
    return sorted({c.rule_file for c in cases if c.rule_file is not None})


def test_every_regression_rule_fires_on_its_recorded_events(
    cases: list[data.RegressionCase], variables: dict[str, list[str]]
) -> None:
    """Flat records (as a SIEM stores them) with pySigma's sysmon + windows-logsources pipelines:
    the logsource becomes EventID/Channel conditions (registry_event -> EIDs 12/13/14)."""
    assert len(cases) >= 200
    engine = Engine.load(_case_rules(cases), pipelines=["sysmon", "windows-logsources"], variables=variables)
    assert [str(e) for e in engine.errors] == []
    assert _silent(cases, engine, data.flat_event) == []


def test_recorded_nested_events_match_through_the_evtx_json_pipeline(
    cases: list[data.RegressionCase], variables: dict[str, list[str]]
) -> None:
    """The same recordings in their nested evtx_dump shape (Event.System / Event.EventData)."""
    covered = [c for c in cases if all(data.nested_layout_covers(e) for e in c.events)]
    assert len(covered) >= 195
    engine = Engine.load(_case_rules(covered), pipelines=data.EVTX_PIPELINES, variables=variables)
    assert [str(e) for e in engine.errors] == []
    assert _silent(covered, engine, lambda e: e) == []
    flat_only = Engine.load(_case_rules(covered), variables=variables)
    assert not any(_fired(flat_only, c.events) for c in covered), "without the pipeline nested fields are not read"


def _all_events(cases: list[data.RegressionCase]) -> Iterator[dict[str, Any]]:
    for case in cases:
        for event in case.events:
            yield data.flat_event(event)


def test_unrouted_events_against_every_rule_agree_with_the_sqlite_backend(
    all_rules: Engine, cases: list[data.RegressionCase], variables: dict[str, list[str]]
) -> None:
    """Events without logsource keys reach all 3,780 rules (the case that used to crash building the
    route's prefilter); the engine's answers equal pySigma's SQLite backend's on every rule."""
    events = list(_all_events(cases))
    assert all_rules.health()["prefilter_fallbacks"] == 0
    engine_found: dict[str, set[int]] = {r.id: set() for r in all_rules.rules}
    for number, event in enumerate(events):
        for rule_id, _ in all_rules.match(event):
            engine_found[rule_id].add(number)
    assert all_rules.runtime_errors == 0
    rules = load_sigma_rules(data.rule_folders(), variables)
    converted, failed = convert(rules)
    assert len(converted) >= 3700, failed[:5]
    oracle = SQLiteOracle(converted)
    oracle.prepare(events)
    oracle.insert(events)
    expected = oracle.matches()
    differ = {
        rule_id: (sorted(engine_found.get(rule_id, set()) - hits), sorted(hits - engine_found.get(rule_id, set())))
        for rule_id, hits in expected.items()
        if engine_found.get(rule_id, set()) != hits
    }
    assert differ == {}
    assert sum(len(h) for h in expected.values()) >= 150  # the recordings hit their rules (and some others)


def test_compiled_bundle_of_every_rule_round_trips(all_rules: Engine, cases: list[data.RegressionCase]) -> None:
    bundle = compile_bundle([data.SIGMAHQ_ROOT / "rules" / "windows" / "registry"])
    again = Engine.from_bundle(RuleBundle.from_bytes(bundle.to_bytes()))
    direct = Engine.load([data.SIGMAHQ_ROOT / "rules" / "windows" / "registry"])
    events = list(_all_events(cases))
    assert [again.match(e) for e in events] == [direct.match(e) for e in events]
