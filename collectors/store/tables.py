"""The collector's tables, defined once (SQLAlchemy Core). Routers and migrations import them from here.

Changing a table means adding a migration in ``collectors/store/migrations.py``; migration 1 creates the
tables as they were at version 1.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row per applied migration.
schema_version = Table(
    "cw_schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", Float, nullable=False),
)

# One row per enrolled sensor host; delivery counters are kept up to date by ingest.
hosts = Table(
    "cw_hosts",
    metadata,
    Column("host_id", String(64), primary_key=True),
    Column("hostname", String(255), nullable=False, default=""),
    Column("sensor_version", String(64), nullable=False, default=""),
    Column("enrolled_at", Float, nullable=False),
    Column("last_seen", Float, nullable=True),
    Column("last_addr", String(64), nullable=True),
    Column("max_seq", BigInteger, nullable=False, default=0),
    Column("record_count", BigInteger, nullable=False, default=0),
    Column("duplicate_count", BigInteger, nullable=False, default=0),
    Column("spool_dropped_total", BigInteger, nullable=False, default=0),
    Column("spool_rejected_total", BigInteger, nullable=False, default=0),
    Column("spool_dropped_by_severity", JSON, nullable=True),
    Column("spool_bytes", BigInteger, nullable=True),
    Column("spool_records", BigInteger, nullable=True),
    # Highest seq whose record heartbeat retention deleted (collectors/store/retention.py); migration 4.
    Column("pruned_through_seq", BigInteger, nullable=False, default=0, server_default="0"),
)

# Bearer tokens. Only the SHA-256 of the token is stored; the token is shown once, at creation.
tokens = Table(
    "cw_tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # sensor | analyst | admin
    Column("host_id", String(64), nullable=True),  # set for role=sensor
    Column("label", String(200), nullable=False, default=""),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
)

# Shared enroll secrets, stored as salted scrypt hashes ("scrypt$<salt hex>$<hash hex>").
enroll_secrets = Table(
    "cw_enroll_secrets",
    metadata,
    Column("secret_id", String(32), primary_key=True),
    Column("secret_hash", String(300), nullable=False),
    Column("label", String(200), nullable=False, default=""),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
)

# Every record a sensor shipped, once per (host_id, seq). `digest` tells replays from conflicting rewrites.
records = Table(
    "cw_records",
    metadata,
    Column("host_id", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("record_id", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("received_at", Float, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("body", Text, nullable=False),  # the record body as JSON text
    PrimaryKeyConstraint("host_id", "seq", name="cw_records_pk"),
)
Index("cw_records_kind_received", records.c.kind, records.c.received_at)
Index("cw_records_received", records.c.received_at)
