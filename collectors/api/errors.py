"""Errors the API returns: ``{"detail": {"code": ..., "message": ...}}``, never echoing the input."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sensor.schema.wire import ErrorCode


class ApiError(Exception):
    def __init__(self, status: int, code: ErrorCode, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_response(status: int, code: ErrorCode | str, message: str,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    detail: dict[str, Any] = {"code": str(code), "message": message, **extra}
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def describe_validation_errors(errors: Any, limit: int = 5) -> str:
    """Where and what, without the offending values (they may hold secrets)."""
    parts = []
    for err in list(errors)[:limit]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(err.get("type") == "json_invalid" for err in errors):
        return error_response(400, ErrorCode.malformed_json, "request body is not valid JSON")
    return error_response(422, ErrorCode.invalid_body, describe_validation_errors(errors))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = ErrorCode.not_found if exc.status_code == 404 else ErrorCode.invalid_body
    return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
