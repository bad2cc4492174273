"""``rules test``: run each rule file's own example events (``<stem>.tests.yml``).

Where the tests live: with ``tests_root`` (``rules test PATH --tests DIR``), in a tree that mirrors
PATH, the way SigmaHQ keeps its regression data apart from its rules (``DIR/<area>/<stem>.tests.yml``
for ``PATH/<area>/<stem>.yml``), so sigma-cli can read PATH as a plain rule folder; tests files in DIR
without a rule in PATH are reported. Without it, beside the rule (``PATH/<area>/<stem>.tests.yml``).

Format (docs/writing-rules.md)::

    cases:
      - name: gateway start, retitled process      # required
        expect: match                               # match | nomatch
        rule: <rule id>                             # optional, default: see below
        provenance: recorded                        # recorded | handmade
        note: "..."                                 # optional
        events:                                     # fed in order to a fresh engine
          - {category: process_creation, product: linux, Image: ..., UtcTime: "2026-11-22T10:00:00Z"}

Without ``rule`` the case applies to every non-derived rule of the file: its correlation rules if it
has any, else all its detection rules. ``match`` = each such rule fires at least once over the events
(a detection rule used only by a correlation counts as firing when it matches); ``nomatch`` = none
fires.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sensor.engine.engine import Engine
from sensor.engine.sources import MAX_RULE_FILE_BYTES, TESTS_SUFFIX, rule_files

EXPECT = ("match", "nomatch")
PROVENANCE = ("recorded", "handmade")


@dataclass
class CaseResult:
    rule_file: Path
    name: str
    passed: bool
    detail: str = ""


@dataclass
class TestReport:
    results: list[CaseResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # missing tests files, bad files, load errors

    @property
    def ok(self) -> bool:
        return not self.problems and all(r.passed for r in self.results)


def tests_file_for(rule_file: Path, root: Path | None = None, tests_root: Path | None = None) -> Path:
    """The tests file of ``rule_file``: beside it, or at its place under ``root`` mirrored in ``tests_root``."""
    name = rule_file.name
    stem = name[: -len(rule_file.suffix)] if rule_file.suffix else name
    beside = rule_file.with_name(stem + TESTS_SUFFIX)
    if tests_root is None or root is None:
        return beside
    relative = beside.relative_to(root) if root.is_dir() else Path(beside.name)
    return tests_root / relative


def _is_pipeline(path: Path) -> bool:
    try:
        first = next(iter(yaml.safe_load_all(path.read_text(encoding="utf-8"))), None)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(first, dict) and "transformations" in first


def _cases(tests_path: Path) -> Iterator[dict[str, Any] | str]:
    """Each valid case as a dict, or a string describing what is wrong."""
    try:
        if tests_path.stat().st_size > 16 * MAX_RULE_FILE_BYTES:
            yield f"{tests_path}: file too large"
            return
        data = yaml.safe_load(tests_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        yield f"{tests_path}: cannot read tests file: {exc}"
        return
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list) or not cases:
        yield f"{tests_path}: needs a non-empty 'cases' list"
        return
    for i, case in enumerate(cases):
        where = f"{tests_path}: case {i + 1}"
        if not isinstance(case, dict) or not isinstance(case.get("name"), str) or not case["name"]:
            yield f"{where}: needs a 'name'"
        elif case.get("expect") not in EXPECT:
            yield f"{where} ({case['name']}): 'expect' must be one of {', '.join(EXPECT)}"
        elif case.get("provenance") not in PROVENANCE:
            yield f"{where} ({case['name']}): 'provenance' must be one of {', '.join(PROVENANCE)}"
        elif not isinstance(case.get("events"), list) or not case["events"]:
            yield f"{where} ({case['name']}): needs a non-empty 'events' list"
        elif not all(isinstance(e, dict) for e in case["events"]):
            yield f"{where} ({case['name']}): every event must be a mapping"
        else:
            yield case


def _targets(engine: Engine) -> list[str]:
    if engine.correlations:
        return [c.spec.id for c in engine.correlations]
    return [r.id for r in engine.rules]


def run_case(rule_file: Path, case: dict[str, Any]) -> CaseResult:
    engine = Engine.load([rule_file])
    name = str(case["name"])
    if engine.errors:
        return CaseResult(rule_file, name, False, "; ".join(str(e) for e in engine.errors))
    known = {r.id for r in engine.rules} | {c.spec.id for c in engine.correlations}
    wanted = [str(case["rule"])] if case.get("rule") is not None else _targets(engine)
    unknown = [w for w in wanted if w not in known]
    if unknown:
        return CaseResult(rule_file, name, False, f"no rule with id {', '.join(unknown)} in the file")
    fired: set[str] = set()
    for event in case["events"]:
        fired.update(rule_id for rule_id, _ in engine.match(event))
        fired.update(alert.rule_id for alert in engine.process(event))
    if case["expect"] == "match":
        missing = [w for w in wanted if w not in fired]
        return CaseResult(rule_file, name, not missing, f"did not fire: {', '.join(missing)}" if missing else "")
    unexpected = [w for w in wanted if w in fired]
    return CaseResult(rule_file, name, not unexpected, f"fired: {', '.join(unexpected)}" if unexpected else "")


def run_tests(paths: Sequence[Path], tests_root: Path | None = None) -> TestReport:
    """Every case of every rule file under ``paths`` (tests beside the rules, or mirrored in ``tests_root``).

    ``tests_root`` mirrors one rules path, so it takes exactly one (ValueError otherwise)."""
    if tests_root is not None and len(paths) != 1:
        raise ValueError("a tests tree mirrors one rules path: give one PATH with --tests")
    report = TestReport()
    for root in paths:
        used: set[Path] = set()
        for rule_file in rule_files([root]):
            if _is_pipeline(rule_file):
                continue
            tests_path = tests_file_for(rule_file, root, tests_root)
            used.add(tests_path)
            if not tests_path.is_file():
                shown = tests_path if tests_root is not None else tests_path.name
                report.problems.append(f"{rule_file}: no tests file ({shown})")
                continue
            for case in _cases(tests_path):
                if isinstance(case, str):
                    report.problems.append(case)
                else:
                    report.results.append(run_case(rule_file, case))
        if tests_root is not None and root.is_dir():
            orphans = _orphans(tests_root, used)
            report.problems.extend(f"{orphan}: tests file without a rule in {root}" for orphan in orphans)
    return report


def _orphans(tests_root: Path, used: set[Path]) -> list[Path]:
    if not tests_root.is_dir():
        return []
    return sorted(p for p in tests_root.rglob("*" + TESTS_SUFFIX) if p not in used and not p.is_symlink())
