"""SigmaHQ's repository beyond the Linux/macOS rules: every ``rules*`` folder and ``regression_data``
(real EVTX recordings converted to JSON by SigmaHQ, one folder per rule, with an ``info.yml``).

Where: ``CLAWWATCH_SIGMAHQ_ROOT`` (a checkout of SigmaHQ/sigma, or the same folders copied), default
``../shared/sigmahq`` beside the checkout. The data is not in this repository (SigmaHQ's Detection
Rule License; see docs/writing-rules.md "SigmaHQ coverage"): tests that need it skip without it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.support.paths import REPO

SIGMAHQ_ROOT = Path(os.environ.get("CLAWWATCH_SIGMAHQ_ROOT", str(REPO.parent / "shared" / "sigmahq")))
REGRESSION = SIGMAHQ_ROOT / "regression_data"
PLACEHOLDER = re.compile(r"%([A-Za-z0-9_.-]+)%")
# The pipelines that give rules the shape of SigmaHQ's recorded events (evtx_dump JSON).
EVTX_PIPELINES = ["sysmon", "windows-logsources", "evtx-json"]


def rule_folders() -> list[Path]:
    return sorted(p for p in SIGMAHQ_ROOT.glob("rules*") if p.is_dir())


def have_all_rules() -> bool:
    names = {p.name for p in rule_folders()}
    return {"rules", "rules-emerging-threats", "rules-placeholder", "rules-threat-hunting"} <= names and (
        SIGMAHQ_ROOT / "rules" / "windows"
    ).is_dir()


def placeholder_variables() -> dict[str, list[str]]:
    """A value for every ``%name%`` placeholder used in the rules (as `rules check --var` would get)."""
    names: set[str] = set()
    for folder in rule_folders():
        for path in folder.rglob("*.yml"):
            text = path.read_text(encoding="utf-8")
            if "|expand" in text:
                names.update(PLACEHOLDER.findall(text))
    return {name: [f"value-of-{name}"] for name in sorted(names)}


def read_concatenated_json(path: Path) -> list[dict[str, Any]]:
    """evtx_dump writes one pretty-printed object per event, one after the other."""
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    out: list[dict[str, Any]] = []
    index = 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            return out
        obj, index = decoder.raw_decode(text, index)
        out.append(obj)


@dataclass
class RegressionCase:
    folder: Path
    rule_ids: list[str]
    rule_file: Path | None
    events: list[dict[str, Any]]


def rule_files_by_id() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in rule_folders():
        for path in folder.rglob("*.yml"):
            for match in re.finditer(r"^id: *([0-9a-fA-F-]{36})\s*$", path.read_text(encoding="utf-8"), re.M):
                found.setdefault(match.group(1), path)
    return found


def regression_cases() -> Iterator[RegressionCase]:
    """Every recorded case with JSON events (one is a Cisco syslog text file: no JSON, left out)."""
    by_id = rule_files_by_id()
    for info_path in sorted(REGRESSION.rglob("info.yml")):
        info = yaml.safe_load(info_path.read_text(encoding="utf-8"))
        ids = [str(m["id"]) for m in info.get("rule_metadata", [])]
        events: list[dict[str, Any]] = []
        for json_path in sorted(info_path.parent.glob("*.json")):
            events.extend(read_concatenated_json(json_path))
        if events:
            yield RegressionCase(info_path.parent, ids, by_id.get(ids[0]) if ids else None, events)


def nested_layout_covers(event: dict[str, Any]) -> bool:
    """The shipped evtx-json pipeline reads Event.EventData fields by their rule names: not
    UserData elements, not names with spaces."""
    data = event.get("Event", {}).get("EventData")
    return isinstance(data, dict) and not any(" " in key for key in data)


SYSTEM_FIELDS = {"EventID", "Channel", "Computer", "Level", "Task", "Opcode", "Keywords", "Version", "EventRecordID"}


def flat_event(event: dict[str, Any]) -> dict[str, Any]:
    """An evtx_dump event as one flat record, the way a SIEM or Zircolite stores it: System fields
    plus the EventData (or UserData element) fields, names without spaces (Defender's XML says
    ``Threat Name``, SigmaHQ's rules ``ThreatName``)."""
    root = event.get("Event", {})
    system = root.get("System", {})
    flat: dict[str, Any] = {k: system[k] for k in SYSTEM_FIELDS if k in system and not isinstance(system[k], dict)}
    provider = system.get("Provider", {}).get("#attributes", {})
    if "Name" in provider:
        flat["Provider_Name"] = provider["Name"]
    data = root.get("EventData")
    if data is None and isinstance(root.get("UserData"), dict):
        data = next(iter(root["UserData"].values()), None)
    if isinstance(data, dict):
        for key, value in data.items():
            if not key.startswith("#") and not isinstance(value, dict):
                flat[key.replace(" ", "")] = value
    return flat
