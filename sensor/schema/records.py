"""Records: the envelope of everything the sensor spools and ships to the collector."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RecordKind(StrEnum):
    alert = "alert"
    inventory = "inventory"
    heartbeat = "heartbeat"
    health = "health"
    event = "event"


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_id: str = Field(description="Host-scoped unique id: '<host_id>:<seq>'")
    host_id: str
    seq: int = Field(ge=0, description="Monotonically increasing per host")
    kind: RecordKind
    created_at: str
    severity: int = Field(default=0, ge=0, le=4, description="0 info .. 4 critical; spool drops low first")
    body: dict[str, Any]
