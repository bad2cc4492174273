"""Rows and response models of the fleet and alert views (the OpenAPI document is generated from these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field

from collectors.fleet.filters import PageRequest
from collectors.fleet.grants import from_bits

R = TypeVar("R")


@dataclass
class Page(Generic[R]):
    """One page of a list, with how many rows match in all (a lower bound when ``total_exact`` is False)."""
    rows: list[R]
    total: int
    total_exact: bool


class PageInfo(BaseModel):
    total: int = Field(description="Matching rows, counted exactly up to 10,000 (or past the requested page) "
                                   "unless exact_total=true")
    total_exact: bool = Field(default=True, description="false: the count stopped; more than `total` match")
    limit: int
    offset: int


def page_fields(page: Page, filt: PageRequest) -> dict[str, Any]:
    """The paging fields of a list response: a ``Page`` and the request it answers."""
    return {"total": page.total, "total_exact": page.total_exact, "limit": filt.limit, "offset": filt.offset,
            "items": page.rows}


def _comma_list(value: Any) -> Any:
    """The stored form of a list column (``a,b``) as a list; a list stays as it is."""
    return [item for item in value.split(",") if item] if isinstance(value, str) else value


def _grant_names(value: Any) -> Any:
    """The stored form of grants (a bit mask, ``collectors/fleet/grants.py``) as names; names stay as they are."""
    return from_bits(int(value)) if isinstance(value, int) else value


CommaList = Annotated[list[str], BeforeValidator(_comma_list)]
GrantNames = Annotated[list[str], BeforeValidator(_grant_names)]


class HostRow(BaseModel):
    """One host of the fleet list: its latest inventory rolled up. The one description of the row: the API's
    schema, the export's columns (``HOST_COLUMNS``) and, through ``read``, how it is read from its stored form
    (a ``cw_fleet_hosts`` row joined to ``cw_hosts.last_seen``, collectors/store/tables.py)."""

    host_id: str
    hostname: str
    os: str
    installs: int = Field(description="OpenClaw installs present in the latest snapshot")
    products: CommaList
    versions: CommaList
    owners: CommaList
    running: bool
    exposed: bool = Field(description="Any install listens on a non-loopback address")
    grants: GrantNames = Field(validation_alias=AliasChoices("grants", "grant_bits"))
    max_severity: int = Field(description="Highest finding severity, 0 info .. 4 critical")
    findings: int
    last_seen: float | None = Field(description="Epoch seconds of the last request from the host's sensor")
    inventory_at: float
    stale: bool

    @classmethod
    def read(cls, stored: Any, stale_before: float) -> dict[str, Any]:
        """The row as the fleet views hand it on (a plain dict of these fields), from a stored row
        (``cw_fleet_hosts`` columns and ``last_seen``); stale: not heard from since ``stale_before`` (epoch
        seconds), or never."""
        last_seen = stored.last_seen
        stale = last_seen is None or last_seen < stale_before
        return cls.model_validate({**stored._mapping, "stale": stale}).model_dump()


HOST_COLUMNS: tuple[str, ...] = tuple(HostRow.model_fields)


class HostPage(PageInfo):
    items: list[HostRow]


class FleetCounts(BaseModel):
    enrolled: int = Field(description="Hosts enrolled with the collector")
    with_agent: int = Field(description="Hosts whose latest inventory has at least one OpenClaw install")
    exposed: int = Field(description="... of which an install listens on a non-loopback address")
    running: int
    with_shell: int
    with_gmail: int
    with_slack: int
    stale: int = Field(description="Enrolled hosts not heard from in stale_minutes (including any that never "
                                   "sent an inventory)")


class InstallRow(BaseModel):
    host_id: str
    hostname: str
    install_id: str
    product: str
    variant: str
    version: str | None
    owner: str | None
    state_dir: str
    layout: str
    running: bool
    exposed: bool
    grants: list[str]
    listeners: list[dict[str, Any]]
    exposure: dict[str, Any]
    credential_kinds: list[str]
    finding_ids: list[str]
    first_seen: float
    last_seen: float
    removed_at: float | None


class InstallPage(PageInfo):
    items: list[InstallRow]


class HostDetail(BaseModel):
    host_id: str
    hostname: str
    sensor_version: str
    enrolled_at: float
    last_seen: float | None
    stale: bool
    delivery: dict[str, int]
    inventory: HostRow | None
    installs: list[InstallRow]
    alerts: dict[str, int] = Field(description="Alert counts by triage status")


class TimelineEntry(BaseModel):
    time: float
    type: str = Field(description="inventory | alert | health")
    what: str
    install_id: str | None = None
    record_id: str | None = None
    detail: Any = None


class AlertRow(BaseModel):
    record_id: str
    host_id: str
    hostname: str
    alert_id: str
    rule_id: str
    title: str
    level: str
    time: float
    status: str
    assignee: str | None
    updated_at: float


class AlertPage(PageInfo):
    items: list[AlertRow]


class TriageEntry(BaseModel):
    at: float
    author: str
    action: str
    text: str


class AlertDetail(AlertRow):
    alert: dict[str, Any] = Field(description="The alert as the sensor sent it")
    triage: list[TriageEntry]
