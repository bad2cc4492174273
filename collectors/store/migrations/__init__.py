"""Schema migrations with Alembic, applied at start-up; safe when several collectors start at once.

Revisions live in ``versions/`` and are numbered ``0004``, ``0005``, ...: the number is the schema version
``/healthz`` reports. ``0004`` is the baseline: the schema as the numbered migrations this project used before
Alembic (``cw_schema_version``, versions 1 to 4) left it. It creates whatever part of that schema a database
lacks, so a new database and one any numbered version made both come out at 4; the numbered history table is
then dropped and Alembic's ``cw_alembic_version`` holds the revision.

``upgrade`` runs inside the caller's transaction: on PostgreSQL under a transaction-scoped advisory lock, so
collector processes sharing one database serialise their upgrades; on SQLite ``BEGIN IMMEDIATE`` takes the write
lock first. A new table or column is a new revision (``new_revision`` drafts one by comparing the tables in
``collectors/store/tables.py`` with a database at head); never edit an applied one.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, text

from collectors.store.tables import metadata

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "cw_alembic_version"  # collectors.store.tables.alembic_version
# An arbitrary constant: the advisory-lock key of clawwatch migrations on PostgreSQL.
_PG_LOCK_KEY = 0x436C6177  # "Claw"


def _config(conn: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = conn
    return config


@functools.cache
def _head() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "no migration revisions found"
    return head


def latest_version() -> int:
    return int(_head())


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def current_version(conn: Connection) -> int:
    """The schema version of the database ``conn`` is on (0: none applied)."""
    revision = _current(conn)
    return int(revision) if revision else 0


def upgrade(conn: Connection) -> list[int]:
    """Bring the database to the latest revision inside the caller's transaction; return the versions applied."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    before = current_version(conn)
    if before == latest_version():
        return []
    command.upgrade(_config(conn), "head")
    return list(range(max(before + 1, 4), latest_version() + 1))


def compared(name: str | None, type_: str, _parent: object) -> bool:
    """What autogenerate compares: everything but Alembic's own version table (declared for table upkeep only)."""
    return not (type_ == "table" and name == VERSION_TABLE)


def drift(conn: Connection) -> list[Any]:
    """How the database differs from the tables in collectors/store/tables.py (empty: they agree)."""
    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE, "include_name": compared})
    return list(compare_metadata(context, metadata))


def new_revision(url: str, message: str) -> None:
    """Draft the next revision file in ``versions/`` from the difference between the tables and a database
    brought to head (a scratch SQLite file will do); review it before committing."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            upgrade(conn)
            number = f"{latest_version() + 1:04d}"
            command.revision(_config(conn), message=message, autogenerate=True, rev_id=number)
    finally:
        engine.dispose()
