"""Many rows into one table in one statement, the fastest way each database offers.

PostgreSQL: the rows travel as ONE JSON parameter and the server unpacks them with
``json_populate_recordset`` into the table's own row type (a multi-row VALUES list makes the driver bind
thousands of placeholders per batch; ``executemany`` pipelines a statement per row). SQLite: a plain
``executemany`` of one prepared INSERT, which is already cheap there.

Every row must carry the same keys. Text values must not contain NUL (PostgreSQL refuses it): callers clean
hostile strings first (see ``collectors.fleet.projection.clean``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Table, TextClause, text
from sqlalchemy.dialects import sqlite


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], *,
                skip_conflicts_on: Sequence[str] = (), returning: str | None = None) -> list[Any]:
    """Insert ``rows``; with ``skip_conflicts_on`` rows clashing on that unique key are skipped. Returns the
    ``returning`` column of the inserted rows (PostgreSQL and SQLite alike), else an empty list."""
    if not rows:
        return []
    unknown = (set(rows[0]) | set(skip_conflicts_on) | {returning or ""}) - set(table.c.keys()) - {""}
    if unknown:
        raise ValueError(f"{table.name} has no column(s) {sorted(unknown)}")
    if conn.dialect.name == "postgresql":
        return _insert_postgresql(conn, table, rows, skip_conflicts_on, returning)
    statement: Any = sqlite.insert(table)
    if skip_conflicts_on:
        statement = statement.on_conflict_do_nothing(index_elements=[table.c[name] for name in skip_conflicts_on])
    if returning is None:
        conn.execute(statement, list(rows))
        return []
    column = table.c[returning]
    return [row[0] for row in conn.execute(statement.returning(column), list(rows))]


def _insert_postgresql(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
                       skip_conflicts_on: Sequence[str], returning: str | None) -> list[Any]:
    statement = _postgresql_statement(conn.dialect.identifier_preparer, table, tuple(rows[0]),
                                      tuple(skip_conflicts_on), returning)
    result = conn.execute(statement, {"rows": orjson.dumps(list(rows)).decode()})
    return [row[0] for row in result] if returning is not None else []


@functools.lru_cache(maxsize=64)
def _postgresql_statement(preparer: Any, table: Table, columns: tuple[str, ...], skip_conflicts_on: tuple[str, ...],
                          returning: str | None) -> TextClause:
    """One statement object per shape, built once: SQLAlchemy then reuses its compiled form (building a new
    text() per call cost a compile per request)."""
    quote = preparer.quote
    name = preparer.format_table(table)
    listed = ", ".join(quote(column) for column in columns)
    # Only the table's own quoted identifiers are spliced in (checked by insert_rows); values travel as a parameter.
    sql = (f"INSERT INTO {name} ({listed}) SELECT {listed} "  # noqa: S608
           f"FROM json_populate_recordset(NULL::{name}, CAST(:rows AS json))")
    if skip_conflicts_on:
        sql += f" ON CONFLICT ({', '.join(quote(column) for column in skip_conflicts_on)}) DO NOTHING"
    if returning is not None:
        sql += f" RETURNING {quote(returning)}"
    return text(sql)
