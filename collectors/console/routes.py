"""Console pages: login, fleet inventory (counts, filters, paged table), host detail, alert queue, triage."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from collectors import metrics
from collectors.api.deps import StoreDep
from collectors.console.forms import read_form
from collectors.console.session import (
    ConsoleUser,
    LoginRequired,
    check_token,
    current_user,
    sign_in,
    sign_out,
    to_login,
)
from collectors.fleet import queries
from collectors.fleet.filters import PRINTABLE, AlertFilter, HostFilter
from collectors.fleet.models import Page
from collectors.fleet.triage import TriageError, TriageRequest, triage
from collectors.store import Store
from sensor.schema.vocabulary import GRANTS, Level, Product

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(prefix="/console", include_in_schema=False)
User = Annotated[ConsoleUser, Depends(current_user)]
PAGE_SIZE = 50
PRINTABLE_RE = re.compile(PRINTABLE)
SEVERITY_NAMES = tuple(level.value for level in Level)  # by rank: a host's max_severity indexes it


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "never"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


templates.env.filters["when"] = _when
templates.env.globals["SEVERITY_NAMES"] = SEVERITY_NAMES
templates.env.globals["PRODUCTS"] = tuple(product.value for product in Product)


def mount_static(app: FastAPI) -> None:
    app.mount("/console/static", StaticFiles(directory=str(HERE / "static")), name="console_static")

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _exc: Exception) -> Response:
        return to_login(request)


def _params(request: Request, multi: tuple[str, ...]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key in request.query_params:
        if key in multi:
            values = [v for v in request.query_params.getlist(key) if v]
            if values:
                params[key] = values
        elif request.query_params[key] != "":
            params[key] = request.query_params[key]
    return params


def _total_text(page: Page[Any]) -> str:
    return f"{page.total:,}" if page.total_exact else f"{page.total:,}+"


def _page_links(request: Request, offset: int, page: Page[Any]) -> dict[str, str | None]:
    def link(new_offset: int) -> str:
        items = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
        items.append(("offset", str(new_offset)))
        return "?" + urlencode(items)

    return {
        "prev": link(max(0, offset - PAGE_SIZE)) if offset > 0 else None,
        "next": link(offset + PAGE_SIZE) if offset + PAGE_SIZE < page.total or not page.total_exact else None,
    }


def _printable(value: str) -> bool:
    return PRINTABLE_RE.fullmatch(value) is not None


def _missing(request: Request, user: ConsoleUser, what: str) -> Response:
    return templates.TemplateResponse(request, "missing.html", {"user": user, "what": what}, status_code=404)


@router.get("/login", response_class=HTMLResponse, name="console_login")
def login_form(request: Request) -> Response:
    return templates.TemplateResponse(request, "login.html", {"error": None})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, store: StoreDep) -> Response:
    form = await read_form(request)
    token = form.get("token", "")[:200]
    user = await run_in_threadpool(check_token, store, token.strip())
    if user is None:
        return templates.TemplateResponse(
            request, "login.html", {"error": "This token is not a valid analyst or admin token."},
            status_code=401,
        )
    response = RedirectResponse(str(request.url_for("console_fleet")), status_code=303)
    sign_in(response, token.strip(), secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    response = to_login(request)
    sign_out(response)
    return response


@router.get("/", response_class=HTMLResponse, name="console_fleet")
def fleet_page(request: Request, store: StoreDep, user: User) -> Response:
    params = _params(request, ("grant",))
    params.setdefault("sort", "hostname")
    error = None
    try:
        filt = HostFilter(**{**params, "limit": PAGE_SIZE})
    except ValidationError as exc:
        error = "; ".join(str(err["msg"]) for err in exc.errors())
        filt = HostFilter(limit=PAGE_SIZE)
    with metrics.QUERY_SECONDS.labels("console_fleet").time(), store.engine.connect() as conn:
        counts = queries.fleet_counts(conn, filt.stale_minutes)
        page = queries.list_hosts(conn, filt)
    return templates.TemplateResponse(request, "fleet.html", {
        "user": user, "counts": counts, "rows": page.rows, "total": page.total, "total_text": _total_text(page),
        "filt": filt,
        "grants": GRANTS, "error": error, "pages": _page_links(request, filt.offset, page),
    })


@router.get("/hosts/{host_id}", response_class=HTMLResponse, name="console_host")
def host_page(request: Request, store: StoreDep, user: User, host_id: str) -> Response:
    if not _printable(host_id):
        return _missing(request, user, "host")
    with store.engine.connect() as conn:
        resolved = queries.resolve_host(conn, host_id[:255])
        detail = queries.host_detail(conn, resolved) if resolved else None
        timeline = queries.host_timeline(conn, resolved, 200) if resolved else []
        alerts = queries.list_alerts(conn, AlertFilter(host=resolved, limit=100)).rows if resolved else []
    if detail is None:
        return _missing(request, user, "host")
    return templates.TemplateResponse(request, "host.html", {
        "user": user, "host": detail, "timeline": timeline, "alerts": alerts,
    })


@router.get("/alerts", response_class=HTMLResponse, name="console_alerts")
def alerts_page(request: Request, store: StoreDep, user: User) -> Response:
    params = _params(request, ("status", "level"))
    if "status" not in params and "all" not in request.query_params:
        params["status"] = ["new", "acknowledged"]
    params.pop("all", None)
    error = None
    try:
        filt = AlertFilter(**{**params, "limit": PAGE_SIZE})
    except ValidationError as exc:
        error = "; ".join(str(err["msg"]) for err in exc.errors())
        filt = AlertFilter(limit=PAGE_SIZE)
    with metrics.QUERY_SECONDS.labels("console_alerts").time(), store.engine.connect() as conn:
        page = queries.list_alerts(conn, filt)
    return templates.TemplateResponse(request, "alerts.html", {
        "user": user, "rows": page.rows, "total": page.total, "total_text": _total_text(page), "filt": filt,
        "error": error, "pages": _page_links(request, filt.offset, page),
    })


@router.get("/alerts/{record_id}", response_class=HTMLResponse, name="console_alert")
def alert_page(request: Request, store: StoreDep, user: User, record_id: str) -> Response:
    if not _printable(record_id):
        return _missing(request, user, "alert")
    with store.engine.connect() as conn:
        alert = queries.get_alert(conn, record_id[:100])
    if alert is None:
        return _missing(request, user, "alert")
    return templates.TemplateResponse(request, "alert.html", {"user": user, "alert": alert, "error": None})


@router.post("/alerts/{record_id}/triage", name="console_triage")
async def triage_form(request: Request, store: StoreDep, user: User, record_id: str) -> Response:
    if not _printable(record_id):
        return _missing(request, user, "alert")
    form = await read_form(request)
    return await run_in_threadpool(
        _triage, request, store, user, record_id, form.get("action", "")[:16], form.get("assignee", "")[:100],
        form.get("note", "")[:4000], form.get("back", "")[:2000],
    )


def _triage(  # noqa: PLR0917
    request: Request, store: Store, user: ConsoleUser, record_id: str, action: str, assignee: str, note: str, back: str
) -> Response:
    author = f"{user.label} ({user.role.value} {user.token_id})" if user.label else \
        f"{user.role.value} {user.token_id}"
    try:
        req = TriageRequest(action=action, assignee=assignee or None, note=note)  # type: ignore[arg-type]
        with store.engine.begin() as conn:
            found = triage(conn, record_id[:100], req, author)
    except (ValidationError, TriageError) as exc:
        with store.engine.connect() as conn:
            alert = queries.get_alert(conn, record_id[:100])
        if alert is None:
            return _missing(request, user, "alert")
        return templates.TemplateResponse(request, "alert.html", {"user": user, "alert": alert,
                                                                  "error": str(exc)}, status_code=422)
    if not found:
        return _missing(request, user, "alert")
    target = back if back.startswith("/console/") and "//" not in back else \
        str(request.url_for("console_alert", record_id=record_id))
    return RedirectResponse(target, status_code=303)
