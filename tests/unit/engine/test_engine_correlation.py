"""Correlation rules: each type, expiring windows, separating group-by keys, bounded memory."""

from __future__ import annotations

from typing import Any

import pytest

from sensor.engine import Engine
from sensor.engine.correlation import base as correlation_base

BASE = """title: failed login
id: 11111111-1111-4111-8111-111111111111
name: failed
logsource: {category: process_creation, product: linux}
detection:
  sel:
    CommandLine|contains: 'auth failed'
  condition: sel
---
title: success login
id: 22222222-2222-4222-8222-222222222222
name: success
logsource: {category: process_creation, product: linux}
detection:
  sel:
    CommandLine|contains: 'auth ok'
  condition: sel
---
"""

EVENT_COUNT = (
    BASE
    + """title: brute force
id: 33333333-3333-4333-8333-333333333333
level: high
correlation:
  type: event_count
  rules: [failed]
  group-by: [User]
  timespan: 5m
  condition: {gte: 3}
"""
)


def event(n: int, seconds: int, cmd: str, user: str = "bob", **extra: Any) -> dict[str, Any]:
    minutes, secs = divmod(seconds, 60)
    return {
        "EventId": f"e{n}",
        "UtcTime": f"2026-11-22T10:{minutes:02d}:{secs:02d}Z",
        "category": "process_creation",
        "product": "linux",
        "CommandLine": cmd,
        "User": user,
        **extra,
    }


def correlation_alerts(engine: Engine, events: list[dict[str, Any]]) -> list[Any]:
    out = []
    for e in events:
        out.extend(a for a in engine.process(e) if a.correlation_type)
    return out


def test_event_count_fires_with_contributing_ids_and_group() -> None:
    engine = Engine.from_yaml(EVENT_COUNT)
    assert engine.errors == []
    alerts = correlation_alerts(engine, [event(i, i * 10, "auth failed") for i in range(3)])
    (alert,) = alerts
    assert alert.rule_id == "33333333-3333-4333-8333-333333333333" and alert.level == "high"
    assert alert.correlation_type == "event_count"
    assert alert.contributing_event_ids == ["e0", "e1", "e2"]
    assert alert.group == {"User": "bob"}


def test_referenced_rule_alone_does_not_alert_unless_generate() -> None:
    engine = Engine.from_yaml(EVENT_COUNT)
    assert engine.process(event(0, 0, "auth failed")) == []
    generated = Engine.from_yaml(EVENT_COUNT.replace("  type: event_count", "  type: event_count\n  generate: true"))
    (alert,) = generated.process(event(0, 0, "auth failed"))
    assert alert.rule_id == "11111111-1111-4111-8111-111111111111"


def test_event_count_window_expires() -> None:
    engine = Engine.from_yaml(EVENT_COUNT)
    events = [event(0, 0, "auth failed"), event(1, 200, "auth failed"), event(2, 301, "auth failed")]
    assert correlation_alerts(engine, events) == []  # e0 left the 5 minute window before e2
    assert len(correlation_alerts(engine, [event(3, 400, "auth failed")])) == 1  # e1, e2, e3


def test_event_count_group_by_separates_keys() -> None:
    engine = Engine.from_yaml(EVENT_COUNT)
    events = [event(i, i, "auth failed", user="bob" if i % 2 else "eve") for i in range(5)]
    (alert,) = correlation_alerts(engine, events)
    assert alert.group == {"User": "eve"} and alert.contributing_event_ids == ["e0", "e2", "e4"]


def test_event_count_group_restarts_after_firing() -> None:
    engine = Engine.from_yaml(EVENT_COUNT)
    alerts = correlation_alerts(engine, [event(i, i, "auth failed") for i in range(7)])
    assert [a.contributing_event_ids for a in alerts] == [["e0", "e1", "e2"], ["e3", "e4", "e5"]]


VALUE_COUNT = (
    BASE
    + """title: many users
id: 44444444-4444-4444-8444-444444444444
correlation:
  type: value_count
  rules: [failed]
  group-by: [Hostname]
  timespan: 1m
  condition: {gte: 3, field: User}
"""
)


def test_value_count_counts_distinct_values_in_window() -> None:
    engine = Engine.from_yaml(VALUE_COUNT)
    assert engine.errors == []
    same_user = [event(i, i, "auth failed", user="bob", Hostname="h1") for i in range(5)]
    assert correlation_alerts(engine, same_user) == []
    spread = [
        event(10, 10, "auth failed", user="amy", Hostname="h1"),
        event(11, 11, "auth failed", user="cat", Hostname="h2"),  # other group
        event(12, 100, "auth failed", user="dan", Hostname="h1"),  # bob@4s and amy@10s expired
        event(13, 101, "auth failed", user="eve", Hostname="h1"),
        event(14, 102, "auth failed", user="fay", Hostname="h1"),
    ]
    (alert,) = correlation_alerts(engine, spread)
    assert alert.group == {"Hostname": "h1"} and alert.contributing_event_ids == ["e12", "e13", "e14"]


TEMPORAL = (
    BASE
    + """title: failed then ok
id: 55555555-5555-4555-8555-555555555555
correlation:
  type: {kind}
  rules: [failed, success]
  group-by: [User]
  timespan: 30s
"""
)


@pytest.mark.parametrize("kind", ["temporal", "temporal_ordered"])
def test_temporal_types_fire_within_window(kind: str) -> None:
    engine = Engine.from_yaml(TEMPORAL.replace("{kind}", kind))
    assert engine.errors == []
    (alert,) = correlation_alerts(engine, [event(0, 0, "auth failed"), event(1, 20, "auth ok")])
    assert alert.correlation_type == kind and alert.contributing_event_ids == ["e0", "e1"]
    assert alert.matched == ["failed", "success"]


@pytest.mark.parametrize("kind", ["temporal", "temporal_ordered"])
def test_temporal_types_expire_and_separate_groups(kind: str) -> None:
    engine = Engine.from_yaml(TEMPORAL.replace("{kind}", kind))
    assert correlation_alerts(engine, [event(0, 0, "auth failed"), event(1, 31, "auth ok")]) == []
    assert correlation_alerts(engine, [event(2, 40, "auth failed", user="a"), event(3, 41, "auth ok", user="b")]) == []


def test_temporal_ignores_order_but_temporal_ordered_does_not() -> None:
    reversed_events = [event(0, 0, "auth ok"), event(1, 5, "auth failed")]
    assert len(correlation_alerts(Engine.from_yaml(TEMPORAL.replace("{kind}", "temporal")), reversed_events)) == 1
    assert correlation_alerts(Engine.from_yaml(TEMPORAL.replace("{kind}", "temporal_ordered")), reversed_events) == []


def test_temporal_ordered_uses_latest_start() -> None:
    engine = Engine.from_yaml(TEMPORAL.replace("{kind}", "temporal_ordered"))
    events = [event(0, 0, "auth failed"), event(1, 25, "auth failed"), event(2, 50, "auth ok")]
    (alert,) = correlation_alerts(engine, events)  # e0 expired, e1 still opens the chain
    assert alert.contributing_event_ids == ["e1", "e2"]


def test_aliases_map_group_by_per_rule() -> None:
    text = (
        BASE
        + """title: aliased
id: 66666666-6666-4666-8666-666666666666
correlation:
  type: temporal
  rules: [failed, success]
  group-by: [account]
  timespan: 1m
  aliases:
    account:
      failed: User
      success: TargetUser
"""
    )
    engine = Engine.from_yaml(text)
    assert engine.errors == []
    events = [event(0, 0, "auth failed", user="bob"), event(1, 1, "auth ok", user="x", TargetUser="bob")]
    (alert,) = correlation_alerts(engine, events)
    assert alert.group == {"account": "bob"}


def test_memory_is_bounded_by_group_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(correlation_base, "MAX_GROUPS", 100)
    engine = Engine.from_yaml(EVENT_COUNT)
    for i in range(1000):
        engine.process(event(i, 0, "auth failed", user=f"user{i}"))
    (correlator,) = engine.correlations
    assert len(correlator.groups) == 100 and correlator.evicted_groups == 900
    health = engine.health()
    assert health["correlation_groups"] == 100 and health["correlation_groups_evicted"] == 900


def test_idle_groups_expire() -> None:
    engine = Engine.from_yaml(EVENT_COUNT)
    for i in range(50):
        engine.process(event(i, i, "auth failed", user=f"user{i}"))
    engine.process(event(99, 3000, "auth failed", user="late"))
    (correlator,) = engine.correlations
    assert list(correlator.groups) == [("late",)]


def test_unsupported_correlation_conditions_are_load_errors() -> None:
    engine = Engine.from_yaml(EVENT_COUNT.replace("{gte: 3}", "{lt: 3}"))
    (error,) = engine.errors
    assert "brute force" in str(error) and "lt" in error.reason
