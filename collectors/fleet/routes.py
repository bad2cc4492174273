"""Adds the fleet views to a collector app: query API, alert API, web console, /metrics."""

from __future__ import annotations

from fastapi import FastAPI

from collectors import metrics
from collectors.api.routers import alerts, fleet
from collectors.console import routes as console


def include_fleet_routes(app: FastAPI) -> None:
    for router in (fleet.router, alerts.router, console.router, metrics.router):
        app.include_router(router)
    console.mount_static(app)
