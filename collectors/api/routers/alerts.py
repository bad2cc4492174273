"""Alert queue API (analyst or admin): list with filters, one alert (also as ECS or OCSF), triage, export."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from collectors import metrics
from collectors.api.auth import Principal, require
from collectors.api.deps import StoreDep
from collectors.api.errors import ApiError
from collectors.api.routers.fleet import ExportFormat, export_matches
from collectors.exports.ecs import alert_to_ecs
from collectors.exports.ocsf import alert_to_ocsf
from collectors.fleet import queries
from collectors.fleet.filters import AlertFilter
from collectors.fleet.models import AlertDetail, AlertPage, page_fields
from collectors.fleet.triage import TriageError, TriageRequest, triage
from collectors.store import tables
from collectors.store.credentials import Role
from sensor.schema.alerts import Alert
from sensor.schema.wire import ErrorCode, ErrorResponse

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])
_ERR: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (401, 403, 404, 422)}
Analyst = Annotated[Principal, Depends(require(Role.analyst))]
RecordId = Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9._-]+:[0-9]+$")]


def author_of(conn: Any, principal: Principal) -> str:
    label = conn.execute(select(tables.tokens.c.label)
                         .where(tables.tokens.c.token_id == principal.token_id)).scalar()
    return f"{label} ({principal.role.value} {principal.token_id})" if label else \
        f"{principal.role.value} {principal.token_id}"


@router.get("", response_model=AlertPage, responses=_ERR, summary="Alerts, filtered, sorted and paged")
def list_alerts(store: StoreDep, _p: Analyst, filt: Annotated[AlertFilter, Query()]) -> AlertPage:
    with metrics.QUERY_SECONDS.labels("alerts").time(), store.engine.connect() as conn:
        page = queries.list_alerts(conn, filt)
    return AlertPage(**page_fields(page, filt))


@router.get(".{fmt}", responses=_ERR, summary="Every alert matching the filters, as CSV or JSON")
def export_alerts(store: StoreDep, _p: Analyst, fmt: ExportFormat,
                  filt: Annotated[AlertFilter, Query()]) -> StreamingResponse:
    return export_matches(store, queries.list_alerts, filt, columns=queries.ALERT_COLUMNS, fmt=fmt, name="alerts")


@router.get("/{record_id}", responses={200: {"model": AlertDetail}, **_ERR},
            summary="One alert with its triage log; format=ecs|ocsf returns the SIEM document instead")
def show_alert(store: StoreDep, _p: Analyst, record_id: RecordId,
               format: Literal["detail", "ecs", "ocsf"] = "detail") -> Any:
    with store.engine.connect() as conn:
        alert = queries.get_alert(conn, record_id)
    if alert is None:
        raise ApiError(404, ErrorCode.not_found, "no alert with this record id")
    if format == "ecs":
        return alert_to_ecs(Alert.model_validate(alert["alert"]))
    if format == "ocsf":
        return alert_to_ocsf(Alert.model_validate(alert["alert"]))
    return AlertDetail(**alert)


@router.post("/{record_id}/triage", response_model=AlertDetail, responses=_ERR,
             summary="Acknowledge, assign, close, reopen or annotate an alert")
def triage_alert(store: StoreDep, principal: Analyst, record_id: RecordId,
                 req: TriageRequest) -> AlertDetail:
    with store.engine.begin() as conn:
        try:
            found = triage(conn, record_id, req, author_of(conn, principal))
        except TriageError as exc:
            raise ApiError(422, ErrorCode.invalid_body, str(exc)) from None
        if not found:
            raise ApiError(404, ErrorCode.not_found, "no alert with this record id")
        alert = queries.get_alert(conn, record_id)
    assert alert is not None
    return AlertDetail(**alert)
