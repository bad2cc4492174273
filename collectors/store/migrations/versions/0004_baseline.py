"""Baseline: the schema as the numbered migrations (versions 1 to 4, ``cw_schema_version``) left it.

It creates every table, index and column of that schema a database lacks, so a new database and one any
numbered version made (1: hosts, tokens, enroll secrets, records; 2: the fleet tables and the cw_hosts.last_seen
index; 3: the headline counters; 4: the heartbeat-retention watermark) both come out the same. Headline
counters created here are filled from the fleet hosts already stored (their totals go in shard 0; only the sums
are ever read). The numbered history table is then dropped: from here on ``cw_alembic_version`` says the version.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = None

# Bits of the grants the counters count, in the grant order of version 4 (sensor/schema/inventory.py GRANTS).
_SHELL, _SLACK, _GMAIL = 1 << 0, 1 << 3, 1 << 4
_SHARDS = 16
_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cw_alert_notes",
        sa.Column("note_id", _SERIAL, autoincrement=True, nullable=False),
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("note_id"),
        if_not_exists=True,
    )
    op.create_index("cw_alert_notes_record", "cw_alert_notes", ["record_id", "at"], if_not_exists=True)
    op.create_table(
        "cw_alerts",
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("host_id", sa.String(length=64), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("alert_id", sa.String(length=100), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("level_rank", sa.SmallInteger(), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("record_id"),
        if_not_exists=True,
    )
    op.create_index("cw_alerts_host_ts", "cw_alerts", ["host_id", "ts"], if_not_exists=True)
    op.create_index("cw_alerts_status_ts", "cw_alerts", ["status", "ts"], if_not_exists=True)
    op.create_index("cw_alerts_ts", "cw_alerts", ["ts"], if_not_exists=True)
    op.create_table(
        "cw_enroll_secrets",
        sa.Column("secret_id", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=300), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("revoked_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("secret_id"),
        if_not_exists=True,
    )
    op.create_table(
        "cw_fleet_changes",
        sa.Column("change_id", _SERIAL, autoincrement=True, nullable=False),
        sa.Column("host_id", sa.String(length=64), nullable=False),
        sa.Column("install_id", sa.String(length=100), nullable=True),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("change", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("change_id"),
        if_not_exists=True,
    )
    op.create_index("cw_fleet_changes_host", "cw_fleet_changes", ["host_id", "at"], if_not_exists=True)
    op.create_table(
        "cw_fleet_counts",
        sa.Column("shard", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("with_agent", sa.BigInteger(), nullable=False),
        sa.Column("exposed", sa.BigInteger(), nullable=False),
        sa.Column("running", sa.BigInteger(), nullable=False),
        sa.Column("with_shell", sa.BigInteger(), nullable=False),
        sa.Column("with_gmail", sa.BigInteger(), nullable=False),
        sa.Column("with_slack", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shard"),
        if_not_exists=True,
    )
    op.create_table(
        "cw_fleet_hosts",
        sa.Column("host_id", sa.String(length=64), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("os", sa.String(length=32), nullable=False),
        sa.Column("inventory_seq", sa.BigInteger(), nullable=False),
        sa.Column("inventory_at", sa.Float(), nullable=False),
        sa.Column("scanned_at", sa.String(length=40), nullable=False),
        sa.Column("installs", sa.Integer(), nullable=False),
        sa.Column("running", sa.Boolean(), nullable=False),
        sa.Column("exposed", sa.Boolean(), nullable=False),
        sa.Column("grant_bits", sa.Integer(), nullable=False),
        sa.Column("products", sa.String(length=100), nullable=False),
        sa.Column("owners", sa.String(length=500), nullable=False),
        sa.Column("versions", sa.String(length=200), nullable=False),
        sa.Column("max_severity", sa.SmallInteger(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("host_id"),
        if_not_exists=True,
    )
    op.create_index("cw_fleet_hosts_exposed", "cw_fleet_hosts", ["exposed", "hostname"], if_not_exists=True)
    op.create_index("cw_fleet_hosts_hostname", "cw_fleet_hosts", ["hostname", "host_id"], if_not_exists=True)
    op.create_table(
        "cw_fleet_installs",
        sa.Column("host_id", sa.String(length=64), nullable=False),
        sa.Column("install_id", sa.String(length=100), nullable=False),
        sa.Column("product", sa.String(length=16), nullable=False),
        sa.Column("variant", sa.String(length=100), nullable=False),
        sa.Column("state_dir", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.Column("version_key", sa.String(length=64), nullable=False),
        sa.Column("layout", sa.String(length=16), nullable=False),
        sa.Column("running", sa.Boolean(), nullable=False),
        sa.Column("exposed", sa.Boolean(), nullable=False),
        sa.Column("grant_bits", sa.Integer(), nullable=False),
        sa.Column("listeners", sa.JSON(), nullable=True),
        sa.Column("exposure", sa.JSON(), nullable=True),
        sa.Column("credential_kinds", sa.JSON(), nullable=True),
        sa.Column("finding_ids", sa.JSON(), nullable=True),
        sa.Column("first_seen", sa.Float(), nullable=False),
        sa.Column("last_seen", sa.Float(), nullable=False),
        sa.Column("removed_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("host_id", "install_id"),
        if_not_exists=True,
    )
    op.create_index("cw_fleet_installs_owner", "cw_fleet_installs", ["owner"], if_not_exists=True)
    op.create_index("cw_fleet_installs_version", "cw_fleet_installs", ["version_key"], if_not_exists=True)
    op.create_table(
        "cw_hosts",
        sa.Column("host_id", sa.String(length=64), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("sensor_version", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.Float(), nullable=False),
        sa.Column("last_seen", sa.Float(), nullable=True),
        sa.Column("last_addr", sa.String(length=64), nullable=True),
        sa.Column("max_seq", sa.BigInteger(), nullable=False),
        sa.Column("record_count", sa.BigInteger(), nullable=False),
        sa.Column("duplicate_count", sa.BigInteger(), nullable=False),
        sa.Column("spool_dropped_total", sa.BigInteger(), nullable=False),
        sa.Column("spool_rejected_total", sa.BigInteger(), nullable=False),
        sa.Column("spool_dropped_by_severity", sa.JSON(), nullable=True),
        sa.Column("spool_bytes", sa.BigInteger(), nullable=True),
        sa.Column("spool_records", sa.BigInteger(), nullable=True),
        sa.Column("pruned_through_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("host_id"),
        if_not_exists=True,
    )
    op.create_index("cw_hosts_last_seen", "cw_hosts", ["last_seen"], if_not_exists=True)
    op.create_table(
        "cw_records",
        sa.Column("host_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("host_id", "seq", name="cw_records_pk"),
        if_not_exists=True,
    )
    op.create_index("cw_records_kind_received", "cw_records", ["kind", "received_at"], if_not_exists=True)
    op.create_index("cw_records_received", "cw_records", ["received_at"], if_not_exists=True)
    op.create_table(
        "cw_tokens",
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("host_id", sa.String(length=64), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("revoked_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("token_id"),
        sa.UniqueConstraint("token_hash"),
        if_not_exists=True,
    )
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("cw_hosts")}
    if "pruned_through_seq" not in columns:  # a database of numbered version 1 to 3
        op.add_column("cw_hosts", sa.Column("pruned_through_seq", sa.BigInteger(), server_default="0",
                                            nullable=False))
    _fill_counts()
    op.execute("DROP TABLE IF EXISTS cw_schema_version")


def _fill_counts() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM cw_fleet_counts")).scalar_one():
        return
    hosts = sa.table("cw_fleet_hosts", sa.column("installs", sa.Integer()), sa.column("exposed", sa.Boolean()),
                     sa.column("running", sa.Boolean()), sa.column("grant_bits", sa.Integer()))
    agent = hosts.c.installs > 0

    def hosts_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((sa.and_(agent, condition), 1), else_=0)), 0)

    def granted(bit: int) -> sa.ColumnElement[bool]:
        return hosts.c.grant_bits.op("&")(bit) != 0

    totals = bind.execute(sa.select(
        hosts_where(sa.true()), hosts_where(hosts.c.exposed), hosts_where(hosts.c.running),
        hosts_where(granted(_SHELL)), hosts_where(granted(_GMAIL)), hosts_where(granted(_SLACK)),
    )).one()
    names = ("with_agent", "exposed", "running", "with_shell", "with_gmail", "with_slack")
    rows = [{"shard": shard, **dict.fromkeys(names, 0)} for shard in range(_SHARDS)]
    rows[0].update(zip(names, (int(value) for value in totals), strict=True))
    op.bulk_insert(sa.table("cw_fleet_counts", sa.column("shard"), *(sa.column(name) for name in names)), rows)


def downgrade() -> None:
    raise NotImplementedError("the collector's schema only moves forward")
