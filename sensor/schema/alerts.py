"""Alerts: a Sigma rule (or correlation) matched.

Read leniently where a hostile or broken sensor must not cost the collector the whole alert: a level it does not
know counts as informational, a time it cannot read is None (the collector then uses the time it received it).

``event`` is the matching ``Event``: the sensor's engine stage attaches the typed event, and the collector reads a
shipped alert's event into an ``Event`` (``read_record``). A mapping that is not an event of ours (rules run on
other data: `clawwatch rules run`, rule tests) stays the plain object it was; so does, at the collector, an event
that does not read.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from sensor.schema.events import Event
from sensor.schema.timestamps import LenientTimestamp
from sensor.schema.vocabulary import Level

READ_EVENTS = "read_events"  # validation context key: read a mapping in ``event`` into an Event when it is one


def _level_or_informational(value: Any, handler: ValidatorFunctionWrapHandler) -> Level:
    try:
        level: Level = handler(value)
    except ValidationError:
        return Level.informational
    return level


def _event(value: Any, info: ValidationInfo) -> Event | dict[str, Any] | None:
    if value is None or isinstance(value, Event):
        return value
    if not isinstance(value, dict):
        raise ValueError("the event must be an object")
    if info.context and info.context.get(READ_EVENTS):
        try:
            return Event.model_validate(value)
        except ValidationError:
            pass
    return value


AlertLevel = Annotated[Level, WrapValidator(_level_or_informational)]
MatchedEvent = Annotated[Event | dict[str, Any] | None,
                         PlainValidator(_event, json_schema_input_type=Event | dict[str, Any] | None)]


class Alert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    AlertId: str
    UtcTime: LenientTimestamp
    Hostname: str
    rule_id: str
    title: str
    level: AlertLevel
    status: str | None = None
    tags: list[str] = Field(default_factory=list, description="Sigma tags, e.g. attack.t1059")
    description: str | None = None
    matched: list[str] = Field(default_factory=list, description="Names of the selections that matched")
    event: MatchedEvent = Field(default=None, description="The matching event (redacted)")
    correlation_type: str | None = None
    contributing_event_ids: list[str] = Field(default_factory=list)
    group: dict[str, Any] | None = Field(default=None, description="Correlation group-by values")
