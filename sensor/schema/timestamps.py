"""Time on the wire, read and written in one place.

``parse_time`` reads an RFC 3339 / ISO 8601 time (``Z`` or an offset; a time without one is taken as UTC);
``format_utc`` writes the one form this project sends: UTC with microseconds and ``Z``
(``2026-11-22T04:10:00.250000Z``). ``Timestamp`` is the pydantic field type of every time in the contract: an
aware datetime (pydantic ``AwareDatetime``) read with ``parse_time``, converted to UTC, written with
``format_utc``. ``LenientTimestamp`` is the same, or None when the text is no time (a field the collector
must not refuse a whole record for: it falls back to the time it received the record). ``UtcText`` is an event's
time: read the same way, kept as its text in the one form (the engine matches text; an event's time is compared
as text by its sources' tests).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
)

MAX_TIME_TEXT = 64  # longer text is not a time (and is not worth parsing)


def parse_time(text: str) -> datetime:
    """An aware datetime from ISO 8601 text; naive times are taken as UTC. Raises ValueError."""
    if len(text) > MAX_TIME_TEXT:
        raise ValueError(f"not an ISO 8601 time: longer than {MAX_TIME_TEXT} characters")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def epoch_seconds(text: str) -> float:
    """Seconds since the epoch of an ISO 8601 time. Raises ValueError (also for times out of range)."""
    try:
        return parse_time(text).timestamp()
    except (OverflowError, OSError) as exc:
        raise ValueError(f"time out of range: {exc}") from None


def to_utc(value: datetime) -> datetime:
    """The same instant in UTC. Raises ValueError when it is outside datetime's range."""
    try:
        return value.astimezone(UTC)
    except (OverflowError, OSError) as exc:
        raise ValueError(f"time out of range: {exc}") from None


def format_utc(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (naive datetimes are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return to_utc(value).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def utc_now() -> str:
    return format_utc(datetime.now(UTC))


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is UTC else to_utc(value)


def _read_time(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
    """RFC 3339 by pydantic's parser (the fast path); other ISO 8601 text (and naive times) by ``parse_time``."""
    try:
        return _utc(handler(value))
    except ValidationError:
        if not isinstance(value, str):
            raise
    return _utc(handler(parse_time(value)))


def _read_time_or_none(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime | None:
    if value is None:
        return None
    try:
        return _read_time(value, handler)
    except (ValidationError, ValueError):
        return None


def _format_or_none(value: datetime | None) -> str | None:
    return None if value is None else format_utc(value)


Timestamp = Annotated[AwareDatetime, WrapValidator(_read_time),
                      PlainSerializer(format_utc, return_type=str, when_used="json")]
LenientTimestamp = Annotated[AwareDatetime | None, WrapValidator(_read_time_or_none),
                             PlainSerializer(_format_or_none, return_type=str | None, when_used="json")]


def _as_text(value: Any) -> str:
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, str):
        return format_utc(parse_time(value))
    raise ValueError("a time is ISO 8601 text or a datetime")


UtcText = Annotated[str, PlainValidator(_as_text), WithJsonSchema({"type": "string", "format": "date-time"})]
