"""Opening the store: a database URL -> a migrated SQLAlchemy engine.

Accepted URLs: ``sqlite:///path/to/file.db``, a bare file path (SQLite), ``postgresql://user@host/db``
(PostgreSQL through psycopg 3). Without a URL the store is ``collector.db`` under the user's data dir.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event, func
from sqlalchemy.engine import make_url

from collectors.store import migrations


def default_sqlite_url() -> str:
    data_dir = Path(platformdirs.user_data_dir("clawwatch"))
    return f"sqlite:///{data_dir / 'collector.db'}"


def normalize_url(url: str | None) -> str:
    """Turn what a user typed into a SQLAlchemy URL with an explicit driver."""
    if not url:
        return default_sqlite_url()
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith(("sqlite:", "postgresql+psycopg:")):
        return url
    if "://" in url:
        raise ValueError(f"unsupported database URL scheme in {url.split('://', 1)[0]!r}; "
                         "use sqlite:///FILE or postgresql://USER@HOST:PORT/DB")
    return f"sqlite:///{Path(url).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # pysqlite's own transaction handling is disabled (isolation_level=None); take the write lock up front so
    # concurrent writers queue on busy_timeout instead of failing to upgrade a read lock.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def greatest(dialect: str, column: Any, value: Any) -> Any:
    """The larger of two values in SQL: ``greatest()`` on PostgreSQL, two-argument ``max()`` on SQLite."""
    return func.greatest(column, value) if dialect == "postgresql" else func.max(column, value)


@dataclass
class Store:
    engine: Engine
    url: str

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()

    def reader(self) -> Connection:
        """A connection for one-statement reads. On PostgreSQL it runs in autocommit (no BEGIN/ROLLBACK round
        trips around a lookup); SQLite keeps its usual transaction (see ``_sqlite_begin``)."""
        conn = self.engine.connect()
        if self.dialect == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn


def open_store(url: str | None = None, *, migrate: bool = True, pool_size: int = 16) -> Store:
    full = normalize_url(url)
    parsed = make_url(full)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = create_engine(full, connect_args={"isolation_level": None, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        # Connections are kept: a PostgreSQL connection costs a server process fork and authentication, so a
        # pool smaller than the request concurrency (uvicorn's worker threads) made every burst open and close
        # connections. No pre-ping round trip per checkout either: when the server restarts, the first request
        # that meets a dead connection gets a 503 (OperationalError, see api/app.py) that sensors retry, and
        # SQLAlchemy then discards every pooled connection older than the failure.
        engine = create_engine(full, pool_size=pool_size, max_overflow=pool_size // 2, pool_pre_ping=False)
    store = Store(engine=engine, url=full)
    if migrate:
        with engine.begin() as conn:
            migrations.upgrade(conn)
    return store
