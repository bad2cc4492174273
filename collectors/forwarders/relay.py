"""The running forwarders of one collector process, fed from the database's outbox after each ingest commits.

``clawwatch collector serve --forwarders FILE`` builds a ``Forwarding`` (``config.load`` + ``config.build_forwarders``)
and hands it to the app, which runs an ``OutboxRelay`` for as long as it serves (no module state: the relay is the
app's). Ingest queues each newly stored alert at or above ``min_level`` in the outbox inside its transaction
(collectors/store/outbox.py) and wakes the relay once that transaction committed; the relay also polls every
``poll_seconds`` (rows another process stored, or left by a process that died). A rolled-back ingest forwards
nothing, a retried batch is not forwarded again, and processes sharing one PostgreSQL each claim different rows.
Delivery to the receivers stays at-least-once (collectors/forwarders/forwarder.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from collectors.forwarders.forwarder import Forwarder
from collectors.store import Store, outbox
from sensor.schema.vocabulary import Level

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Forwarding:
    """Built (not yet started) forwarders, the lowest alert level they get, and how often the outbox is polled."""

    forwarders: Sequence[Forwarder]
    min_level: Level = Level.informational
    poll_seconds: float = 1.0

    @property
    def min_rank(self) -> int:
        return self.min_level.rank


class OutboxRelay:
    """A thread that moves alerts from the outbox into this process's forwarder queues."""

    def __init__(self, store: Store, forwarding: Forwarding, batch: int = 200) -> None:
        self.store = store
        self.forwarding = forwarding
        self.batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def min_rank(self) -> int:
        return self.forwarding.min_rank

    def start(self) -> None:
        for forwarder in self.forwarding.forwarders:
            forwarder.start()
        if self.forwarding.forwarders:
            log.info("forwarding alerts to %s", ", ".join(f.sink.name for f in self.forwarding.forwarders))
        self._thread = threading.Thread(target=self._loop, name="forwarding-outbox-relay", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Ingest committed alerts to the outbox: move them now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        for forwarder in self.forwarding.forwarders:
            forwarder.stop()

    def relay_once(self) -> int:
        """Claim one batch of outbox rows, queue them with every forwarder, delete them; returns how many."""
        with self.store.reader() as conn:
            if not outbox.pending(conn):
                return 0
        with self.store.engine.begin() as conn:
            items = outbox.claim(conn, self.batch)
            payloads = [item.body.encode() for item in items if item.body is not None]
            for forwarder in self.forwarding.forwarders:
                try:
                    forwarder.enqueue_many(payloads)
                except Exception:  # one unusable queue (a full disk) must not hold up the others; it counts its drops
                    log.exception("forwarder %s: could not queue %d alerts", forwarder.sink.name, len(payloads))
            outbox.remove(conn, [item.outbox_id for item in items])
        return len(items)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                moved = self.relay_once()
            except Exception as exc:  # the database may be away for a while: the rows wait, the next round retries
                log.warning("forwarding outbox: %s", exc)
                moved = 0
            if moved < self.batch:
                self._wake.wait(self.forwarding.poll_seconds)
                self._wake.clear()
