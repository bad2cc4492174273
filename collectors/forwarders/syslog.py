"""Syslog over TCP or TLS (RFC 5424 messages, RFC 6587 octet-counting framing; RFC 5425 for TLS).

Plain TCP syslog has no application acknowledgement: a batch counts as delivered when the kernel took
every byte and the connection was still open. Before each batch the connection is checked for a close
from the receiver, so a receiver that went away is noticed and the batch goes out on a new connection.
A receiver that crashes with bytes already accepted by its kernel can still lose them; use the HEC or
webhook forwarder where that matters.
"""

from __future__ import annotations

import socket
import ssl
from typing import Literal

from collectors.forwarders.formats import (
    DocumentFormat,
    cef_payload,
    json_payload,
    octet_counted,
    syslog_message,
)
from collectors.forwarders.sink import DeliveryError
from sensor.schema.alerts import Alert


class SyslogSink:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        payload: Literal["json", "cef"] = "json",
        document: DocumentFormat = "ecs",
        tls: ssl.SSLContext | None = None,
        server_name: str | None = None,
        facility: int = 10,
        timeout: float = 10.0,
        name: str = "syslog",
    ) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.payload = payload
        self.document = document
        self.tls = tls
        self.server_name = server_name or host
        self.facility = facility
        self.timeout = timeout
        self._sock: socket.socket | None = None

    def render(self, alert: Alert) -> bytes:
        body = cef_payload(alert) if self.payload == "cef" else json_payload(alert, self.document)
        return octet_counted(syslog_message(alert, body, facility=self.facility))

    def deliver(self, alerts: list[Alert]) -> None:
        data = b"".join(self.render(alert) for alert in alerts)
        sock = self._connection()
        try:
            sock.sendall(data)
        except (OSError, ssl.SSLError) as exc:
            self._drop_connection()
            raise DeliveryError(f"syslog {self.host}:{self.port}: send failed: {exc}") from exc
        if self._peer_closed(sock):
            self._drop_connection()
            raise DeliveryError(f"syslog {self.host}:{self.port}: receiver closed the connection")

    def _connection(self) -> socket.socket:
        if self._sock is not None and self._peer_closed(self._sock):
            self._drop_connection()
        if self._sock is None:
            try:
                raw = socket.create_connection((self.host, self.port), timeout=self.timeout)
                if self.tls is not None:
                    self._sock = self.tls.wrap_socket(raw, server_hostname=self.server_name)
                else:
                    self._sock = raw
            except (OSError, ssl.SSLError) as exc:
                raise DeliveryError(f"syslog {self.host}:{self.port}: cannot connect: {exc}") from exc
        return self._sock

    @staticmethod
    def _peer_closed(sock: socket.socket) -> bool:
        """True when the receiver closed or reset the connection (it never sends us data otherwise)."""
        try:
            sock.setblocking(False)
            try:
                if isinstance(sock, ssl.SSLSocket):
                    data = sock.recv(1)
                else:
                    data = sock.recv(1, socket.MSG_PEEK)
            finally:
                sock.setblocking(True)
                sock.settimeout(None)
        except (BlockingIOError, ssl.SSLWantReadError):
            return False
        except (OSError, ssl.SSLError):
            return True
        return data == b""

    def _drop_connection(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None

    def close(self) -> None:
        self._drop_connection()
