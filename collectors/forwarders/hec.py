"""Splunk HTTP Event Collector: ``POST /services/collector/event`` with ``Authorization: Splunk <token>``.

With ``use_ack`` (indexer acknowledgement) every request carries ``X-Splunk-Request-Channel``; the
response's ``ackId`` is polled at ``/services/collector/ack`` until Splunk reports it indexed. Only
then is the batch removed from the queue; if the ack does not come within ``ack_timeout`` the batch
is sent again (at-least-once, as Splunk documents for HEC with acknowledgement). Without ``use_ack``
an HTTP 200 with ``code: 0`` counts as delivered.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson
import requests

from collectors.exports.fields import epoch_ms
from collectors.forwarders.formats import DocumentFormat, document
from collectors.forwarders.sink import DeliveryError, RejectedBatch
from sensor.schema.alerts import Alert

_JSON = {"Content-Type": "application/json"}
_RETRYABLE_STATUS = {401, 403, 404, 408, 429}


class HecSink:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        document_format: DocumentFormat = "ecs",
        index: str | None = None,
        sourcetype: str | None = None,
        use_ack: bool = False,
        ack_timeout: float = 30.0,
        ack_poll: float = 0.2,
        verify: bool | str = True,
        timeout: float = 10.0,
        name: str = "hec",
    ) -> None:
        self.name = name
        self.base = url.rstrip("/")
        self.document_format = document_format
        self.index = index
        self.sourcetype = sourcetype or f"clawwatch:alert:{document_format}"
        self.use_ack = use_ack
        self.ack_timeout = ack_timeout
        self.ack_poll = ack_poll
        self.timeout = timeout
        self.channel = str(uuid.uuid4())
        self._session = requests.Session()
        self._session.verify = verify
        self._session.headers["Authorization"] = f"Splunk {token}"
        self._session.headers["X-Splunk-Request-Channel"] = self.channel

    def event_envelope(self, alert: Alert) -> dict[str, Any]:
        ms = epoch_ms(alert.UtcTime)
        envelope: dict[str, Any] = {
            "time": ms / 1000 if ms is not None else None,
            "host": alert.Hostname,
            "source": "clawwatch",
            "sourcetype": self.sourcetype,
            "event": document(alert, self.document_format),
        }
        if self.index:
            envelope["index"] = self.index
        if envelope["time"] is None:  # the alert's time did not read: HEC takes the time it receives it
            del envelope["time"]
        return envelope

    def deliver(self, alerts: list[Alert]) -> None:
        body = b"\n".join(orjson.dumps(self.event_envelope(alert)) for alert in alerts)
        reply = self._post("/services/collector/event", body)
        if self.use_ack:
            ack_id = reply.get("ackId")
            if not isinstance(ack_id, int):
                raise DeliveryError(f"{self.name}: indexer acknowledgement requested but no ackId returned")
            self._wait_for_ack(ack_id)

    def _post(self, path: str, body: bytes) -> dict[str, Any]:
        try:
            response = self._session.post(
                self.base + path, data=body, timeout=self.timeout, headers=_JSON
            )
        except requests.RequestException as exc:
            raise DeliveryError(f"{self.name}: {exc.__class__.__name__}: {exc}") from exc
        try:
            reply = response.json()
        except ValueError:
            reply = {}
        if not isinstance(reply, dict):
            reply = {}
        if response.status_code == 200 and reply.get("code", 0) == 0:
            return reply
        detail = f"HTTP {response.status_code} {reply.get('text', '')}".strip()
        if 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_STATUS:
            raise RejectedBatch(f"{self.name}: {detail}")
        raise DeliveryError(f"{self.name}: {detail}")

    def _wait_for_ack(self, ack_id: int) -> None:
        deadline = time.monotonic() + self.ack_timeout
        while True:
            reply = self._post("/services/collector/ack", orjson.dumps({"acks": [ack_id]}))
            acks = reply.get("acks")
            if isinstance(acks, dict) and acks.get(str(ack_id)) is True:
                return
            if time.monotonic() >= deadline:
                raise DeliveryError(f"{self.name}: ackId {ack_id} not acknowledged in {self.ack_timeout}s")
            time.sleep(self.ack_poll)

    def close(self) -> None:
        self._session.close()
