"""Windows event records (real recordings, tests/fixtures/windows-events) become the expected ``Event``.

Also runs under the real Windows CPython in the Windows lane (tests/windows/test_unit_under_wine.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sensor.sources.windows_events import RecordError, record_from_json, record_from_xml, to_event
from sensor.sources.windows_events.access_mask import file_access, parse_mask

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "windows-events"


def recorded() -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for path in sorted((FIXTURES / "recorded").glob("*.jsonl")):
        rows += [(path.stem, json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]
    return rows


ROWS = recorded()


def event_data(row: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = row["json"]["Event"].get("EventData") or {}
    return data


def opt(value: Any) -> Any:
    """The event log's placeholders ('' and '-') mean "not known": the Event leaves the field unset."""
    return None if value in ("", "-") else value


def comparable(event: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = event.to_match_dict()
    dumped.pop("EventId")
    return dumped


def test_the_fixtures_hold_every_kind() -> None:
    kinds = {(r.provider, r.event_id) for r in (record_from_json(row["json"]) for _, row in ROWS)}
    assert kinds == {("Microsoft-Windows-Sysmon", 1), ("Microsoft-Windows-Security-Auditing", 4688),
                     ("Microsoft-Windows-Security-Auditing", 4663)}
    assert len(ROWS) >= 70


@pytest.mark.parametrize(("source", "row"), ROWS, ids=[f"{s}#{r['record_id']}" for s, r in ROWS])
def test_xml_and_json_shapes_give_the_same_event(source: str, row: dict[str, Any]) -> None:
    from_json = to_event(record_from_json(row["json"]))
    from_xml = to_event(record_from_xml(row["xml"]))
    assert (from_json is None) == (from_xml is None)
    if from_json is not None:
        assert comparable(from_json) == comparable(from_xml)


@pytest.mark.parametrize(("source", "row"), ROWS, ids=[f"{s}#{r['record_id']}" for s, r in ROWS])
def test_fields_follow_the_sysmon_taxonomy(source: str, row: dict[str, Any]) -> None:
    record = record_from_json(row["json"])
    data = event_data(row)
    event = to_event(record)
    assert record.time_created == row["json"]["Event"]["System"]["TimeCreated"]["#attributes"]["SystemTime"]
    if record.event_id == 1:
        assert event is not None and event.category == "process_creation" and event.service == "sysmon"
        assert (event.Image, event.ParentImage) == (data["Image"], opt(data["ParentImage"]))
        assert (event.ProcessId, event.ParentProcessId) == (int(data["ProcessId"]), int(data["ParentProcessId"]))
        assert event.User == opt(data.get("User")) and event.IntegrityLevel == opt(data.get("IntegrityLevel"))
        assert event.OriginalFileName == opt(data.get("OriginalFileName"))
    elif record.event_id == 4688:
        assert event is not None and event.category == "process_creation" and event.service == "security"
        assert event.Image == data["NewProcessName"]
        assert event.ProcessId == int(data["NewProcessId"], 16)
        assert event.ParentProcessId == int(data["ProcessId"], 16)
        assert event.ParentImage == opt(data.get("ParentProcessName"))
        assert event.CommandLine == (data["CommandLine"] or None) or "[REDACTED" in (event.CommandLine or "")
    else:
        if data["ObjectType"] != "File":
            assert event is None  # lsass process handles, registry keys: not a file access
            return
        assert event is not None and event.category == "file_access"
        assert event.TargetFilename == event.FileName == data["ObjectName"]
        assert event.Image == data["ProcessName"] and event.ProcessId == int(data["ProcessId"], 16)
        assert event.AccessMask == data["AccessMask"] and event.FileAccess == "open"
    if event is not None:
        assert event.product == "windows" and event.Hostname == row["json"]["Event"]["System"]["Computer"]


def test_hand_checked_events() -> None:
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))["events"]
    by_key = {(s, r["record_id"]): r for s, r in ROWS}
    assert len(expected) == 4
    for item in expected:
        row = by_key[(item["source"], item["record_id"])]
        for parse, shape in ((record_from_json, "json"), (record_from_xml, "xml")):
            event = to_event(parse(row[shape]))
            assert event is not None
            assert comparable(event) == item["event"], (item["source"], shape)


def test_command_line_secrets_are_redacted() -> None:
    row = next(r for s, r in ROWS if s == "cc0-ID4688-Scheduled_task_creation")
    data = dict(event_data(row))
    data["CommandLine"] = "curl.exe -H \"Authorization: Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789\" https://x"
    changed = json.loads(json.dumps(row["json"]))
    changed["Event"]["EventData"] = data
    event = to_event(record_from_json(changed))
    assert event is not None and event.CommandLine is not None
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in event.CommandLine


@pytest.mark.parametrize("text", [
    "", "not xml", "<Event>", "<Other/>", "<Event><System/></Event>",
    '<?xml version="1.0"?><!DOCTYPE Event [<!ENTITY x "y">]><Event><System/></Event>',
    "<Event><System><Provider Name='p'/><EventID>x</EventID><TimeCreated SystemTime='t'/></System></Event>",
    "<Event>" + "<a>" * 300 + "</a>" * 300 + "</Event>",
])
def test_broken_or_hostile_xml_is_a_clear_error(text: str) -> None:
    with pytest.raises(RecordError):
        record_from_xml(text)


@pytest.mark.parametrize("obj", [{}, {"Event": 1}, {"Event": {"System": {}}},
                                 {"Event": {"System": {"Provider": {"#attributes": {"Name": "p"}}, "EventID": "x",
                                                       "TimeCreated": {"#attributes": {"SystemTime": "t"}}}}}])
def test_broken_json_is_a_clear_error(obj: dict[str, Any]) -> None:
    with pytest.raises(RecordError):
        record_from_json(obj)


def test_unsupported_ids_give_no_event() -> None:
    _, row = ROWS[0]
    other = json.loads(json.dumps(row["json"]))
    other["Event"]["System"]["EventID"] = 4624
    assert to_event(record_from_json(other)) is None


@pytest.mark.parametrize(("mask", "access"), [("0x1", "open"), ("0x2", "modify"), ("0x6", "modify"),
                                                ("0x10000", "delete"), ("0x40000", "modify"), ("junk", "open"),
                                                (None, "open")])
def test_access_masks(mask: str | None, access: str) -> None:
    assert file_access(parse_mask(mask)) == access
