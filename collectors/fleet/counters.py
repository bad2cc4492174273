"""The fleet's headline counts (hosts with an agent, exposed, running, with shell/Gmail/Slack), kept at ingest.

Counting them from ``cw_fleet_hosts`` on every console page costs a scan of every host (100,000 rows at fleet
size). Instead each applied snapshot adds its host's change of flags to a counter row, and the summary sums
``SHARDS`` rows. The counters are sharded by host so concurrent snapshots of different hosts rarely wait on
one row's lock; a snapshot that changes none of its host's flags (the common case: the same inventory
again) does not touch them at all. ``recount`` rebuilds them from the hosts table (repair) and tests compare the
two. The table is ``cw_fleet_counts`` (collectors/store/tables.py); its columns name the counts.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from collectors.fleet.grants import GRANT_BIT
from collectors.store import tables

SHARDS = 16
fleet_counts = tables.fleet_counts
COUNTS: tuple[str, ...] = tuple(column.name for column in fleet_counts.c if column.name != "shard")

Flags = tuple[int, ...]
NO_FLAGS: Flags = (0,) * len(COUNTS)


def flags(values: Mapping[Any, Any] | None) -> Flags:
    """What one host contributes to each count, from its ``cw_fleet_hosts`` values (None: no row)."""
    if values is None or not values["installs"]:
        return NO_FLAGS
    bits = int(values["grant_bits"])
    return (1, int(bool(values["exposed"])), int(bool(values["running"])), int(bool(bits & GRANT_BIT["shell"])),
            int(bool(bits & GRANT_BIT["gmail"])), int(bool(bits & GRANT_BIT["slack"])))


def shard_of(host_id: str) -> int:
    return zlib.crc32(host_id.encode()) % SHARDS


def apply_change(conn: Connection, host_id: str, before: Flags, after: Flags) -> None:
    """Move the counts by one host's change of flags, inside the caller's transaction."""
    delta = {name: new - old for name, old, new in zip(COUNTS, before, after, strict=True) if new != old}
    if not delta:
        return
    column = fleet_counts.c
    conn.execute(update(fleet_counts).where(column.shard == shard_of(host_id))
                 .values(**{name: column[name] + change for name, change in delta.items()}))


def read(conn: Connection) -> dict[str, int]:
    row = conn.execute(select(*(func.coalesce(func.sum(fleet_counts.c[name]), 0).label(name)
                                for name in COUNTS))).one()
    return {name: int(value) for name, value in row._mapping.items()}


def recount(conn: Connection) -> dict[str, int]:
    """Rebuild every shard from ``cw_fleet_hosts`` (one pass); returns the totals."""
    fh = tables.fleet_hosts
    shards = [[0] * len(COUNTS) for _ in range(SHARDS)]
    for row in conn.execute(select(fh.c.host_id, fh.c.installs, fh.c.exposed, fh.c.running, fh.c.grant_bits)):
        contribution = flags(row._mapping)
        target = shards[shard_of(row.host_id)]
        for index, value in enumerate(contribution):
            target[index] += value
    conn.execute(delete(fleet_counts))
    conn.execute(fleet_counts.insert(), [{"shard": shard, **dict(zip(COUNTS, values, strict=True))}
                                         for shard, values in enumerate(shards)])
    return read(conn)

