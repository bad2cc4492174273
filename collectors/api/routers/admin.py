"""Admin: analyst/admin tokens, enroll secrets, forcing a host to re-enroll."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, StringConstraints

from collectors.api.auth import Principal, require
from collectors.api.deps import StoreDep
from collectors.api.errors import ApiError
from collectors.store import credentials as creds
from sensor.schema.wire import HOST_ID_PATTERN, ErrorCode, ErrorResponse

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
_ERR: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (401, 403, 404)}
Label = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
IdText = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["analyst", "admin"]
    label: Label = ""


class TokenCreated(BaseModel):
    token_id: str
    role: str
    token: str


class SecretRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    secret: Annotated[str, StringConstraints(min_length=16, max_length=512)] | None = None
    label: Label = ""


class SecretCreated(BaseModel):
    secret_id: str
    secret: str


class Done(BaseModel):
    ok: bool


@router.post("/tokens", response_model=TokenCreated, responses=_ERR)
def create_token(req: TokenRequest, store: StoreDep,
                 _p: Principal = Depends(require(creds.Role.admin))) -> TokenCreated:  # noqa: B008
    with store.engine.begin() as conn:
        token_id, token = creds.create_token(conn, creds.Role(req.role), label=req.label)
    return TokenCreated(token_id=token_id, role=req.role, token=token)


@router.delete("/tokens/{token_id}", response_model=Done, responses=_ERR)
def revoke_token(token_id: IdText, store: StoreDep,
                 _p: Principal = Depends(require(creds.Role.admin))) -> Done:  # noqa: B008
    with store.engine.begin() as conn:
        if not creds.revoke_token(conn, token_id):
            raise ApiError(404, ErrorCode.not_found, "no active token with this id")
    return Done(ok=True)


@router.post("/enroll-secrets", response_model=SecretCreated, responses=_ERR)
def create_enroll_secret(req: SecretRequest, store: StoreDep,
                         _p: Principal = Depends(require(creds.Role.admin))) -> SecretCreated:  # noqa: B008
    secret = req.secret or secrets.token_urlsafe(24)
    with store.engine.begin() as conn:
        secret_id = creds.add_enroll_secret(conn, secret, req.label)
    return SecretCreated(secret_id=secret_id, secret=secret)


@router.delete("/enroll-secrets/{secret_id}", response_model=Done, responses=_ERR)
def revoke_enroll_secret(secret_id: IdText, store: StoreDep,
                         _p: Principal = Depends(require(creds.Role.admin))) -> Done:  # noqa: B008
    with store.engine.begin() as conn:
        if not creds.revoke_enroll_secret(conn, secret_id):
            raise ApiError(404, ErrorCode.not_found, "no active enroll secret with this id")
    return Done(ok=True)


@router.post("/hosts/{host_id}/revoke", response_model=Done, responses=_ERR)
def revoke_host(store: StoreDep, host_id: str = Path(pattern=HOST_ID_PATTERN),
                _p: Principal = Depends(require(creds.Role.admin))) -> Done:  # noqa: B008
    """Revoke the host's sensor token; the sensor re-enrolls with the enroll secret on its next request."""
    with store.engine.begin() as conn:
        creds.revoke_host_tokens(conn, host_id)
    return Done(ok=True)
