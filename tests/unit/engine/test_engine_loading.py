"""Loading: SigmaHQ rules compile; malformed rules give errors naming file and rule; no regex hangs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sensor.engine import Engine
from tests.support.paths import SIGMAHQ_RULES

SIGMAHQ = SIGMAHQ_RULES

RULE = """title: {title}
id: {id}
logsource: {{category: process_creation, product: linux}}
detection:
  sel:
    {item}
  condition: {condition}
"""


def write_rule(tmp_path: Path, name: str, item: str, condition: str = "sel", title: str = "t") -> Path:
    path = tmp_path / name
    path.write_text(RULE.format(title=title, id="5d0c9c6f-8f4b-4a2b-9d2b-1f3f0e0b7a11", item=item, condition=condition))
    return path


def test_all_sigmahq_linux_and_macos_rules_compile() -> None:
    if not SIGMAHQ.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"SigmaHQ rules not found at {SIGMAHQ}: set CLAWWATCH_SIGMAHQ_RULES")
        pytest.skip(f"SigmaHQ rules not found at {SIGMAHQ}")
    engine = Engine.load([SIGMAHQ])
    assert [str(e) for e in engine.errors] == []
    assert len(engine.rules) == len(list(SIGMAHQ.rglob("*.yml"))) == 279


def test_bad_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("title: x\ndetection: [unclosed\n")
    engine = Engine.load([tmp_path])
    assert len(engine.errors) == 1
    assert engine.errors[0].path == path
    assert "invalid YAML" in str(engine.errors[0]) and "broken.yml" in str(engine.errors[0])


def test_unknown_modifier_names_file_rule_and_modifier(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "unknown.yml", "Image|endswit: /node", title="Typo rule")
    engine = Engine.load([path])
    (error,) = engine.errors
    text = str(error)
    assert "unknown.yml" in text and "Typo rule" in text and "endswit" in text
    assert error.rule_id == "5d0c9c6f-8f4b-4a2b-9d2b-1f3f0e0b7a11"
    assert engine.rules == []


@pytest.mark.parametrize(
    ("pattern", "why"),
    [("'(?<=a)b'", "lookbehind"), ("'(a)\\1'", "backreference"), ("'(unclosed'", "missing )")],
)
def test_regex_rejected_by_re2_is_a_load_error(tmp_path: Path, pattern: str, why: str) -> None:
    path = write_rule(tmp_path, "regex.yml", f"CommandLine|re: {pattern}", title="Regex rule")
    engine = Engine.load([path])
    (error,) = engine.errors
    assert "regex.yml" in str(error) and "Regex rule" in str(error), why
    assert "invalid" in error.reason.lower() or "re2" in error.reason.lower()


def test_catastrophic_regex_runs_in_linear_time(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "redos.yml", "CommandLine|re: '^(a+)+$'")
    engine = Engine.load([path])
    assert engine.errors == []
    hostile = {"CommandLine": "a" * 200_000 + "!"}  # exponential for a backtracking engine
    assert engine.match(hostile) == []
    assert engine.match({"CommandLine": "a" * 200_000}) != []


def test_wildcard_patterns_cannot_backtrack(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "glob.yml", "CommandLine: '*a*a*a*a*a*a*a*a*b?'")
    engine = Engine.load([path])
    assert engine.match({"CommandLine": "a" * 100_000}) == []


def test_undefined_detection_in_condition(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "dangling.yml", "Image: /x", condition="sel and nothere", title="Dangling")
    engine = Engine.load([path])
    (error,) = engine.errors
    assert "Dangling" in str(error) and "nothere" in str(error)


def test_unresolved_expand_placeholder_fails_unless_variables_given(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "expand.yml", "User|expand: '%admins%'", title="Expand")
    engine = Engine.load([path])
    (error,) = engine.errors
    assert "admins" in str(error) and "Expand" in str(error)
    engine = Engine.load([path], variables={"admins": ["root", "toor"]})
    assert engine.errors == []
    assert engine.match({"User": "TOOR"}) != []
    assert engine.match({"User": "bob"}) == []


def test_one_bad_rule_does_not_stop_the_others(tmp_path: Path) -> None:
    write_rule(tmp_path, "a_bad.yml", "Image|nosuch: x")
    good = tmp_path / "b_good.yml"
    good.write_text(
        RULE.format(title="good", id="6d0c9c6f-8f4b-4a2b-9d2b-1f3f0e0b7a11", item="Image: /x", condition="sel")
    )
    engine = Engine.load([tmp_path])
    assert len(engine.errors) == 1 and len(engine.rules) == 1


def test_symlinks_and_huge_files_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    write_rule(outside, "secret.yml", "Image: /x")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "link.yml").symlink_to(outside / "secret.yml")
    (rules / "linkdir").symlink_to(outside)
    (rules / "huge.yml").write_text("title: x\n" + "#" * (2 << 20))
    engine = Engine.load([rules])
    assert engine.rules == []
    assert len(engine.errors) == 1 and "larger than" in engine.errors[0].reason


def test_tests_files_and_pipelines_are_not_rules(tmp_path: Path) -> None:
    (tmp_path / "x.tests.yml").write_text("cases: []\n")
    (tmp_path / "pipeline.yml").write_text("name: p\ntransformations: []\n")
    engine = Engine.load([tmp_path])
    assert engine.errors == [] and engine.rules == []


def test_metadata_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "meta.yml"
    path.write_text(
        "title: Meta\nid: 7d0c9c6f-8f4b-4a2b-9d2b-1f3f0e0b7a11\nstatus: test\nlevel: high\n"
        "tags: [attack.execution, attack.t1059]\n"
        "logsource: {category: process_creation, product: linux}\n"
        "detection:\n  sel:\n    Image|endswith: /node\n  condition: sel\n"
    )
    (rule,) = Engine.load([path]).rules
    assert (rule.id, rule.title, rule.level, rule.status) == (
        "7d0c9c6f-8f4b-4a2b-9d2b-1f3f0e0b7a11",
        "Meta",
        "high",
        "test",
    )
    assert rule.tags == ["attack.execution", "attack.t1059"]
    assert rule.logsource == ("process_creation", "linux", None)
