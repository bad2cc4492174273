"""Differential test: the engine against pySigma's SQLite backend on an in-memory table (the oracle).

Corpora: the SigmaHQ Linux/macOS rules (``CLAWWATCH_SIGMAHQ_RULES``, default
../shared/sigmahq/rules beside the checkout), our modifier rules (tests/unit/engine/rules) and our pack (detections/).
Events are generated from each rule's own values (tests/support/sigma_eventgen.py: hits and
near-misses) and every rule of a corpus runs on every event of that corpus. The engine must agree
with the oracle on every (rule, event) pair, except documented oracle defects (``ORACLE_DEFECTS``).
The mutation tests break one modifier in the engine and require the comparison to notice.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sigma.conditions import ConditionFieldEqualsValueExpression
from sigma.rule import SigmaRule
from sigma.types import SigmaCIDRExpression

from sensor.engine import Engine, conditions
from sensor.engine.compiler import base as compiler_base
from sensor.engine.compiler import strings
from tests.support.paths import SIGMAHQ_RULES
from tests.support.sigma_eventgen import events_for_rule
from tests.support.sigma_oracle import OracleRule, SQLiteOracle, convert, load_sigma_rules

REPO = Path(__file__).resolve().parents[2]
SIGMAHQ = SIGMAHQ_RULES
MODIFIER_RULES = REPO / "tests/unit/engine/rules"
PACK = REPO / "detections"

pytestmark = pytest.mark.timeout(300)


@dataclass
class Corpus:
    paths: list[Path]
    rules: list[OracleRule]
    events: list[dict[str, Any]]
    oracle: dict[str, set[int]]


@dataclass(frozen=True)
class Disagreement:
    rule_id: str
    event: int
    engine: bool
    oracle: bool


def _cidr_fields(rule: SigmaRule) -> set[str]:
    fields: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, ConditionFieldEqualsValueExpression) and isinstance(
            node.value, SigmaCIDRExpression
        ):
            fields.add(node.field)
        for arg in getattr(node, "args", []) or []:
            walk(arg)

    for condition in rule.detection.parsed_condition:
        walk(condition.parsed)
    return fields


def _non_canonical_ip(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return str(ipaddress.ip_address(value)) != value
    except ValueError:
        return True


# Documented oracle defects (docs/writing-rules.md, "Differences from SQL backends"): each a predicate
# over (rule, event) that explains a disagreement.
ORACLE_DEFECTS: dict[str, Callable[[SigmaRule, dict[str, Any]], bool]] = {
    # pysigma-backend-sqlite expands |cidr to LIKE text prefixes: '192.168.0.' and '192.168.0.1x'
    # match '192.168.%', and IPv6 addresses only match in the spelling pySigma expands to.
    "cidr-as-text-prefix": lambda rule, event: any(
        _non_canonical_ip(event.get(f)) for f in _cidr_fields(rule)
    ),
}


def _build_corpus(paths: list[Path]) -> Corpus:
    rules = load_sigma_rules(paths)
    converted, failed = convert(rules)
    assert not failed, f"oracle cannot convert: {failed}"
    events: list[dict[str, Any]] = []
    for seed, rule in enumerate(rules):
        events.extend(events_for_rule(rule, seed))
    oracle = SQLiteOracle(converted)
    oracle.prepare(events)
    oracle.insert(events)
    return Corpus(paths, converted, events, oracle.matches())


def _engine_matches(corpus: Corpus) -> dict[str, set[int]]:
    engine = Engine.load(corpus.paths)
    assert not engine.errors, [str(e) for e in engine.errors]
    found: dict[str, set[int]] = {rule.id: set() for rule in engine.rules}
    for number, event in enumerate(corpus.events):
        for rule_id, _ in engine.match(event):
            found[rule_id].add(number)
    return found


def disagreements(corpus: Corpus) -> Iterator[tuple[Disagreement, str | None]]:
    """Every (rule, event) pair where engine and oracle differ, with the defect explaining it if any."""
    engine = _engine_matches(corpus)
    by_id = {r.id: r for r in corpus.rules}
    for rule_id, expected in corpus.oracle.items():
        got = engine.get(rule_id, set())
        for number in sorted(expected ^ got):
            rule = by_id[rule_id].rule
            event = corpus.events[number]
            reason = next((name for name, applies in ORACLE_DEFECTS.items() if applies(rule, event)), None)
            yield Disagreement(rule_id, number, number in got, number in expected), reason


CORPORA = {"sigmahq": SIGMAHQ, "modifiers": MODIFIER_RULES, "pack": PACK}
_cache: dict[str, Corpus] = {}


def corpus(name: str) -> Corpus:
    path = CORPORA[name]
    if not path.is_dir() or not any(path.rglob("*.yml")):
        if name == "sigmahq" and os.environ.get("CI") == "true":
            pytest.fail(f"SigmaHQ rules not found at {path}: set CLAWWATCH_SIGMAHQ_RULES")
        pytest.skip(f"no rules at {path} (set CLAWWATCH_SIGMAHQ_RULES for the SigmaHQ corpus)")
    if name not in _cache:
        _cache[name] = _build_corpus([path])
    return _cache[name]


@pytest.mark.parametrize("name", list(CORPORA))
def test_engine_agrees_with_sqlite_oracle(name: str) -> None:
    data = corpus(name)
    unexplained = [d for d, reason in disagreements(data) if reason is None]
    report = [
        f"{d.rule_id} event {d.event} engine={d.engine} oracle={d.oracle}: {data.events[d.event]!r}"
        for d in unexplained[:20]
    ]
    assert not unexplained, f"{len(unexplained)} disagreements:\n" + "\n".join(report)


@pytest.mark.parametrize("name", ["sigmahq", "modifiers"])
def test_generated_events_hit_nearly_every_rule(name: str) -> None:
    """The corpus exercises the rules: the oracle sees hits for every rule (generation is seeded)."""
    data = corpus(name)
    without_hits = [r.title for r in data.rules if not data.oracle[r.id]]
    assert without_hits == []
    assert sum(len(v) for v in data.oracle.values()) > len(data.rules) * 3


def _endswith_as_contains(original: Callable[[list[str]], Any]) -> Callable[[list[str]], Any]:
    def mutant(pieces: list[str]) -> Any:
        if len(pieces) == 2 and not pieces[0] and pieces[1]:
            literal = pieces[1]
            return lambda v: literal in v
        return original(pieces)

    return mutant


MUTANTS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "endswith-as-contains": lambda mp: mp.setattr(
        strings, "_star_matcher", _endswith_as_contains(strings._star_matcher)
    ),
    "case-sensitive-strings": lambda mp: mp.setattr(strings, "on_low", compiler_base.on_text),
    "not-ignored": lambda mp: mp.setattr(conditions, "negate", lambda item: item),
}


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_mutated_engine_disagrees(mutant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "sigmahq" if SIGMAHQ.is_dir() else "modifiers"
    data = corpus(name)
    MUTANTS[mutant](monkeypatch)
    unexplained = [d for d, reason in disagreements(data) if reason is None]
    assert unexplained, f"mutant {mutant} went unnoticed by the differential comparison"
