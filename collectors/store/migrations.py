"""Versioned schema migrations, applied in order at start-up; safe when several collectors start at once.

Each migration is ``(version, name, apply(connection))``. The applied versions live in
``cw_schema_version``. On PostgreSQL the whole upgrade runs under a transaction-scoped advisory lock, so
collector processes sharing one database serialise their upgrades; on SQLite ``BEGIN IMMEDIATE`` takes the
write lock first. A new table or column is a new entry at the end of ``MIGRATIONS``; never edit an
applied one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, inspect, select, text

from collectors.store import tables

# An arbitrary constant: the advisory-lock key of clawwatch migrations on PostgreSQL.
_PG_LOCK_KEY = 0x436C6177  # "Claw"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _v1_initial(conn: Connection) -> None:
    for table in (tables.hosts, tables.tokens, tables.enroll_secrets, tables.records):
        table.create(conn, checkfirst=True)


def _v2_fleet(conn: Connection) -> None:
    from collectors.fleet import tables as fleet_tables  # noqa: PLC0415 (fleet tables import this package)

    fleet_tables.create(conn)


def _v3_fleet_counts(conn: Connection) -> None:
    from collectors.fleet import counters  # noqa: PLC0415 (fleet tables import this package)

    counters.create(conn)


def _v4_heartbeat_retention(conn: Connection) -> None:
    present = {column["name"] for column in inspect(conn).get_columns(tables.hosts.name)}
    if "pruned_through_seq" not in present:  # a database created at version 1 after this column existed has it
        conn.execute(text(f"ALTER TABLE {tables.hosts.name} ADD COLUMN pruned_through_seq BIGINT NOT NULL DEFAULT 0"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial: hosts, tokens, enroll secrets, records", _v1_initial),
    Migration(2, "fleet: inventory hosts/installs/changes, alerts and triage notes", _v2_fleet),
    Migration(3, "fleet: headline counters kept at ingest (sharded)", _v3_fleet_counts),
    Migration(4, "records: heartbeat retention watermark per host", _v4_heartbeat_retention),
)


def latest_version() -> int:
    return MIGRATIONS[-1].version


def upgrade(conn: Connection) -> list[int]:
    """Apply every pending migration inside the caller's transaction; return the versions applied."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    tables.schema_version.create(conn, checkfirst=True)
    applied = {row[0] for row in conn.execute(select(tables.schema_version.c.version))}
    done: list[int] = []
    for migration in MIGRATIONS:
        if migration.version in applied:
            continue
        migration.apply(conn)
        conn.execute(
            tables.schema_version.insert().values(
                version=migration.version, name=migration.name, applied_at=time.time()
            )
        )
        done.append(migration.version)
    return done


def current_version(conn: Connection) -> int:
    tables.schema_version.create(conn, checkfirst=True)
    version = tables.schema_version.c.version
    first = conn.execute(select(version).order_by(version.desc())).first()
    return int(first[0]) if first else 0
