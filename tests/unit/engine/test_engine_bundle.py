"""Compiled rule bundles: built by `rules compile`, shipped for the pack, loaded without pySigma."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sensor.cli.main import main
from sensor.engine import Engine
from sensor.engine.bundle import SHIPPED, BundleError, RuleBundle
from sensor.engine.ruleset import compile_bundle, load_rules
from sensor.engine.sources import source_hash

REPO = Path(__file__).resolve().parents[3]
PACK = REPO / "detections"


def test_shipped_bundle_is_current_for_the_pack() -> None:
    """Fails when detections/ changed without rebuilding the bundle (`clawwatch rules compile ...`)."""
    bundle = RuleBundle.read(SHIPPED)
    assert bundle.source_hash == source_hash([PACK]), "run: clawwatch rules compile detections -o " + str(
        SHIPPED.relative_to(REPO)
    )
    assert bundle.errors == []
    loaded = load_rules([PACK])
    assert loaded.bundle_file == SHIPPED


def test_bundle_engine_matches_like_the_yaml_engine() -> None:
    from tests.benchmarks.bench_engine import realistic_events

    from_bundle = Engine.from_bundle(RuleBundle.read(SHIPPED))
    from_yaml = Engine.load([PACK])
    assert [r.id for r in from_bundle.rules] == [r.id for r in from_yaml.rules]
    assert len(from_bundle.correlations) == len(from_yaml.correlations) == 2
    events = realistic_events(3000, seed=11)
    assert [from_bundle.match(e) for e in events] == [from_yaml.match(e) for e in events]
    fired = [[a.rule_id for a in from_bundle.process(e)] for e in events]
    assert fired == [[a.rule_id for a in from_yaml.process(e)] for e in events]
    assert any(fired)


def test_changed_rules_are_compiled_instead(tmp_path: Path) -> None:
    rules = tmp_path / "detections"
    shutil.copytree(PACK, rules)
    assert load_rules([rules]).bundle_file == SHIPPED  # same files, another place: same hash
    victim = next(p for p in sorted(rules.rglob("*.yml")) if not p.name.endswith(".tests.yml"))
    victim.write_text(victim.read_text() + "\n# edited\n")
    loaded = load_rules([rules])
    assert loaded.bundle_file is None
    assert loaded.bundle.source_hash == source_hash([rules]) != RuleBundle.read(SHIPPED).source_hash
    assert len(loaded.engine.rules) == len(load_rules([PACK]).engine.rules)
    assert source_hash([rules], {"x": ["1"]}) != source_hash([rules])
    assert source_hash([rules], pipelines=["sysmon"]) != source_hash([rules])


def test_loading_a_bundle_imports_neither_pysigma_nor_yaml() -> None:
    code = (
        "import sys\nfrom pathlib import Path\nfrom sensor.engine.ruleset import load_rules\n"
        f"loaded = load_rules([Path({str(PACK)!r})])\n"
        "assert loaded.bundle_file is not None\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sigma', 'yaml', 'pyparsing')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not json", "not JSON"),
        (b'{"magic": "other"}', "not a clawwatch rule bundle"),
        (b'{"magic": "clawwatch-rule-bundle", "format": 999}', "format"),
        (b'{"magic": "clawwatch-rule-bundle", "format": 1, "source_hash": "x", "rules": [{"id": 1}],'
         b' "correlations": [], "errors": []}', "malformed"),
    ],
)
def test_bad_bundles_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(BundleError, match=reason):
        RuleBundle.from_bytes(data)


def test_a_bundle_with_a_broken_rule_reports_it_and_keeps_the_others() -> None:
    bundle = RuleBundle.read(SHIPPED)
    bundle.rules[0] = {**bundle.rules[0], "condition": ["bogus"]}
    engine = Engine.from_bundle(bundle)
    assert len(engine.errors) == 1 and len(engine.rules) == len(bundle.rules) - 1


def test_rules_compile_and_match_with_the_bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pack.bundle.json"
    assert main(["rules", "compile", str(PACK), "-o", str(out)]) == 0
    assert "0 errors" in capsys.readouterr().out
    assert RuleBundle.read(out).source_hash == compile_bundle([PACK]).source_hash
    events = tmp_path / "e.jsonl"
    events.write_text(json.dumps({"category": "process_creation", "product": "linux", "Image": "/usr/bin/node",
                                  "CommandLine": "openclaw-gateway"}) + "\n")
    assert main(["rules", "match", "--bundle", str(out), "--events", str(events)]) == 0
    by_bundle = capsys.readouterr().out
    assert main(["rules", "match", "--rules", str(PACK), "--events", str(events)]) == 0
    assert by_bundle == capsys.readouterr().out != ""
