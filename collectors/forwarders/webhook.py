"""Generic webhook: ``POST`` a JSON array of ECS or OCSF documents; any 2xx means delivered."""

from __future__ import annotations

import orjson
import requests

from collectors.forwarders.formats import DocumentFormat, document
from collectors.forwarders.sink import DeliveryError, RejectedBatch
from sensor.schema.alerts import Alert

_RETRYABLE_STATUS = {401, 403, 404, 408, 409, 425, 429}


class WebhookSink:
    def __init__(
        self,
        url: str,
        *,
        document_format: DocumentFormat = "ecs",
        headers: dict[str, str] | None = None,
        verify: bool | str = True,
        timeout: float = 10.0,
        name: str = "webhook",
    ) -> None:
        self.name = name
        self.url = url
        self.document_format = document_format
        self.timeout = timeout
        self._session = requests.Session()
        self._session.verify = verify
        self._session.headers.update(headers or {})
        self._session.headers["Content-Type"] = "application/json"

    def deliver(self, alerts: list[Alert]) -> None:
        body = orjson.dumps([document(alert, self.document_format) for alert in alerts])
        try:
            response = self._session.post(self.url, data=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise DeliveryError(f"{self.name}: {exc.__class__.__name__}: {exc}") from exc
        if 200 <= response.status_code < 300:
            return
        detail = f"{self.name}: HTTP {response.status_code}"
        if 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_STATUS:
            raise RejectedBatch(detail)
        raise DeliveryError(detail)

    def close(self) -> None:
        self._session.close()
