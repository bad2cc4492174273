"""One Windows event record, from event XML or from evtx_dump's JSON, as flat name -> text fields.

Both shapes carry the same facts: the provider, the event id, the time, the computer and the EventData
``<Data Name="...">`` values. Values stay text, as the event log renders them (``0x1f4`` stays hex), except the
creation time, which becomes one RFC 3339 form whatever the renderer wrote (see :func:`utc_time`). Hostile or
broken input raises :class:`RecordError`; XML with a DOCTYPE or entity declaration is refused (no expansion).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # bounded records; DTDs and entities refused before parsing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_RECORD_CHARS = 256 * 1024
_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
# Windows (EvtRender) writes 2015-09-18T22:13:54.770429700Z, evtx_dump's JSON 2015-09-18T22:13:54.770429Z,
# older evtx XML 2018-07-28 07:24:45.754787 UTC: one instant, three spellings.
_UTC_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))? ?(?:Z|UTC)")


class RecordError(ValueError):
    """Not a Windows event record this module can read (the message says why)."""


@dataclass(frozen=True)
class EventRecord:
    provider: str
    event_id: int
    time_created: str  # System/TimeCreated@SystemTime as RFC 3339 UTC with microseconds (utc_time)
    computer: str
    record_id: int | None = None
    data: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        """A data value, or None when absent, empty or the event log's placeholder ``-``."""
        value = self.data.get(name)
        if value is None:
            return None
        value = value.strip()
        return value if value and value != "-" else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise RecordError(f"unexpected value type {type(value).__name__}")


def utc_time(text: str) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` for the time spellings event renderers use (fraction cut or padded to
    microseconds, evtx_dump's precision); anything else is a :class:`RecordError`."""
    match = _UTC_TIME.fullmatch(text.strip())
    if match is None:
        raise RecordError(f"not a UTC time: {text[:40]!r}")
    date, clock, fraction = match.groups()
    return f"{date}T{clock}.{(fraction or '')[:6].ljust(6, '0')}Z"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def record_from_xml(text: str | bytes) -> EventRecord:
    """One ``<Event>`` element as the event log renders it (namespace optional, XML declaration allowed)."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > MAX_RECORD_CHARS:
        raise RecordError(f"record larger than {MAX_RECORD_CHARS} bytes")
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise RecordError("DTD or entity declaration in an event record")
    try:
        root = ET.fromstring(raw)  # noqa: S314 - DTDs refused above; records are bounded
    except ET.ParseError as exc:
        raise RecordError(f"not XML: {exc}") from None
    if _local(root.tag) != "Event":
        raise RecordError(f"root element is {_local(root.tag)!r}, not Event")
    system = root.find(f"{_NS}System")
    if system is None:
        system = root.find("System")
    if system is None:
        raise RecordError("no System element")
    fields = {_local(child.tag): child for child in system}
    provider = fields.get("Provider")
    event_id = fields.get("EventID")
    created = fields.get("TimeCreated")
    if provider is None or event_id is None or created is None:
        raise RecordError("System lacks Provider, EventID or TimeCreated")
    data: dict[str, str] = {}
    for section in root:
        if _local(section.tag) not in ("EventData", "UserData"):
            continue
        for item in section.iter():
            if _local(item.tag) == "Data" and item.get("Name"):
                data[str(item.get("Name"))] = item.text or ""
    record_id = fields.get("EventRecordID")
    return EventRecord(
        provider=provider.get("Name") or "",
        event_id=_int(event_id.text),
        time_created=utc_time(created.get("SystemTime") or ""),
        computer=(fields["Computer"].text or "") if "Computer" in fields else "",
        record_id=_int(record_id.text) if record_id is not None and record_id.text else None,
        data=data,
    )


def record_from_json(event: Mapping[str, Any]) -> EventRecord:
    """A record in evtx_dump's JSON shape: ``{"Event": {"System": {...}, "EventData": {...}}}``."""
    try:
        body = event["Event"]
        system = body["System"]
        provider = system["Provider"]["#attributes"]["Name"]
        raw_id = system["EventID"]
        created = system["TimeCreated"]["#attributes"]["SystemTime"]
    except (KeyError, TypeError) as exc:
        raise RecordError(f"not an evtx_dump JSON record: missing {exc}") from None
    if isinstance(raw_id, Mapping):
        raw_id = raw_id.get("#text")
    data: dict[str, str] = {}
    event_data = body.get("EventData")
    if isinstance(event_data, Mapping):
        for name, value in event_data.items():
            if name != "#attributes":
                data[str(name)] = _text(value)
    elif event_data is not None:
        raise RecordError("EventData is not an object")
    record_id = system.get("EventRecordID")
    return EventRecord(
        provider=_text(provider),
        event_id=_int(raw_id),
        time_created=utc_time(_text(created)),
        computer=_text(system.get("Computer")),
        record_id=_int(record_id) if record_id is not None else None,
        data=data,
    )


def _int(value: Any) -> int:
    try:
        return int(str(value).strip(), 0) if isinstance(value, str) and value.strip().startswith("0x") else int(value)
    except (TypeError, ValueError):
        raise RecordError(f"not an integer: {value!r}") from None
