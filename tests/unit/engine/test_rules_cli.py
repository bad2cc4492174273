"""`clawwatch rules check|test|match` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sensor.cli.main import main

RULE = """title: Gateway start
id: 9a1b2c3d-0000-4000-8000-000000000001
status: test
level: medium
logsource: {category: process_creation, product: linux}
detection:
  sel_exec:
    CommandLine|contains|all: ['openclaw', 'gateway']
  sel_title:
    Image|endswith: '/openclaw-gateway'
  condition: 1 of sel_*
"""

TESTS = """cases:
  - name: exec form
    expect: match
    provenance: handmade
    events:
      - category: process_creation
        product: linux
        CommandLine: "node /x/openclaw.mjs gateway"
        UtcTime: "2026-11-22T10:00:00Z"
  - name: npm is not a gateway
    expect: nomatch
    provenance: handmade
    events:
      - {category: process_creation, product: linux, CommandLine: "npm install openclaw"}
"""


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    (tmp_path / "gateway_start.yml").write_text(RULE)
    (tmp_path / "gateway_start.tests.yml").write_text(TESTS)
    return tmp_path


def test_check_ok_and_errors(rules_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", str(rules_dir)]) == 0
    assert "1 rules loaded, 0 errors" in capsys.readouterr().out
    (rules_dir / "bad.yml").write_text(RULE.replace("endswith", "endswit").replace("0001", "0002"))
    assert main(["rules", "check", str(rules_dir)]) == 1
    err = capsys.readouterr().err
    assert "bad.yml" in err and "Gateway start" in err and "endswit" in err


def test_check_reports_validator_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sloppy.yml").write_text(RULE.replace("id: 9a1b2c3d-0000-4000-8000-000000000001\n", ""))
    assert main(["rules", "check", str(tmp_path)]) == 0
    assert "IdentifierExistenceIssue" in capsys.readouterr().err
    assert main(["rules", "check", "--strict", str(tmp_path)]) == 1


def test_test_passes_and_fails(rules_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "test", str(rules_dir)]) == 0
    assert "2 cases, 0 failed, 0 errors" in capsys.readouterr().out
    (rules_dir / "gateway_start.tests.yml").write_text(TESTS.replace("expect: nomatch", "expect: match"))
    assert main(["rules", "test", str(rules_dir)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "npm is not a gateway" in out and "did not fire" in out


def test_test_requires_a_tests_file_and_valid_cases(rules_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (rules_dir / "other.yml").write_text(RULE.replace("0001", "0003"))
    assert main(["rules", "test", str(rules_dir)]) == 1
    assert "no tests file (other.tests.yml)" in capsys.readouterr().out
    (rules_dir / "other.tests.yml").write_text("cases:\n  - name: x\n    expect: maybe\n    events: [{}]\n")
    assert main(["rules", "test", str(rules_dir / "other.yml")]) == 1
    assert "'expect' must be one of" in capsys.readouterr().out


def test_test_reads_a_mirrored_tests_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rules in rules/<area>/, their cases in tests/<area>/ (SigmaHQ keeps tests apart from rules)."""
    (tmp_path / "rules" / "gateway").mkdir(parents=True)
    (tmp_path / "tests" / "gateway").mkdir(parents=True)
    (tmp_path / "rules" / "gateway" / "gateway_start.yml").write_text(RULE)
    (tmp_path / "tests" / "gateway" / "gateway_start.tests.yml").write_text(TESTS)
    rules, tests = tmp_path / "rules", tmp_path / "tests"
    assert main(["rules", "test", str(rules), "--tests", str(tests)]) == 0
    assert "2 cases, 0 failed, 0 errors" in capsys.readouterr().out
    # a sub-folder with its mirror, and a single file with the folder holding its tests
    assert main(["rules", "test", str(rules / "gateway"), "--tests", str(tests / "gateway")]) == 0
    assert main(["rules", "test", str(rules / "gateway" / "gateway_start.yml"), "--tests", str(tests / "gateway")]) == 0
    capsys.readouterr()
    # without --tests the cases are looked for beside the rule
    assert main(["rules", "test", str(rules)]) == 1
    assert "no tests file (gateway_start.tests.yml)" in capsys.readouterr().out
    # a tests file whose rule is gone is reported
    (tests / "gateway" / "removed.tests.yml").write_text(TESTS)
    assert main(["rules", "test", str(rules), "--tests", str(tests)]) == 1
    assert "removed.tests.yml: tests file without a rule" in capsys.readouterr().out
    # one tests tree mirrors one rules path
    assert main(["rules", "test", str(rules), str(rules), "--tests", str(tests)]) == 2
    assert "give one PATH with --tests" in capsys.readouterr().err


def test_match_prints_one_line_per_match(rules_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        "\n".join(
            [
                json.dumps({"CommandLine": "openclaw gateway"}),  # no logsource: every rule
                json.dumps({"category": "network_connection", "product": "linux", "CommandLine": "openclaw gateway"}),
                "not json",
                json.dumps({"category": "process_creation", "product": "linux", "Image": "/usr/bin/openclaw-gateway"}),
            ]
        )
    )
    assert main(["rules", "match", "--rules", str(rules_dir), "--events", str(events)]) == 0
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    expected = {"rule": "9a1b2c3d-0000-4000-8000-000000000001", "title": "Gateway start", "level": "medium"}
    assert lines == [{"event": 0, **expected}, {"event": 3, **expected}]
    assert "line 2: not JSON" in captured.err


def test_match_reports_uncompilable_rules(rules_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (rules_dir / "bad.yml").write_text(
        RULE.replace("CommandLine|contains|all", "CommandLine|re")
        .replace("0001", "0004")
        .replace("['openclaw', 'gateway']", "'(?=x)'")
    )
    events = tmp_path / "e.jsonl"
    events.write_text(json.dumps({"Image": "/openclaw-gateway"}) + "\n")
    assert main(["rules", "match", "--rules", str(rules_dir), "--events", str(events)]) == 1
    captured = capsys.readouterr()
    assert "bad.yml" in captured.err and "(?=x)" in captured.err
    assert len(captured.out.splitlines()) == 1


def test_match_with_jobs_prints_what_one_job_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks matched in two worker processes, correlations fed in input order by the parent."""
    from sensor.engine import batch
    from tests.benchmarks.bench_engine import realistic_events

    monkeypatch.setattr(batch, "BLOCK_BYTES", 4096)  # many blocks
    events = tmp_path / "events.jsonl"
    lines = [json.dumps(e) for e in realistic_events(4000, seed=3)]
    lines.insert(17, "{broken")
    events.write_text("\n".join(lines) + "\n")
    pack = str(Path(__file__).resolve().parents[3] / "detections")
    argv = ["rules", "match", "--rules", pack, "--events", str(events)]
    assert main(argv) == 0
    one = capsys.readouterr()
    assert main([*argv, "--jobs", "2"]) == 0
    two = capsys.readouterr()
    assert one.out == two.out
    assert one.err == two.err and "line 17: not JSON" in one.err
    rules = [json.loads(line)["rule"] for line in one.out.splitlines()]
    assert len(rules) > 100
    correlations = {"cc8c805e-c2c8-47b6-ace5-0d6064f7b49d", "7b81541c-a3fb-47da-b2b9-643ad5a8465e"}
    assert correlations & set(rules), "the events fire a correlation"
