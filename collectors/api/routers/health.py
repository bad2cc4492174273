"""GET /healthz: the process is up and its database answers (no auth; for load balancers)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from collectors.api.deps import StoreDep
from collectors.store import migrations

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str
    schema_version: int


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(store: StoreDep) -> Health | JSONResponse:
    try:
        with store.engine.connect() as conn:
            version = migrations.current_version(conn)
    except SQLAlchemyError:
        body = Health(status="degraded", database="unreachable", schema_version=0)
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", database=store.dialect, schema_version=version)
