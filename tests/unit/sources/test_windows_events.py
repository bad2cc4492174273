"""Windows event records (tests/fixtures/windows-events: real recordings taken as text through the search index,
plus the Microsoft-documentation records named *.from-docs.*) become the expected ``Event``."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from sensor.sources.windows_events import RecordError, record_from_json, record_from_xml, to_event
from sensor.sources.windows_events.access_mask import file_access, parse_mask
from sensor.sources.windows_events.record import EventRecord, utc_time
from tests.support.windows_event_records import FIXTURES, RecordedEvent, recorded_events, sources

ROWS = recorded_events()
SYSMON_1 = ("Microsoft-Windows-Sysmon", 1)
SECURITY_4688 = ("Microsoft-Windows-Security-Auditing", 4688)
SECURITY_4663 = ("Microsoft-Windows-Security-Auditing", 4663)
_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"


def parse(row: RecordedEvent) -> EventRecord:
    return record_from_json(row.json) if row.shape == "json" else record_from_xml(row.text)


def event_data(row: RecordedEvent) -> dict[str, str]:
    """The EventData names and values read straight from the fixture (not through the code under test)."""
    if row.shape == "json":
        return {k: str(v) for k, v in (row.json["Event"].get("EventData") or {}).items()}
    root = ET.fromstring(row.text)
    return {d.get("Name", ""): d.text or "" for d in root.iter(f"{_NS}Data")}


def opt(value: str | None) -> str | None:
    """The event log's placeholders ('' and '-') mean "not known": the Event leaves the field unset."""
    return None if value is None or value.strip() in ("", "-") else value


def comparable(event: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = event.to_match_dict()
    dumped.pop("EventId")
    return dumped


def test_every_fixture_file_is_listed_with_its_origin_licence_and_hash() -> None:
    listed = {entry["file"]: entry for entry in sources()}
    on_disk = {p.relative_to(FIXTURES).as_posix() for d in ("index", "from-docs") for p in (FIXTURES / d).rglob("*")
               if p.is_file()}
    assert on_disk == set(listed)
    for name, entry in listed.items():
        assert entry["repo"] and entry["path"] and len(entry["commit"]) == 40 and entry["licence"], name
        assert "GPL" not in entry["licence"].upper(), name
        assert hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest() == entry["sha256"], name
        # A record typed from documentation says so in its name; a recording is kept where the index gave it.
        assert (".from-docs." in name) == bool(entry.get("from_docs")), name
        assert name.startswith("from-docs/" if entry.get("from_docs") else f"index/{entry['repo']}/"), name


def test_the_fixtures_hold_every_kind_in_both_shapes() -> None:
    origins: dict[tuple[tuple[str, int], str], set[str]] = defaultdict(set)
    for row in ROWS:
        record = parse(row)
        origins[((record.provider, record.event_id), row.shape)].add("docs" if row.from_docs else "recorded")
    # Recorded by Windows: Sysmon 1 in both shapes, Security 4688 in both shapes (one record, two renderings).
    for shape in ("json", "xml"):
        assert "recorded" in origins[(SYSMON_1, shape)] and "recorded" in origins[(SECURITY_4688, shape)]
    # No public recording of a 4663 on a file under a licence we can ship was found: the documentation's.
    assert origins[(SECURITY_4663, "xml")] == origins[(SECURITY_4663, "json")] == {"docs"}
    assert sum(1 for row in ROWS if parse(row).event_id == 1 and row.shape == "json") >= 24


def test_both_renderings_of_one_record_give_the_same_event() -> None:
    by_record: dict[tuple[str, str, int], dict[str, EventRecord]] = defaultdict(dict)
    for row in ROWS:
        record = parse(row)
        by_record[(record.provider, record.computer, row.record_id)][row.shape] = record
    pairs = [shapes for shapes in by_record.values() if len(shapes) == 2]
    assert len(pairs) == 2  # the evtx crate's 4688 (recorded) and the documented 4663
    for shapes in pairs:
        from_json, from_xml = to_event(shapes["json"]), to_event(shapes["xml"])
        assert from_json is not None and from_xml is not None
        assert comparable(from_json) == comparable(from_xml)


@pytest.mark.parametrize("row", ROWS, ids=[row.key for row in ROWS])
def test_fields_follow_the_sysmon_taxonomy(row: RecordedEvent) -> None:
    record = parse(row)
    data = event_data(row)
    event = to_event(record)
    assert record.record_id == row.record_id
    if (record.provider, record.event_id) == SYSMON_1:
        assert event is not None and event.category == "process_creation" and event.service == "sysmon"
        assert (event.Image, event.ParentImage) == (data["Image"], opt(data["ParentImage"]))
        assert (event.ProcessId, event.ParentProcessId) == (int(data["ProcessId"]), int(data["ParentProcessId"]))
        assert event.User == opt(data.get("User")) and event.IntegrityLevel == opt(data.get("IntegrityLevel"))
        assert event.OriginalFileName == opt(data.get("OriginalFileName"))
        assert event.CommandLine == opt(data["CommandLine"]) or "[REDACTED" in (event.CommandLine or "")
    elif (record.provider, record.event_id) == SECURITY_4688:
        assert event is not None and event.category == "process_creation" and event.service == "security"
        assert event.Image == data["NewProcessName"]
        assert event.ProcessId == int(data["NewProcessId"], 16)
        assert event.ParentProcessId == int(data["ProcessId"], 16)
        assert event.ParentImage == opt(data.get("ParentProcessName"))
        assert event.CommandLine == opt(data.get("CommandLine"))
    elif (record.provider, record.event_id) == SECURITY_4663:
        assert data["ObjectType"] == "File"
        assert event is not None and event.category == "file_access"
        assert event.TargetFilename == event.FileName == data["ObjectName"]
        assert event.Image == data["ProcessName"] and event.ProcessId == int(data["ProcessId"], 16)
        assert event.AccessMask == data["AccessMask"]
    else:
        assert event is None  # Sysmon 2-16 (the winlogbeat recording holds 4, 5, 16): not an event this source ships
        return
    assert event.product == "windows" and event.Hostname == record.computer
    assert event.UtcTime == record.time_created and event.UtcTime.endswith("Z")


def test_hand_checked_events() -> None:
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))["events"]
    by_key = {(row.file, row.record_id, row.shape): row for row in ROWS}
    assert {(item["file"], item["shape"]) for item in expected} >= {
        (row.file, row.shape) for row in ROWS if "event_with_eventdata" in row.file or row.from_docs}
    for item in expected:
        row = by_key[(item["file"], item["record_id"], item["shape"])]
        event = to_event(parse(row))
        assert event is not None
        assert comparable(event) == item["event"], row.key


def test_a_real_command_line_secret_never_reaches_the_event() -> None:
    """The recorded GitHub runner registration: its token is on both the command line and the parent's."""
    token = "ACJKO5TZBN2V54V7WQEQMMLJF34ZQ"
    rows = [row for row in ROWS if token in row.text]
    assert len(rows) == 1
    event = to_event(parse(rows[0]))
    assert event is not None and event.CommandLine and event.ParentCommandLine
    assert token not in json.dumps(event.to_match_dict())
    assert "--token [REDACTED" in event.CommandLine


def test_a_4663_on_anything_but_a_file_gives_no_event() -> None:
    """A test double of the one branch no fixture reaches: the documented record with its object type changed."""
    row = next(r for r in ROWS if r.from_docs and r.shape == "json" and parse(r).event_id == 4663)
    for object_type in ("Key", "Process", "Token"):
        changed = json.loads(row.text)
        changed["Event"]["EventData"]["ObjectType"] = object_type
        assert to_event(record_from_json(changed)) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("2015-09-18T22:13:54.770429700Z", "2015-09-18T22:13:54.770429Z"),  # Windows (EvtRender), 100 ns
    ("2018-07-28T07:24:45.754787Z", "2018-07-28T07:24:45.754787Z"),  # evtx_dump JSON
    ("2018-07-28 07:24:45.754787 UTC", "2018-07-28T07:24:45.754787Z"),  # evtx 0.x XML
    ("2019-03-18T16:57:39Z", "2019-03-18T16:57:39.000000Z"),
])
def test_creation_times_become_one_rfc3339_form(text: str, expected: str) -> None:
    assert utc_time(text) == expected


@pytest.mark.parametrize("text", ["", "t", "2019-03-18", "2019-03-18T16:57:39+02:00",
                                  "2019-03-18T16:57:39.1234567890Z"])
def test_other_times_are_a_clear_error(text: str) -> None:
    with pytest.raises(RecordError):
        utc_time(text)


@pytest.mark.parametrize("text", [
    "", "not xml", "<Event>", "<Other/>", "<Event><System/></Event>",
    '<?xml version="1.0"?><!DOCTYPE Event [<!ENTITY x "y">]><Event><System/></Event>',
    "<Event><System><Provider Name='p'/><EventID>x</EventID><TimeCreated SystemTime='t'/></System></Event>",
    "<Event><System><Provider Name='p'/><EventID>1</EventID><TimeCreated SystemTime='yesterday'/></System></Event>",
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


@pytest.mark.parametrize(("mask", "access"), [("0x1", "open"), ("0x2", "modify"), ("0x6", "modify"),
                                                ("0x10000", "delete"), ("0x40000", "modify"), ("junk", "open"),
                                                (None, "open")])
def test_access_masks(mask: str | None, access: str) -> None:
    assert file_access(parse_mask(mask)) == access


def test_the_recipe_checks_the_fixtures() -> None:
    """make_fixtures.py (the recipe beside the fixtures) passes on them as committed."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(Path(FIXTURES / "make_fixtures.py")), "check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "records" in result.stdout
