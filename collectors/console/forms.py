"""Reads a small ``application/x-www-form-urlencoded`` body (the console's only form encoding)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

MAX_FORM_BYTES = 16 * 1024




async def read_form(request: Request) -> dict[str, str]:
    """First value per field; bodies over ``MAX_FORM_BYTES`` or of another type read as empty."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return {}
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_FORM_BYTES:
            return {}
    fields: dict[str, str] = {}
    for key, value in parse_qsl(data.decode("utf-8", "replace"), keep_blank_values=True):
        fields.setdefault(key, value)
    return fields
