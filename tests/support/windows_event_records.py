"""The recorded Windows events of tests/fixtures/windows-events, one item per event record.

sources.json lists every fixture file with its origin and layout; this module cuts the files into records:
``json-concatenated`` (evtx_dump writes one pretty-printed object per record, one after another),
``xml-lines`` (one ``<Event>`` per line, as winlogbeat's test data holds them) and ``xml-document`` (one
``<Event>``, with or without an XML declaration). Nothing is parsed by the code under test here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "windows-events"
_RECORD_ID = re.compile(r"<EventRecordID>(\d+)</EventRecordID>")


@dataclass(frozen=True)
class RecordedEvent:
    file: str  # path under FIXTURES, the key of sources.json
    index: int  # position in the file (0-based)
    shape: str  # "json" or "xml"
    record_id: int
    text: str  # the record as the file holds it (for JSON: the object re-serialized)
    source: dict[str, Any] = field(compare=False, repr=False)

    @property
    def json(self) -> dict[str, Any]:
        obj: dict[str, Any] = json.loads(self.text)
        return obj

    @property
    def from_docs(self) -> bool:
        return bool(self.source.get("from_docs"))

    @property
    def key(self) -> str:
        return f"{self.file}#{self.record_id}"


def sources() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((FIXTURES / "sources.json").read_text(encoding="utf-8"))["files"]
    return entries


def concatenated_json(text: str) -> list[dict[str, Any]]:
    decoder = json.JSONDecoder()
    out: list[dict[str, Any]] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return out
        obj, position = decoder.raw_decode(text, position)
        out.append(obj)


def _cut(entry: dict[str, Any]) -> list[RecordedEvent]:
    text = (FIXTURES / entry["file"]).read_text(encoding="utf-8")
    layout = entry["layout"]
    if layout == "json-concatenated":
        objects = concatenated_json(text)
        return [RecordedEvent(entry["file"], i, "json", int(obj["Event"]["System"]["EventRecordID"]),
                              json.dumps(obj, ensure_ascii=False), entry) for i, obj in enumerate(objects)]
    if layout == "xml-lines":
        chunks = [line for line in text.splitlines() if line.strip()]
    elif layout == "xml-document":
        chunks = [text]
    else:
        raise ValueError(f"{entry['file']}: unknown layout {layout!r}")
    out = []
    for i, chunk in enumerate(chunks):
        match = _RECORD_ID.search(chunk)
        if match is None:
            raise ValueError(f"{entry['file']}: record {i} has no EventRecordID")
        out.append(RecordedEvent(entry["file"], i, "xml", int(match.group(1)), chunk, entry))
    return out


def recorded_events() -> list[RecordedEvent]:
    """Every record of every fixture file, in sources.json order."""
    return [record for entry in sources() for record in _cut(entry)]
