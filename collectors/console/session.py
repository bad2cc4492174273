"""Console sign-in: the analyst/admin token kept in an HttpOnly, SameSite=Strict cookie scoped to /console.

The cookie holds the bearer token itself (the collector stores only its hash), so revoking the token
signs the console out. SameSite=Strict keeps other sites from posting triage forms with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from collectors.api.deps import StoreDep
from collectors.store import Store
from collectors.store.credentials import Role, lookup_token

COOKIE = "cw_console"
CONSOLE_ROLES = (Role.analyst, Role.admin)


@dataclass(frozen=True)
class ConsoleUser:
    token_id: str
    role: Role
    label: str


class LoginRequired(Exception):
    pass


def check_token(store: Store, token: str) -> ConsoleUser | None:
    if not token or len(token) > 200:
        return None
    with store.engine.connect() as conn:
        row = lookup_token(conn, token)
    if row is None or row.role not in CONSOLE_ROLES:
        return None
    return ConsoleUser(token_id=row.token_id, role=row.role, label=row.label)


def current_user(request: Request, store: StoreDep) -> ConsoleUser:
    user = check_token(store, request.cookies.get(COOKIE, ""))
    if user is None:
        raise LoginRequired
    return user


def sign_in(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/console",
                        max_age=12 * 3600)


def sign_out(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/console")


def to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(str(request.url_for("console_login")), status_code=303)
