"""Routing metadata apart from event fields, logsource families, foreign shapes through pipelines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sensor.cli.main import main
from sensor.engine import Engine, families
from sensor.engine import engine as engine_module

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

ZEEK = """title: Kerberos RC4 ticket for a user service (zeek)
id: 0a1b2c3d-0000-4000-8000-00000000000a
logsource: {product: zeek, service: kerberos}
detection:
  selection: {request_type: TGS, cipher: rc4-hmac}
  computer_acct:
    service|startswith: '$'
  condition: selection and not computer_acct
"""
AZURE = """title: LAPS password read (azure auditlogs)
id: 0a1b2c3d-0000-4000-8000-00000000000b
logsource: {product: azure, service: auditlogs}
detection:
  selection:
    category: Device
    activityType|contains: Recover device local administrator password
    additionalDetails.additionalInfo|contains: Successfully recovered local credential
  condition: selection
"""
REGISTRY_EVENT = """title: Run key written (registry_event)
id: 0a1b2c3d-0000-4000-8000-00000000000c
logsource: {category: registry_event, product: windows}
detection:
  selection: {TargetObject|contains: '\\CurrentVersion\\Run\\'}
  condition: selection
"""
PROCESS = """title: notepad started by explorer
id: 0a1b2c3d-0000-4000-8000-00000000000d
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\\notepad.exe'
    ParentImage|endswith: '\\explorer.exe'
    OriginalFileName: NOTEPAD.EXE
    IntegrityLevel: Medium
  condition: selection
"""


def ids(engine: Engine, event: dict[str, Any], logsource: Any = None) -> list[str]:
    return [rule_id for rule_id, _ in engine.match(event, logsource)]


def test_zeek_service_data_field_is_matched_when_routing_comes_from_the_envelope() -> None:
    engine = Engine.from_yaml(ZEEK)
    envelope = {"product": "zeek", "service": "kerberos"}
    user_ticket = {"request_type": "TGS", "cipher": "rc4-hmac", "service": "cifs/fileserver"}
    machine_ticket = {**user_ticket, "service": "$DC01"}
    assert ids(engine, {"logsource": envelope, **user_ticket}) == ["0a1b2c3d-0000-4000-8000-00000000000a"]
    assert ids(engine, {"logsource": envelope, **machine_ticket}) == []
    assert ids(engine, user_ticket, envelope) == ["0a1b2c3d-0000-4000-8000-00000000000a"]
    assert ids(engine, user_ticket, ("", "zeek", "kerberos")) == ["0a1b2c3d-0000-4000-8000-00000000000a"]
    assert ids(engine, machine_ticket, envelope) == []
    assert ids(engine, {"logsource": {"product": "zeek", "service": "dns"}, **user_ticket}) == []
    # without an envelope the top-level keys route (clawwatch's own events): service 'cifs/...' is no kerberos log
    assert ids(engine, {"product": "zeek", **user_ticket}) == []


def test_azure_category_data_field_and_nested_path() -> None:
    engine = Engine.from_yaml(AZURE)
    event = {
        "logsource": {"product": "azure", "service": "auditlogs"},
        "category": "Device",
        "activityType": "Recover device local administrator password",
        "additionalDetails": [{"key": "x"}, {"additionalInfo": "Successfully recovered local credential by device id"}],
    }
    assert ids(engine, event) == ["0a1b2c3d-0000-4000-8000-00000000000b"]
    assert ids(engine, {**event, "category": "UserManagement"}) == []
    flat = {k: v for k, v in event.items() if k != "additionalDetails"}
    assert ids(engine, {**flat, "additionalDetails.additionalInfo": "Successfully recovered local credential"})


def test_keyword_text_leaves_out_only_the_routing_metadata() -> None:
    engine = Engine.from_yaml(
        "title: kw\nid: 0a1b2c3d-0000-4000-8000-00000000000e\nlogsource: {product: zeek}\n"
        "detection:\n  keywords: [kerberos]\n  condition: keywords\n"
    )
    assert ids(engine, {"logsource": {"product": "zeek", "service": "kerberos"}, "note": "x"}) == []
    assert ids(engine, {"logsource": {"product": "zeek"}, "service": "kerberos"}) != []
    assert ids(engine, {"product": "zeek", "service": "kerberos"}) == []  # top-level routing keys: metadata


def test_registry_event_rules_see_sysmon_12_13_14() -> None:
    engine = Engine.from_yaml(REGISTRY_EVENT)
    run_key = {"TargetObject": r"HKU\S-1\Software\Microsoft\Windows\CurrentVersion\Run\evil"}
    for category in ("registry_add", "registry_delete", "registry_set", "registry_rename", "registry_event"):
        assert ids(engine, {"category": category, "product": "windows", **run_key}), category
    assert ids(engine, {"category": "process_creation", "product": "windows", **run_key}) == []
    assert ids(engine, {"category": "registry_set", "product": "linux", **run_key}) == []


def test_registry_event_through_the_sysmon_pipeline_on_unrouted_events() -> None:
    engine = Engine.from_yaml(REGISTRY_EVENT, pipelines=["sysmon", "windows-logsources"])
    base = {"Channel": "Microsoft-Windows-Sysmon/Operational",
            "TargetObject": r"HKU\S-1\Software\Microsoft\Windows\CurrentVersion\Run\evil"}
    assert [eid for eid in (1, 11, 12, 13, 14, 15) if ids(engine, {**base, "EventID": eid})] == [12, 13, 14]
    assert ids(engine, {**base, "EventID": 13, "Channel": "Security"}) == []


def test_service_and_category_families() -> None:
    assert families.expand(("ps_script", "windows", None)) == (("ps_script", "windows", "powershell"),)
    assert families.expand((None, None, "sysmon")) == ((None, "windows", "sysmon"),)
    service_rule = Engine.from_yaml(
        "title: ps\nid: 0a1b2c3d-0000-4000-8000-00000000000f\nlogsource: {product: windows, service: powershell}\n"
        "detection:\n  sel: {ScriptBlockText|contains: Invoke-Mimikatz}\n  condition: sel\n"
    )
    event = {"category": "ps_script", "product": "windows", "ScriptBlockText": "Invoke-Mimikatz -DumpCreds"}
    assert ids(service_rule, event)
    assert not ids(service_rule, {**event, "category": "ps_classic_start"})


def test_logsource_families_are_those_of_the_installed_pysigma_pipelines() -> None:
    sysmon = pytest.importorskip("sigma.pipelines.sysmon.sysmon")
    windows = pytest.importorskip("sigma.pipelines.windows.windows")
    from sigma.pipelines.common import windows_logsource_mapping

    event_ids = {
        c: set(v) if isinstance(v, list) else {v} for c, v in sysmon.sysmon_generic_logsource_eventid_mapping.items()
    }
    also = {
        ("windows", c): tuple(sorted(u for u in event_ids if u != c and event_ids[c] <= event_ids[u]))
        for c in event_ids
    }
    assert families.CATEGORY_ALSO == {k: v for k, v in also.items() if v}
    services = {("windows", c): v["service"] for c, v in windows.windows_generic_category_channel_mapping.items()}
    assert families.CATEGORY_SERVICE == services
    assert families.WINDOWS_SERVICES == frozenset(windows_logsource_mapping)


def test_winlogbeat_output_matches_through_pysigmas_ecs_pipeline() -> None:
    """Winlogbeat's own output (tests/fixtures/winlogbeat/README.md) with sysmon + ecs_windows."""
    pytest.importorskip("sigma.pipelines.elasticsearch")
    event = json.loads((FIXTURES / "winlogbeat" / "sysmon-12-processcreate.evtx.golden.json").read_text())[0]
    mapped = Engine.from_yaml(PROCESS, pipelines=["sysmon", "ecs_windows"])
    assert mapped.errors == []
    assert ids(mapped, event) == ["0a1b2c3d-0000-4000-8000-00000000000d"]
    assert ids(mapped, {**event, "winlog": {**event["winlog"], "channel": "Security"}}) == []
    assert ids(Engine.from_yaml(PROCESS), event) == []  # without the pipeline: taxonomy names, no match


def test_rules_match_cli_with_pipeline_and_logsource(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sigma.pipelines.elasticsearch")
    (tmp_path / "process.yml").write_text(PROCESS)
    (tmp_path / "zeek.yml").write_text(ZEEK)
    winlogbeat = json.loads((FIXTURES / "winlogbeat" / "sysmon-12-processcreate.evtx.golden.json").read_text())[0]
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(winlogbeat) + "\n")
    argv = ["rules", "match", "--rules", str(tmp_path / "process.yml"), "--events", str(events)]
    assert main([*argv, "--pipeline", "sysmon", "--pipeline", "ecs_windows"]) == 0
    out = capsys.readouterr().out
    assert [json.loads(x)["rule"] for x in out.splitlines()] == ["0a1b2c3d-0000-4000-8000-00000000000d"]
    assert main([*argv, "--pipeline", "no-such-pipeline"]) == 2
    assert "no-such-pipeline" in capsys.readouterr().err
    zeek = tmp_path / "zeek.jsonl"
    zeek.write_text(json.dumps({"request_type": "TGS", "cipher": "rc4-hmac", "service": "cifs/x"}) + "\n")
    zargv = ["rules", "match", "--rules", str(tmp_path / "zeek.yml"), "--events", str(zeek)]
    assert main([*zargv, "--logsource", "product=zeek,service=kerberos"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert main([*zargv, "--logsource", "colour=blue"]) == 2


def test_a_route_whose_prefilter_cannot_be_built_falls_back_and_is_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine.from_yaml(REGISTRY_EVENT)

    class Broken:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("failed to compile Set")

    monkeypatch.setattr(engine_module, "Prefilter", Broken)  # the RE2-set crash of the issue, caused directly
    event = {"category": "registry_set", "product": "windows",
             "TargetObject": r"HKU\Software\Microsoft\Windows\CurrentVersion\Run\x"}
    assert ids(engine, event) == ["0a1b2c3d-0000-4000-8000-00000000000c"]
    assert ids(engine, {**event, "TargetObject": "HKLM\\other"}) == []
    assert engine.health()["prefilter_fallbacks"] == 1


def test_nested_paths_lists_and_multi_field_suffixes() -> None:
    engine = Engine.from_yaml(
        "title: n\nid: 0a1b2c3d-0000-4000-8000-000000000010\nlogsource: {product: x}\n"
        "detection:\n  sel:\n    a.b.c: hit\n    process.executable.caseless|endswith: '\\cmd.exe'\n  condition: sel\n"
    )
    good = {"a": {"b": [{"c": "miss"}, {"c": "HIT"}]}, "process": {"executable": "C:\\Windows\\cmd.exe"}}
    assert ids(engine, good)
    assert ids(engine, {"a.b": {"c": "hit"}, "process.executable": "x\\cmd.exe"})
    assert not ids(engine, {**good, "a": {"b": "hit"}})
    assert not ids(engine, {**good, "process": {"executable": {"caseless": "nope"}}})
