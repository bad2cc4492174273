"""The collector's FastAPI application, assembled in one place from a store and settings (no globals).

Every router (sensor API, fleet and alert queries, console, /metrics), the console's static files, the error
handlers and the SIEM forwarders' lifetime are wired here and nowhere else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from collectors.api import errors
from collectors.api.routers import admin, alerts, delivery, enroll, fleet, health, ingest, metrics
from collectors.api.settings import CollectorSettings
from collectors.console import routes as console
from collectors.forwarders.relay import Forwarding, OutboxRelay
from collectors.ingest.rate_limit import RateLimiter
from collectors.store import Store
from sensor.schema.version import __version__
from sensor.schema.wire import ErrorCode, IngestBatch


async def _database_unavailable(_request: Request, _exc: Exception) -> JSONResponse:
    return errors.error_response(503, ErrorCode.unavailable, "the database is unavailable; retry later",
                                 {"Retry-After": "5"})


def _openapi_with_raw_bodies(app: FastAPI) -> Any:
    """Ingest reads its body itself (gzip, size limits); publish the model it validates against."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = original()
        schema = IngestBatch.model_json_schema(ref_template="#/components/schemas/{model}")
        components = doc.setdefault("components", {}).setdefault("schemas", {})
        components.update(schema.pop("$defs", {}))
        components["IngestBatch"] = schema
        app.openapi_schema = doc
        return doc

    return openapi


def create_app(store: Store, settings: CollectorSettings | None = None,
               forwarding: Forwarding | None = None) -> FastAPI:
    """The app; ``forwarding`` (built from ``serve --forwarders``) runs the SIEM forwarders while it serves."""
    settings = settings or CollectorSettings()
    relay = OutboxRelay(store, forwarding) if forwarding is not None else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if relay is not None:
            relay.start()
        try:
            yield
        finally:
            if relay is not None:
                relay.stop()

    app = FastAPI(
        title="clawwatch collector",
        version=__version__,
        description="Enrollment, ingest and delivery status for clawwatch sensors.",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.relay = relay  # ingest queues alerts for it and wakes it after each commit
    app.state.settings = settings
    app.state.host_limiter = RateLimiter(settings.host_records_per_s, settings.host_records_burst)
    app.state.enroll_limiter = RateLimiter(settings.enroll_attempts_per_s, settings.enroll_attempts_burst)
    errors.install(app)
    app.add_exception_handler(OperationalError, _database_unavailable)
    for router in (health.router, enroll.router, ingest.router, delivery.router, admin.router, fleet.router,
                   alerts.router, console.router, metrics.router):
        app.include_router(router)
    console.mount_static(app)
    app.openapi = _openapi_with_raw_bodies(app)  # type: ignore[method-assign]
    return app
