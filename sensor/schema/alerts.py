"""Alerts: a Sigma rule (or correlation) matched."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Alert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    AlertId: str
    UtcTime: str
    Hostname: str
    rule_id: str
    title: str
    level: str = Field(description="informational | low | medium | high | critical")
    status: str | None = None
    tags: list[str] = Field(default_factory=list, description="Sigma tags, e.g. attack.t1059")
    description: str | None = None
    matched: list[str] = Field(default_factory=list, description="Names of the selections that matched")
    event: dict[str, Any] | None = Field(default=None, description="The matching event (redacted)")
    correlation_type: str | None = None
    contributing_event_ids: list[str] = Field(default_factory=list)
    group: dict[str, Any] | None = Field(default=None, description="Correlation group-by values")
