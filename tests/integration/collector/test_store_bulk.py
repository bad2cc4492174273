"""collectors.store.bulk on both real databases: values round-trip exactly, conflicts skip, RETURNING reports
only what was inserted, and a column the table lacks is refused before any SQL is built."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from collectors.store import open_store, tables
from collectors.store import tables as fleet
from collectors.store.bulk import insert_rows

AWKWARD = ['plain', 'quote \' and "double"', "back\\slash \\u0000 literal", "日本語 ✓ 🦞", '{"json": [1, 2]}',
           "line\nbreak\ttab", "", "x" * 3000]


def _record(seq: int, body: str) -> dict[str, object]:
    return {"host_id": "bulkhost", "seq": seq, "record_id": f"bulkhost:{seq}", "kind": "alert", "severity": 3,
            "created_at": "2026-11-22T07:00:00+00:00", "received_at": 1795000000.123456 + seq,
            "digest": f"{seq:064d}", "body": body}


def test_rows_round_trip_and_conflicts_skip(db_url: str) -> None:
    store = open_store(db_url)
    try:
        rows = [_record(seq, text) for seq, text in enumerate(AWKWARD, start=1)]
        with store.engine.begin() as conn:
            inserted = insert_rows(conn, tables.records, rows, skip_conflicts_on=("host_id", "seq"), returning="seq")
        assert sorted(inserted) == list(range(1, len(AWKWARD) + 1))
        again = [*rows[2:4], _record(100, "new")]
        with store.engine.begin() as conn:
            inserted = insert_rows(conn, tables.records, again, skip_conflicts_on=("host_id", "seq"), returning="seq")
        assert inserted == [100]
        with store.engine.connect() as conn:
            stored = {row.seq: row for row in conn.execute(select(tables.records))}
        assert len(stored) == len(AWKWARD) + 1
        for row in rows:
            got = stored[row["seq"]]
            assert (got.body, got.received_at, got.record_id) == (row["body"], row["received_at"], row["record_id"])
    finally:
        store.dispose()


def test_nullable_and_boolean_columns(db_url: str) -> None:
    store = open_store(db_url)
    try:
        row = {"record_id": "h:1", "host_id": "h", "hostname": "laptop 'α'", "alert_id": "a1", "rule_id": "r",
               "title": "t", "level": "high", "level_rank": 3, "ts": 1.5, "status": "new", "assignee": None,
               "updated_at": 2.25, "body": "{}"}
        with store.engine.begin() as conn:
            assert insert_rows(conn, fleet.alerts, [row]) == []
            stored = conn.execute(select(fleet.alerts)).one()
        assert dict(stored._mapping) == row
    finally:
        store.dispose()


def test_unknown_column_is_refused(db_url: str) -> None:
    store = open_store(db_url)
    try:
        bad = {**_record(1, "x"), 'body"; DROP TABLE cw_records; --': "x"}
        with store.engine.begin() as conn, pytest.raises(ValueError, match="has no column"):
            insert_rows(conn, tables.records, [bad])
        with store.engine.connect() as conn:
            assert conn.execute(select(tables.records)).all() == []
    finally:
        store.dispose()
