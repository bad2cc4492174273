"""Collector ingest pieces: gzip limits, token buckets, credential hashing, idempotent writes, migrations."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from collectors.ingest import body
from collectors.ingest.rate_limit import RateLimiter
from collectors.ingest.writer import SeqConflict, missing_ranges, write_batch
from collectors.store import Store, migrations, open_store, tables
from collectors.store.credentials import (
    Role,
    add_enroll_secret,
    create_token,
    find_enroll_secret,
    lookup_token,
    revoke_host_tokens,
)
from sensor.schema.wire import IngestBatch

HOST = "hostunit0001"


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"\0" * (5 * 1024 * 1024))
    with pytest.raises(body.BodyTooLarge):
        body.decode(bomb, "gzip", 1024 * 1024)
    assert body.decode(gzip.compress(b"{}"), "gzip", 100) == b"{}"
    with pytest.raises(body.BadEncoding):
        body.decode(b"not gzip", "gzip", 100)
    with pytest.raises(body.BadEncoding):
        body.decode(gzip.compress(b"{}")[:-4], "gzip", 100)
    with pytest.raises(body.BadEncoding):
        body.decode(b"{}", "br", 100)


def test_rate_limiter_bucket() -> None:
    limiter = RateLimiter(rate_per_s=10, burst=20)
    assert limiter.take("a", 20) == 0.0
    wait = limiter.take("a", 5)
    assert 0.3 < wait <= 0.5
    assert limiter.take("b", 1) == 0.0  # per key
    assert RateLimiter(0, 0).take("a", 10**6) == 0.0  # disabled


def _store(tmp_path: Path) -> Store:
    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    with store.engine.begin() as conn:
        conn.execute(
            tables.hosts.insert().values(
                host_id=HOST,
                hostname="h",
                sensor_version="t",
                enrolled_at=0,
                max_seq=0,
                record_count=0,
                duplicate_count=0,
                spool_dropped_total=0,
                spool_rejected_total=0,
            )
        )
    return store


def _batch(seqs: list[int], marker: str = "a") -> IngestBatch:
    return IngestBatch.model_validate(
        {
            "host_id": HOST,
            "records": [
                {
                    "record_id": f"{HOST}:{s}",
                    "host_id": HOST,
                    "seq": s,
                    "kind": "alert",
                    "severity": 2,
                    "created_at": "2026-11-22T04:00:00+00:00",
                    "body": {"m": marker, "s": s},
                }
                for s in seqs
            ],
        }
    )


def test_writes_are_idempotent_and_gaps_counted(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store.engine.begin() as conn:
        first = write_batch(conn, _batch([1, 2, 3]), 1.0, "127.0.0.1")
    assert (first.inserted, first.duplicates, first.missing) == (3, 0, 0)
    with store.engine.begin() as conn:
        again = write_batch(conn, _batch([2, 3, 6]), 2.0, None)
    assert (again.inserted, again.duplicates, again.missing) == (1, 2, 2)
    assert again.acked == [2, 3, 6]
    with store.engine.begin() as conn:
        replay = write_batch(conn, _batch([1, 2]), 3.0, None)
        assert replay.replay
        assert missing_ranges(conn, HOST) == [(4, 5)]
        assert conn.execute(select(func.count()).select_from(tables.records)).scalar_one() == 4


def test_rewriting_a_stored_seq_is_a_conflict_and_stores_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store.engine.begin() as conn:
        write_batch(conn, _batch([1]), 1.0, None)
    with pytest.raises(SeqConflict), store.engine.begin() as conn:
        write_batch(conn, _batch([1, 2], marker="changed"), 2.0, None)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tables.records)).scalar_one() == 1


def test_batch_validation_ties_records_to_host() -> None:
    good = _batch([1]).model_dump(mode="json")
    bad = dict(good, records=[dict(good["records"][0], host_id="hostother001")])
    with pytest.raises(ValueError, match="host_id"):
        IngestBatch.model_validate(bad)
    bad = dict(good, records=[dict(good["records"][0], record_id=f"{HOST}:9")])
    with pytest.raises(ValueError, match="record_id"):
        IngestBatch.model_validate(bad)
    bad = dict(good, records=[dict(good["records"][0], created_at="yesterday")])
    with pytest.raises(ValueError, match="ISO"):
        IngestBatch.model_validate(bad)


def test_tokens_are_stored_hashed_and_secrets_salted(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store.engine.begin() as conn:
        _, token = create_token(conn, Role.sensor, host_id=HOST)
        add_enroll_secret(conn, "the-enroll-secret")
        add_enroll_secret(conn, "the-enroll-secret")
    with store.engine.connect() as conn:
        stored = [r.token_hash for r in conn.execute(select(tables.tokens))]
        hashes = [r.secret_hash for r in conn.execute(select(tables.enroll_secrets))]
        assert token not in stored and all(len(h) == 64 for h in stored)
        assert hashes[0] != hashes[1] and all("the-enroll-secret" not in h for h in hashes)
        assert lookup_token(conn, token) is not None and lookup_token(conn, token + "x") is None
        assert find_enroll_secret(conn, "the-enroll-secret") is not None
        assert find_enroll_secret(conn, "wrong") is None
    with store.engine.begin() as conn:
        revoke_host_tokens(conn, HOST)
        assert lookup_token(conn, token) is None


def test_migrations_are_recorded_and_rerun_safely(tmp_path: Path) -> None:
    open_store(f"sqlite:///{tmp_path / 'm.db'}").dispose()
    store = open_store(f"sqlite:///{tmp_path / 'm.db'}")
    with store.engine.begin() as conn:
        assert migrations.upgrade(conn) == []  # a second run has nothing to apply
        revisions = conn.execute(text("SELECT version_num FROM cw_alembic_version")).scalars().all()
        assert migrations.current_version(conn) == migrations.latest_version() >= 4
    assert revisions == [f"{migrations.latest_version():04d}"]
