"""Fixtures: a scratch database per test (SQLite file, or a fresh schema in the PostgreSQL `test` db)."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.integration.collector.processes import Collector

PG_BASE = os.environ.get("CLAWWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_BASE)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as exc:
        return str(exc).splitlines()[0]
    return None


@contextmanager
def scratch_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A database URL for one test: a SQLite file, or a fresh schema in PostgreSQL (dropped after)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'collector.db'}"
        return
    problem = _pg_available()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is required in CI (scripts/ensure-postgres.sh): "
                        f"{problem}")
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 not reachable: {problem}")
    schema = f"cwt_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with scratch_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_collector(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collector]:
    """One collector per backend for a whole module (tests that do not disturb it use their own hosts)."""
    tmp = tmp_path_factory.mktemp(f"shared-{request.param}")
    with scratch_database(request.param, tmp) as url:
        c = Collector(db_url=url, workdir=tmp, admin_token="cw_admin_" + secrets.token_hex(16))
        c.start()
        try:
            yield c
        finally:
            c.kill()


@pytest.fixture
def db_urls_both(tmp_path: Path) -> Iterator[dict[str, str]]:
    """SQLite and PostgreSQL at once, for the slow tests that run both backends side by side."""
    (tmp_path / "sqlite").mkdir()
    with scratch_database("sqlite", tmp_path / "sqlite") as lite, \
            scratch_database("postgresql", tmp_path) as pg:
        yield {"sqlite": lite, "postgresql": pg}


@pytest.fixture
def collector_factory(db_url: str, tmp_path: Path) -> Iterator[list[Collector]]:
    made: list[Collector] = []
    yield made
    for c in made:
        c.kill()


@pytest.fixture
def collector(db_url: str, tmp_path: Path, collector_factory: list[Collector]) -> Collector:
    c = Collector(db_url=db_url, workdir=tmp_path, admin_token="cw_admin_" + secrets.token_hex(16))
    collector_factory.append(c)
    c.start()
    return c
