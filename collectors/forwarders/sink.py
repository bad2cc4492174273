"""The interface every forwarder destination implements, and the errors that steer retries."""

from __future__ import annotations

from typing import Protocol

from sensor.schema.alerts import Alert


class DeliveryError(Exception):
    """The batch was not delivered; it stays queued and is retried with backoff."""


class RejectedBatch(Exception):
    """The receiver refused the batch as malformed; a retry would never succeed. Dropped and counted."""


class Sink(Protocol):
    name: str

    def deliver(self, alerts: list[Alert]) -> None:
        """Deliver the whole batch or raise DeliveryError / RejectedBatch."""
        ...

    def close(self) -> None: ...
