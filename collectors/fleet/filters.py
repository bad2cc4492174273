"""Query parameters of the fleet and alert views, validated once (API, console and CLI share them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sensor.schema.timestamps import epoch_seconds
from sensor.schema.vocabulary import GRANTS, Level, Product

PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # no control characters (PostgreSQL refuses NUL in text)
HOST_SORTS = ("hostname", "last_seen", "installs", "max_severity", "inventory_at")
INSTALL_SORTS = ("hostname", "version", "last_seen", "first_seen", "product")
ALERT_SORTS = ("ts", "level", "hostname", "rule_id", "status")
ALERT_STATUSES = ("new", "acknowledged", "closed")


def filter_epoch(value: str | float | None) -> float | None:
    """Epoch seconds from an epoch number or an ISO 8601 time (naive = UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except ValueError:
        pass
    return epoch_seconds(value)


class PageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=10_000_000)
    exact_total: bool = Field(default=False, description="count every match even past 10,000 (a full count: "
                                                          "slower on a big fleet)")


class HostFilter(PageRequest):
    product: Product | None = None
    grant: list[str] = Field(default_factory=list, description=f"grant names: {', '.join(GRANTS)}")
    grant_mode: Literal["any", "all"] = "any"
    exposed: bool | None = None
    running: bool | None = None
    has_agent: bool | None = Field(default=None, description="true: at least one install present")
    version_min: str | None = Field(default=None, max_length=64, pattern=PRINTABLE)
    version_max: str | None = Field(default=None, max_length=64, pattern=PRINTABLE)
    owner: str | None = Field(default=None, max_length=100, pattern=PRINTABLE)
    hostname: str | None = Field(default=None, max_length=255, pattern=PRINTABLE,
                                 description="substring of the hostname")
    last_seen_after: str | None = Field(default=None, max_length=40, pattern=PRINTABLE)
    last_seen_before: str | None = Field(default=None, max_length=40, pattern=PRINTABLE)
    stale: bool | None = None
    stale_minutes: int = Field(default=15, ge=1, le=60 * 24 * 365)
    sort: str = "hostname"

    @field_validator("grant")
    @classmethod
    def _known_grants(cls, value: list[str]) -> list[str]:
        names = [part for item in value for part in item.split(",") if part]
        bad = [name for name in names if name not in GRANTS]
        if bad:
            raise ValueError(f"unknown grant(s) {bad}; known: {', '.join(GRANTS)}")
        return names

    @field_validator("sort")
    @classmethod
    def _sort(cls, value: str) -> str:
        if value.lstrip("-") not in HOST_SORTS:
            raise ValueError(f"sort by one of {', '.join(HOST_SORTS)} (prefix '-' for descending)")
        return value

    @field_validator("last_seen_after", "last_seen_before")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        filter_epoch(value)
        return value


class InstallFilter(HostFilter):
    include_removed: bool = False

    @field_validator("sort")
    @classmethod
    def _sort(cls, value: str) -> str:
        if value.lstrip("-") not in INSTALL_SORTS:
            raise ValueError(f"sort by one of {', '.join(INSTALL_SORTS)} (prefix '-' for descending)")
        return value


class AlertFilter(PageRequest):
    rule_id: str | None = Field(default=None, max_length=100, pattern=PRINTABLE)
    level: list[Level] = Field(default_factory=list)
    min_level: Level | None = None
    host: str | None = Field(default=None, max_length=255, pattern=PRINTABLE, description="host id or exact hostname")
    since: str | None = Field(default=None, max_length=40, pattern=PRINTABLE)
    until: str | None = Field(default=None, max_length=40, pattern=PRINTABLE)
    status: list[Literal["new", "acknowledged", "closed"]] = Field(default_factory=list)
    assignee: str | None = Field(default=None, max_length=100, pattern=PRINTABLE)
    sort: str = "-ts"

    @field_validator("sort")
    @classmethod
    def _sort(cls, value: str) -> str:
        if value.lstrip("-") not in ALERT_SORTS:
            raise ValueError(f"sort by one of {', '.join(ALERT_SORTS)} (prefix '-' for descending)")
        return value

    @field_validator("since", "until")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        filter_epoch(value)
        return value

