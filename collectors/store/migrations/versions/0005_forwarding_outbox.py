"""The forwarding outbox: alerts a committed ingest stored, until a collector's relay hands them to its forwarders."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "cw_forward_outbox",
        sa.Column("outbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
                  nullable=False),
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("queued_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("outbox_id"),
    )


def downgrade() -> None:
    raise NotImplementedError("the collector's schema only moves forward")
