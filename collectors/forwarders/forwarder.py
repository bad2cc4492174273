"""A forwarder: its own bounded disk queue, one sink, and a thread that drains the queue with retry.

``submit(alert)`` (or ``enqueue_many`` with the alerts' JSON) writes to the queue and returns at once. The thread
sends batches; an item leaves the queue only after the sink delivered it (at-least-once: after a failure that
happened once the receiver had the batch, the batch is sent again). Failures back off exponentially with jitter up
to ``max_backoff`` seconds; a batch the receiver rejects as malformed is dropped and counted.
"""

from __future__ import annotations

import logging
import random
import threading
import time

from pydantic import ValidationError

from collectors import metrics
from collectors.forwarders.queue import ForwardQueue
from collectors.forwarders.sink import DeliveryError, RejectedBatch, Sink
from sensor.schema.alerts import Alert

log = logging.getLogger(__name__)


class Forwarder:
    def __init__(
        self,
        sink: Sink,
        queue: ForwardQueue,
        *,
        batch_size: int = 100,
        initial_backoff: float = 0.5,
        max_backoff: float = 60.0,
        idle_wait: float = 1.0,
    ) -> None:
        self.sink = sink
        self.queue = queue
        self.batch_size = batch_size
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.idle_wait = idle_wait
        self.errors = 0
        self.sent = 0
        self.rejected = 0
        self.last_error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._labels = {"forwarder": sink.name}
        self._report_depth()

    def submit(self, alert: Alert) -> None:
        self.enqueue_many([alert.model_dump_json(exclude_none=True).encode()])

    def enqueue_many(self, payloads: list[bytes]) -> None:
        """Queue alerts given as their stored JSON (what the outbox relay hands over)."""
        for payload in payloads:
            self.queue.put(payload)
        self._report_depth()
        self._wake.set()

    def start(self) -> Forwarder:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"forwarder-{self.sink.name}", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.sink.close()
        self.queue.close()

    def drain_once(self) -> int:
        """Send one batch; returns how many items left the queue. Raises DeliveryError on failure."""
        items = self.queue.peek(self.batch_size)
        if not items:
            return 0
        alerts: list[Alert] = []
        ids: list[int] = []
        unreadable: list[int] = []
        for item in items:
            try:
                alerts.append(Alert.model_validate_json(item.payload))
                ids.append(item.item_id)
            except ValidationError:
                unreadable.append(item.item_id)
        if unreadable:
            self.queue.ack(unreadable)
            self._count_rejected(len(unreadable))
        if alerts:
            try:
                self.sink.deliver(alerts)
            except RejectedBatch as exc:
                log.warning("forwarder %s: batch of %d rejected, dropped: %s", self.sink.name, len(ids), exc)
                self.queue.ack(ids)
                self._count_rejected(len(ids))
                return len(items)
            self.queue.ack(ids)
            self.sent += len(ids)
            metrics.FORWARDER_SENT.labels(**self._labels).inc(len(ids))
        self._report_depth()
        return len(items)

    def _run(self) -> None:
        backoff = self.initial_backoff
        while not self._stop.is_set():
            try:
                moved = self.drain_once()
            except DeliveryError as exc:
                self.errors += 1
                self.last_error = str(exc)
                metrics.FORWARDER_ERRORS.labels(**self._labels).inc()
                log.info("forwarder %s: %s; retry in %.1fs", self.sink.name, exc, backoff)
                self._stop.wait(backoff * random.uniform(0.5, 1.0))
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = self.initial_backoff
            if moved == 0:
                self._wake.wait(self.idle_wait)
                self._wake.clear()

    def wait_empty(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.queue.depth() == 0:
                return True
            time.sleep(0.05)
        return self.queue.depth() == 0

    def _count_rejected(self, count: int) -> None:
        self.rejected += count
        metrics.FORWARDER_REJECTED.labels(**self._labels).inc(count)

    def _report_depth(self) -> None:
        metrics.FORWARDER_QUEUE_DEPTH.labels(**self._labels).set(self.queue.depth())
        metrics.FORWARDER_DROPPED.labels(**self._labels).set(self.queue.dropped())
