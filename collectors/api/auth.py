"""Bearer-token authentication and role checks (FastAPI dependencies).

Roles: ``sensor`` writes its own host only; ``analyst`` reads; ``admin`` manages tokens and enroll
secrets and may read. 401 says the credential is missing or not valid (a sensor re-enrolls on
``invalid_credential``); 403 says the credential is valid but not allowed to do this.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection

from collectors.api.deps import StoreDep
from collectors.api.errors import ApiError
from collectors.store.credentials import Role, lookup_token
from sensor.schema.wire import ErrorCode

_bearer = HTTPBearer(auto_error=False, description="Bearer token: per-host sensor token, analyst or admin")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}

# What each role may do, by the role a route asks for.
_GRANTS: dict[Role, frozenset[Role]] = {
    Role.sensor: frozenset({Role.sensor}),
    Role.analyst: frozenset({Role.analyst, Role.admin}),
    Role.admin: frozenset({Role.admin}),
}


@dataclass(frozen=True)
class Principal:
    token_id: str
    role: Role
    host_id: str | None


async def bearer_token(
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
) -> str:
    """The bearer token of the request, checked for presence and size only (no database: runs on the loop)."""
    if credentials is None or not credentials.credentials:
        raise ApiError(401, ErrorCode.missing_token, "an 'Authorization: Bearer <token>' header is required",
                       _CHALLENGE)
    token = credentials.credentials
    if len(token) > 200:
        raise ApiError(401, ErrorCode.invalid_credential, "the token is not valid", _CHALLENGE)
    return token


def principal_for(conn: Connection, token: str) -> Principal:
    row = lookup_token(conn, token)
    if row is None:
        raise ApiError(401, ErrorCode.invalid_credential, "the token is unknown or revoked", _CHALLENGE)
    return Principal(token_id=row.token_id, role=row.role, host_id=row.host_id)


def check_role(principal: Principal, role: Role) -> Principal:
    if principal.role not in _GRANTS[role]:
        raise ApiError(403, ErrorCode.forbidden_role,
                       f"this endpoint needs the {role.value} role; the token has {principal.role.value}")
    return principal


def authenticate(store: StoreDep, token: str = Depends(bearer_token)) -> Principal:
    with store.reader() as conn:
        return principal_for(conn, token)


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    async def dependency(principal: Principal = Depends(authenticate)) -> Principal:  # noqa: B008
        return check_role(principal, role)

    return dependency
