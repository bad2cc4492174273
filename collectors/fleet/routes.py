"""Adds the fleet views to a collector app: query API, alert API, web console, /metrics, SIEM forwarders."""

from __future__ import annotations

from fastapi import FastAPI

from collectors import metrics
from collectors.api.routers import alerts, fleet
from collectors.console import routes as console
from collectors.forwarders import dispatch


def include_fleet_routes(app: FastAPI, forwarding: dispatch.Forwarding | None = None) -> None:
    for router in (fleet.router, alerts.router, console.router, metrics.router):
        app.include_router(router)
    console.mount_static(app)
    if forwarding is not None and dispatch.start(forwarding):
        app.router.add_event_handler("shutdown", dispatch.stop_all)
