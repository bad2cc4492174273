"""One way to read a time and one way to write it; contract times are aware and UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ValidationError

from sensor.schema.timestamps import LenientTimestamp, Timestamp, epoch_seconds, format_utc, parse_time


class _Strict(BaseModel):
    at: Timestamp


class _Lenient(BaseModel):
    at: LenientTimestamp


def test_parse_time_takes_z_offsets_and_naive_as_utc() -> None:
    assert parse_time("2026-11-22T04:10:00Z") == datetime(2026, 11, 22, 4, 10, tzinfo=UTC)
    assert parse_time("2026-11-22T06:10:00+02:00") == datetime(2026, 11, 22, 4, 10, tzinfo=UTC)
    assert parse_time("2026-11-22T04:10:00") == datetime(2026, 11, 22, 4, 10, tzinfo=UTC)
    assert epoch_seconds("1970-01-01T00:00:01Z") == 1.0
    for bad in ("yesterday", "2026-13-01", "x" * 100):
        with pytest.raises(ValueError, match="ISO 8601"):
            parse_time(bad)


def test_one_output_form() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert format_utc(datetime(2026, 11, 22, 6, 10, 0, 250000, tzinfo=plus_two)) == "2026-11-22T04:10:00.250000Z"
    assert format_utc(datetime(2026, 11, 22, 4, 10)) == "2026-11-22T04:10:00.000000Z"


def test_contract_times_are_aware_utc_and_written_in_the_one_form() -> None:
    for text in ("2026-11-22T04:10:00Z", "2026-11-22T06:10:00+02:00", "2026-11-22T04:10:00", "2026-11-22 04:10:00"):
        model = _Strict(at=text)
        assert model.at.utcoffset() == timedelta(0)
        assert model.model_dump(mode="json") == {"at": "2026-11-22T04:10:00.000000Z"}
    with pytest.raises(ValidationError):
        _Strict(at="99999-01-01")
    with pytest.raises(ValidationError):
        _Strict(at="9999-12-31T23:59:59-05:00")  # past datetime's range once in UTC


def test_lenient_times_become_none_instead_of_refusing_the_record() -> None:
    assert _Lenient(at="99999-01-01").at is None
    assert _Lenient(at="9999-12-31T23:59:59-05:00").at is None
    assert _Lenient(at="2026-11-22T06:10:00+02:00").model_dump(mode="json") == {"at": "2026-11-22T04:10:00.000000Z"}


def test_an_events_time_is_kept_as_text_in_the_one_form() -> None:
    from sensor.schema.events import Event

    fields = {"EventId": "e", "Hostname": "h", "category": "process_creation", "product": "linux"}
    assert Event(UtcTime="2026-11-22T06:10:00+02:00", **fields).UtcTime == "2026-11-22T04:10:00.000000Z"
    assert Event(UtcTime=datetime(2026, 11, 22, 4, 10, tzinfo=UTC), **fields).UtcTime == "2026-11-22T04:10:00.000000Z"
    with pytest.raises(ValidationError):
        Event(UtcTime="yesterday", **fields)
