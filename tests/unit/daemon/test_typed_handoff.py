"""The daemon's typed hand-off to the rule stage: the engine matches the Event's field view, alerts carry the Event."""

from __future__ import annotations

from datetime import UTC, datetime

from sensor.daemon.engine_stage import alerts_for
from sensor.engine import Engine
from sensor.schema.events import Event, EventCategory
from sensor.schema.records import AlertRecord
from sensor.schema.timestamps import format_utc

RULE = """
title: shell from the agent
id: 0b4b0c5e-6a55-4e5e-9d1c-1f1f1f1f1f1f
level: high
logsource: {category: process_creation, product: linux}
detection:
  sel:
    Image|endswith: /bash
    AgentProduct: openclaw
  condition: sel
"""


def _event(image: str) -> Event:
    return Event(EventId="e1", UtcTime=datetime(2026, 11, 22, 4, 10, tzinfo=UTC), Hostname="lap",
                 category=EventCategory.process_creation, product="linux", Image=image, AgentProduct="openclaw")


def test_alerts_carry_the_typed_event_they_matched() -> None:
    stage = Engine.from_yaml(RULE)
    event = _event("/usr/bin/bash")
    (alert,) = alerts_for(stage, event)
    assert alert.event is event
    assert alert.UtcTime is not None and format_utc(alert.UtcTime) == event.UtcTime and alert.Hostname == "lap"
    record = AlertRecord.of(alert)
    assert record.severity == 3
    assert record.body_json()["event"]["UtcTime"] == "2026-11-22T04:10:00.000000Z"
    assert alerts_for(stage, _event("/usr/bin/ls")) == []
