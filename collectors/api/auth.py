"""Bearer-token authentication and role checks (FastAPI dependencies).

Roles: ``sensor`` writes its own host only; ``analyst`` reads; ``admin`` manages tokens and enroll
secrets and may read. 401 says the credential is missing or not valid (a sensor re-enrolls on
``invalid_credential``); 403 says the credential is valid but not allowed to do this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from collectors.api.errors import ApiError
from collectors.store import Store
from collectors.store.credentials import Role, lookup_token
from sensor.delivery.protocol import ErrorCode

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


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def authenticate(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise ApiError(401, ErrorCode.missing_token, "an 'Authorization: Bearer <token>' header is required",
                       _CHALLENGE)
    token = credentials.credentials
    if len(token) > 200:
        raise ApiError(401, ErrorCode.invalid_credential, "the token is not valid", _CHALLENGE)
    with get_store(request).engine.connect() as conn:
        row = lookup_token(conn, token)
    if row is None:
        raise ApiError(401, ErrorCode.invalid_credential, "the token is unknown or revoked", _CHALLENGE)
    return Principal(token_id=row.token_id, role=row.role, host_id=row.host_id)


def require(role: Role) -> Callable[..., Principal]:
    allowed = _GRANTS[role]

    def dependency(principal: Principal = Depends(authenticate)) -> Principal:  # noqa: B008
        if principal.role not in allowed:
            raise ApiError(403, ErrorCode.forbidden_role,
                           f"this endpoint needs the {role.value} role; the token has {principal.role.value}")
        return principal

    return dependency
