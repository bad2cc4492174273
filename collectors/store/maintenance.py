"""Table upkeep on a timer: heartbeat retention (collectors/store/retention.py), and the VACUUM (ANALYZE) the
database would normally do itself, when PostgreSQL's autovacuum is off.

Every heartbeat rewrites its host's ``cw_hosts`` row and every snapshot its fleet rows. PostgreSQL's
autovacuum reclaims the dead versions, keeps index-only scans possible (visibility map) and keeps the
planner's statistics current (which hosts are stale, how versions spread). Some servers run with it off
(this project's CI machines do); then query plans go stale with the fleet and tables bloat. In that case
the collector does the upkeep of its own tables on a timer, one collector process per schema at a time
(a session advisory lock keyed by the schema's name), and logs that it does. Nothing happens on SQLite or
when autovacuum is on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

from collectors.store import retention
from collectors.store.database import Store
from collectors.store.tables import metadata

log = logging.getLogger(__name__)

_LOCK_KEY = 0x436C6177 + 1  # beside the migration lock key
_RETENTION_LOCK_KEY = _LOCK_KEY + 1
# Two-key form: (clawwatch upkeep, this schema), so deployments sharing one server do not wait on each other.
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:key, hashtext(current_schema()))")
_UNLOCK = text("SELECT pg_advisory_unlock(:key, hashtext(current_schema()))")
DEFAULT_INTERVAL_S = 300.0
FIRST_RUN_AFTER_S = 60.0


def autovacuum_off(store: Store) -> bool:
    if store.dialect != "postgresql":
        return False
    with store.reader() as conn:
        settings = {name: str(conn.execute(text(f"SHOW {name}")).scalar_one())
                    for name in ("autovacuum", "track_counts")}
    return "off" in settings.values()


@contextmanager
def upkeep_lock(conn: Connection, key: int) -> Iterator[bool]:
    """Hold the (``key``, this schema) session advisory lock on ``conn`` if no other collector holds it; yields
    whether it was taken. Always taken on SQLite, whose single writer needs no such lock."""
    if conn.dialect.name != "postgresql":
        yield True
        return
    if not conn.execute(_TRY_LOCK, {"key": key}).scalar_one():
        yield False
        return
    try:
        yield True
    finally:
        conn.execute(_UNLOCK, {"key": key})


def vacuum_analyze(store: Store) -> list[str]:
    """VACUUM (ANALYZE) every collector table, unless another collector holds the upkeep lock; returns what ran."""
    names = sorted(name for name in metadata.tables)
    done: list[str] = []
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn, \
            upkeep_lock(conn, _LOCK_KEY) as mine:  # VACUUM: no transaction
        if not mine:
            return done
        quote = conn.dialect.identifier_preparer.quote
        for name in names:
            conn.execute(text(f"VACUUM (ANALYZE) {quote(name)}"))
            done.append(name)
    return done


def prune_heartbeats(store: Store, older_than_s: float) -> int:
    """Heartbeat retention, by one collector process per schema at a time (the others skip the round)."""
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn, \
            upkeep_lock(conn, _RETENTION_LOCK_KEY) as mine:
        return retention.prune_heartbeats(store, older_than_s) if mine else 0


class TableUpkeep:
    """A daemon thread that, every ``interval`` seconds while the collector serves, prunes old heartbeats
    (``heartbeat_retention_s``; None keeps them) and, when ``vacuum`` is set, vacuums and analyzes the tables."""

    def __init__(self, store: Store, interval: float = DEFAULT_INTERVAL_S, first_after: float = FIRST_RUN_AFTER_S,
                 *, vacuum: bool = True, heartbeat_retention_s: float | None = None) -> None:
        self.store = store
        self.interval = interval
        self.first_after = first_after
        self.vacuum = vacuum
        self.heartbeat_retention_s = heartbeat_retention_s
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="clawwatch-table-upkeep", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def run_once(self) -> None:
        if self.heartbeat_retention_s is not None:
            pruned = prune_heartbeats(self.store, self.heartbeat_retention_s)
            if pruned:
                log.info("heartbeat retention: %d heartbeat and health records pruned", pruned)
        if self.vacuum:
            vacuum_analyze(self.store)
        self.runs += 1

    def _loop(self) -> None:
        wait = self.first_after
        while not self._stop.wait(wait):
            wait = self.interval
            try:
                self.run_once()
            except Exception as exc:  # a failed upkeep run must never stop the collector; the next run retries
                log.warning("table upkeep failed: %s", exc)


def start_if_needed(store: Store, interval: float = DEFAULT_INTERVAL_S, first_after: float = FIRST_RUN_AFTER_S,
                    heartbeat_retention_s: float | None = None) -> TableUpkeep | None:
    """Start the upkeep thread when there is something to do: heartbeats to prune, or vacuuming because
    PostgreSQL's autovacuum is off."""
    vacuum = autovacuum_off(store)
    if not vacuum and heartbeat_retention_s is None:
        return None
    upkeep = TableUpkeep(store, interval, first_after, vacuum=vacuum, heartbeat_retention_s=heartbeat_retention_s)
    upkeep.start()
    return upkeep
