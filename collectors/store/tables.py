"""The collector's tables, all of them, defined once (SQLAlchemy Core) on one ``metadata``.

Sensor-facing tables (hosts, tokens, enroll secrets, records, the forwarding outbox) and the fleet read model the
projection keeps (``cw_fleet_*``, alerts, triage notes, headline counters). Everything else imports them from here;
changing one means adding an Alembic revision in ``collectors/store/migrations/versions/``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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

# The schema's version (the Alembic revision), kept by Alembic itself (collectors/store/migrations/); declared here
# so that everything that walks the collector's tables (table upkeep) meets it too.
alembic_version = Table(
    "cw_alembic_version",
    metadata,
    Column("version_num", String(32), primary_key=True),
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
    # Highest seq whose record heartbeat retention deleted (collectors/store/retention.py).
    Column("pruned_through_seq", BigInteger, nullable=False, default=0, server_default="0"),
)
# Staleness and sorting by last contact.
Index("cw_hosts_last_seen", hosts.c.last_seen)

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

# Alerts a committed ingest stored for forwarding, until a collector process's relay hands them to its forwarders
# (collectors/store/outbox.py). Written in the ingest transaction, so a rolled-back ingest leaves nothing here.
forward_outbox = Table(
    "cw_forward_outbox",
    metadata,
    Column("outbox_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("record_id", String(100), nullable=False),  # cw_alerts.record_id
    Column("queued_at", Float, nullable=False),
)

# --- the fleet read model (collectors/fleet/): kept by the projection at ingest, read by queries -------------
# - cw_fleet_hosts: the latest inventory snapshot per host, rolled up (grants as a bit mask in GRANTS order, any
#   install exposed/running), joined to cw_hosts for last_seen/staleness.
# - cw_fleet_installs: the latest state of each install of a host, with first/last seen and removal.
# - cw_fleet_changes: inventory history (install added/removed, grants, exposure, version, running).
# - cw_alerts / cw_alert_notes: every alert with its triage state, and the triage log.

fleet_hosts = Table(
    "cw_fleet_hosts",
    metadata,
    Column("host_id", String(64), primary_key=True),
    Column("hostname", String(255), nullable=False),
    Column("os", String(32), nullable=False, default=""),
    Column("inventory_seq", BigInteger, nullable=False),
    Column("inventory_at", Float, nullable=False),  # when the collector received the snapshot
    Column("scanned_at", String(40), nullable=False, default=""),
    Column("installs", Integer, nullable=False, default=0),
    Column("running", Boolean, nullable=False, default=False),
    Column("exposed", Boolean, nullable=False, default=False),
    Column("grant_bits", Integer, nullable=False, default=0),
    Column("products", String(100), nullable=False, default=""),  # comma-separated
    Column("owners", String(500), nullable=False, default=""),
    Column("versions", String(200), nullable=False, default=""),
    Column("max_severity", SmallInteger, nullable=False, default=0),
    Column("findings", Integer, nullable=False, default=0),
)
Index("cw_fleet_hosts_hostname", fleet_hosts.c.hostname, fleet_hosts.c.host_id)
Index("cw_fleet_hosts_exposed", fleet_hosts.c.exposed, fleet_hosts.c.hostname)

fleet_installs = Table(
    "cw_fleet_installs",
    metadata,
    Column("host_id", String(64), primary_key=True),
    Column("install_id", String(100), primary_key=True),
    Column("product", String(16), nullable=False),
    Column("variant", String(100), nullable=False, default=""),
    Column("state_dir", Text, nullable=False, default=""),
    Column("owner", String(100), nullable=True),
    Column("version", String(64), nullable=True),
    Column("version_key", String(64), nullable=False, default=""),
    Column("layout", String(16), nullable=False, default="unknown"),
    Column("running", Boolean, nullable=False, default=False),
    Column("exposed", Boolean, nullable=False, default=False),
    Column("grant_bits", Integer, nullable=False, default=0),
    Column("listeners", JSON, nullable=True),
    Column("exposure", JSON, nullable=True),
    Column("credential_kinds", JSON, nullable=True),
    Column("finding_ids", JSON, nullable=True),
    Column("first_seen", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Column("removed_at", Float, nullable=True),
)
Index("cw_fleet_installs_version", fleet_installs.c.version_key)
Index("cw_fleet_installs_owner", fleet_installs.c.owner)

fleet_changes = Table(
    "cw_fleet_changes",
    metadata,
    Column("change_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("host_id", String(64), nullable=False),
    Column("install_id", String(100), nullable=True),
    Column("at", Float, nullable=False),
    Column("change", String(32), nullable=False),
    Column("detail", JSON, nullable=True),
)
Index("cw_fleet_changes_host", fleet_changes.c.host_id, fleet_changes.c.at)

alerts = Table(
    "cw_alerts",
    metadata,
    Column("record_id", String(100), primary_key=True),  # '<host_id>:<seq>' of the record that carried it
    Column("host_id", String(64), nullable=False),
    Column("hostname", String(255), nullable=False),
    Column("alert_id", String(100), nullable=False),
    Column("rule_id", String(100), nullable=False),
    Column("title", String(300), nullable=False),
    Column("level", String(16), nullable=False),
    Column("level_rank", SmallInteger, nullable=False),
    Column("ts", Float, nullable=False),  # the alert's UtcTime as epoch seconds
    Column("status", String(16), nullable=False, default="new"),  # new | acknowledged | closed
    Column("assignee", String(100), nullable=True),
    Column("updated_at", Float, nullable=False),
    Column("body", Text, nullable=False),  # the Alert as JSON
)
Index("cw_alerts_ts", alerts.c.ts)
Index("cw_alerts_host_ts", alerts.c.host_id, alerts.c.ts)
Index("cw_alerts_status_ts", alerts.c.status, alerts.c.ts)

alert_notes = Table(
    "cw_alert_notes",
    metadata,
    Column("note_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("record_id", String(100), nullable=False),
    Column("at", Float, nullable=False),
    Column("author", String(200), nullable=False),
    Column("action", String(16), nullable=False),  # ack | assign | close | reopen | note
    Column("text", Text, nullable=False, default=""),
)
Index("cw_alert_notes_record", alert_notes.c.record_id, alert_notes.c.at)

# The fleet's headline counts, kept at ingest and sharded by host (collectors/fleet/counters.py).
fleet_counts = Table(
    "cw_fleet_counts",
    metadata,
    Column("shard", SmallInteger, primary_key=True, autoincrement=False),
    *(Column(name, BigInteger, nullable=False, default=0)
      for name in ("with_agent", "exposed", "running", "with_shell", "with_gmail", "with_slack")),
)
