"""One severity and evidence source: the findings catalogue serves `scan` and the rules alike.

- every rule the catalogue links to a finding has the finding's severity as its Sigma level
  (scripts/sync_findings.py writes them, and the findings table of docs/scan.md);
- on the real OpenClaw installs (fixture trees made by the real package, plus a config the real
  `openclaw config patch` wrote), a finding is reported by `scan` exactly when its linked inventory
  rule fires on the sensor's own install_added event for that install;
- every evidence key path of the catalogue occurs in a real config, and every finding of those scans
  cites one of its keys (CW-SHELL-NO-APPROVAL cites tools.exec.mode/security, not tools.exec.host;
  CW-BROWSER-EVALUATE cites browser.evaluateEnabled, not browser.enabled).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from sensor.engine import Engine
from sensor.inventory.changes import inventory_changes
from sensor.inventory.scanner import scan_host
from sensor.openclaw.findings import CATALOGUE
from sensor.schema import ScanReport
from sensor.sources.openclaw_state.source import change_fields

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "openclaw"
DETECTIONS = REPO / "detections"
SALT = b"catalogue-test-salt-0123456789ab"
# trees written by the real package (make_fixtures.py); legacy-clawdbot is hand-made and left out
REAL_TREES = ("v2026.9.6-lan-grants", "v2026.9.6-loopback", "v2026.2-json")
RISK_SETTINGS = FIXTURES / "risk-settings" / "openclaw.json"  # written by the real `config patch`

sys.path.insert(0, str(REPO / "scripts"))
import sync_findings  # noqa: E402


@cache
def rules_by_id() -> dict[str, tuple[Path, dict[str, Any]]]:
    out: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in sorted(DETECTIONS.rglob("*.yml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and "id" in doc:
                out[str(doc["id"])] = (path, doc)
    return out


def sigma_level(severity: object) -> str:
    return sync_findings.SIGMA_LEVEL.get(str(severity), str(severity))


def real_homes(tmp_path: Path) -> dict[str, Path]:
    homes = {tree: FIXTURES / tree / "home" for tree in REAL_TREES}
    home = tmp_path / "risk-settings"
    (home / ".openclaw").mkdir(parents=True)
    shutil.copyfile(RISK_SETTINGS, home / ".openclaw" / "openclaw.json")
    homes["risk-settings"] = home
    return homes


def scan(home: Path) -> ScanReport:
    return scan_host([home], include_processes=False, system_wide=False, salt=SALT)


def key_pattern(key: str) -> re.Pattern[str]:
    """A catalogue key path (``*`` = one segment) as a regex over text."""
    segments = ("[^.\\s=]+" if part == "*" else re.escape(part) for part in key.split("."))
    return re.compile(r"(?<![\w.])" + r"\.".join(segments) + r"(?![\w])")


def config_paths(value: Any, prefix: str = "") -> set[str]:
    out = {prefix} if prefix else set()
    if isinstance(value, dict):
        for name, child in value.items():
            out |= config_paths(child, f"{prefix}.{name}" if prefix else str(name))
    return out


# ---- severity ---------------------------------------------------------------------------------
def test_linked_rules_have_the_finding_severity_as_level() -> None:
    linked = [(spec, rule_id) for spec in CATALOGUE.values() for rule_id in spec.rules]
    assert len(linked) >= 12
    for spec, rule_id in linked:
        assert rule_id in rules_by_id(), (spec.id, rule_id)
        path, doc = rules_by_id()[rule_id]
        assert doc["level"] == sigma_level(spec.severity), (spec.id, path.name, doc["level"], spec.severity)
    assert sync_findings.check() == []  # the generator has nothing to rewrite
    assert sync_findings.doc_is_current(), "docs/scan.md is stale: .venv/bin/python scripts/sync_findings.py --write"


def test_the_issue_examples_agree() -> None:
    for finding_id, level in (("CW-ORIGINS-WILDCARD", "critical"), ("CW-GMAIL-HOOK", "high"),
                              ("CW-SHELL-NO-APPROVAL", "critical")):
        spec = CATALOGUE[finding_id]
        assert sigma_level(spec.severity) == level
        assert [rules_by_id()[r][1]["level"] for r in spec.rules] == [level]


def test_a_drifted_rule_level_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "detections"
    shutil.copytree(DETECTIONS, copy)
    target = copy / "exposure" / "control_ui_wildcard_origin.yml"
    target.write_text(target.read_text().replace("level: critical", "level: high"))
    monkeypatch.setattr(sync_findings, "DETECTIONS", copy)
    monkeypatch.setattr(sync_findings, "REPO", tmp_path)
    [mismatch] = sync_findings.check()
    assert (mismatch.finding_id, mismatch.level, mismatch.wanted) == ("CW-ORIGINS-WILDCARD", "high", "critical")
    sync_findings.check(write=True)
    assert "level: critical" in target.read_text() and sync_findings.check() == []


# ---- scan and rules on the real installs ---------------------------------------------------------
def test_scan_and_linked_inventory_rules_agree_on_the_real_installs(tmp_path: Path) -> None:
    pairs = {(spec.id, rule_id) for spec in CATALOGUE.values() for rule_id in spec.rules
             if rules_by_id()[rule_id][1]["logsource"].get("category") == "inventory_change"}
    engine = Engine.load(sorted({rules_by_id()[r][0] for _, r in pairs}))
    assert engine.errors == []
    both = 0
    for name, home in real_homes(tmp_path).items():
        report = scan(home)
        [install] = report.installs
        found = {f.id for f in install.findings}
        fired: set[str] = set()
        for change in inventory_changes(None, report):
            event = {"category": "inventory_change", "product": "linux", "ChangeType": change.change_type,
                     "UtcTime": "2026-11-22T10:00:00Z", "EventId": f"{name}-{change.change_type}",
                     **change_fields(change)}
            fired.update(rule_id for rule_id, _ in engine.match(event))
        for finding_id, rule_id in sorted(pairs):
            assert (finding_id in found) == (rule_id in fired), (name, finding_id, rule_id, install.config_settings)
            both += finding_id in found
    print(f"\n{both} (finding, rule) pairs present and agreeing")
    assert both >= 12  # the agreement is shown on findings that are there, not only on absent ones


# ---- evidence keys -------------------------------------------------------------------------------
def test_every_evidence_key_occurs_in_a_real_config() -> None:
    files = [FIXTURES / tree / "home" / ".openclaw" / "openclaw.json" for tree in REAL_TREES]
    configs = [json.loads(path.read_text()) for path in files]
    configs.append(json.loads(RISK_SETTINGS.read_text()))
    paths = set().union(*(config_paths(c) for c in configs))
    keys = {key for spec in CATALOGUE.values() for key in spec.evidence}
    assert len(keys) >= 15
    missing = [key for key in sorted(keys) if not any(key_pattern(key).fullmatch(p) for p in paths)]
    assert missing == []


def test_scan_cites_the_catalogue_keys_on_the_real_installs(tmp_path: Path) -> None:
    cited = 0
    for name, home in real_homes(tmp_path).items():
        for finding in scan(home).findings:
            keys = CATALOGUE[finding.id].evidence
            if keys:
                assert any(key_pattern(k).search(finding.evidence) for k in keys), (name, finding.id, finding.evidence)
                cited += 1
    assert cited >= 25
    assert {f.id for f in scan(real_homes(tmp_path / "again")["risk-settings"]).findings} >= {
        "CW-MDNS-FULL", "CW-TOOLS-HTTP-ALLOW", "CW-TAILSCALE-SERVE", "CW-AUTH-WEAK-TOKEN"}


def test_the_wrong_evidence_keys_of_the_issue_are_fixed() -> None:
    evidence = {f.id: f.evidence for f in scan(FIXTURES / "v2026.9.6-lan-grants" / "home").findings}
    assert evidence["CW-SHELL-NO-APPROVAL"] == "tools.exec.mode=full"
    assert evidence["CW-BROWSER-EVALUATE"] == "browser.evaluateEnabled=true"
    assert evidence["CW-GMAIL-HOOK"] == "hooks.gmail.account=set, hooks.presets=gmail"
    legacy = {f.id: f.evidence for f in scan(FIXTURES / "v2026.2-json" / "home").findings}
    assert legacy["CW-SHELL-NO-APPROVAL"] == "tools.exec.security=full"
    default = {f.id: f.evidence for f in scan(FIXTURES / "v2026.9.6-loopback" / "home").findings}
    assert default["CW-BROWSER-EVALUATE"] == "browser.evaluateEnabled not set (default)"
