"""Forwarder configuration (a JSON file) -> running forwarders.

The collector reads it from the file named by ``CLAWWATCH_FORWARDERS``::

    {
      "queue_dir": "/var/lib/clawwatch/forward",      # one directory per collector process
      "queue_max_bytes": 67108864,                   # per forwarder
      "min_level": "low",                            # alerts below this level are not forwarded
      "forwarders": [
        {"type": "syslog", "name": "qradar", "host": "siem.corp", "port": 6514, "tls": true,
         "ca_bundle": "/etc/ssl/corp-ca.pem", "payload": "cef"},
        {"type": "hec", "name": "splunk", "url": "https://splunk.corp:8088", "token_env": "SPLUNK_HEC_TOKEN",
         "use_ack": true, "document": "ecs", "index": "security"},
        {"type": "webhook", "name": "soar", "url": "https://soar.corp/hooks/clawwatch", "document": "ocsf",
         "headers_env": {"Authorization": "SOAR_AUTH_HEADER"}}
      ]
    }

Secrets (HEC token, webhook headers) are read from the environment variables named, never kept in the file.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from collectors.forwarders.forwarder import Forwarder
from collectors.forwarders.hec import HecSink
from collectors.forwarders.queue import SqliteForwardQueue
from collectors.forwarders.sink import Sink
from collectors.forwarders.syslog import SyslogSink
from collectors.forwarders.webhook import WebhookSink

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
Level = Literal["informational", "low", "medium", "high", "critical"]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    document: Literal["ecs", "ocsf"] = "ecs"
    batch_size: int = Field(default=100, ge=1, le=5000)


class SyslogConfig(_Base):
    type: Literal["syslog"]
    host: str
    port: int = Field(ge=1, le=65535)
    tls: bool = False
    ca_bundle: str | None = None
    server_name: str | None = None
    payload: Literal["json", "cef"] = "json"
    facility: int = Field(default=10, ge=0, le=23)


class HecConfig(_Base):
    type: Literal["hec"]
    url: str
    token_env: str
    index: str | None = None
    sourcetype: str | None = None
    use_ack: bool = False
    ack_timeout: float = Field(default=30.0, gt=0)
    ca_bundle: str | None = None


class WebhookConfig(_Base):
    type: Literal["webhook"]
    url: str
    headers_env: dict[str, str] = Field(default_factory=dict, description="header name -> env variable")
    ca_bundle: str | None = None


class ForwardingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue_dir: Path
    queue_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    min_level: Level = "informational"
    forwarders: list[Annotated[SyslogConfig | HecConfig | WebhookConfig, Field(discriminator="type")]]


class ConfigError(ValueError):
    pass


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"environment variable {name} (named in the forwarder config) is not set")
    return value


def build_sink(item: SyslogConfig | HecConfig | WebhookConfig) -> Sink:
    if isinstance(item, SyslogConfig):
        context = ssl.create_default_context(cafile=item.ca_bundle) if item.tls else None
        return SyslogSink(item.host, item.port, payload=item.payload, document=item.document, tls=context,
                          server_name=item.server_name, facility=item.facility, name=item.name)
    if isinstance(item, HecConfig):
        return HecSink(item.url, _env(item.token_env), document_format=item.document, index=item.index,
                       sourcetype=item.sourcetype, use_ack=item.use_ack, ack_timeout=item.ack_timeout,
                       verify=item.ca_bundle or True, name=item.name)
    headers = {header: _env(variable) for header, variable in item.headers_env.items()}
    return WebhookSink(item.url, document_format=item.document, headers=headers, verify=item.ca_bundle or True,
                       name=item.name)


def load(path: Path) -> ForwardingConfig:
    try:
        return ForwardingConfig.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read forwarder config {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(f"forwarder config {path} is invalid: {exc}") from None


def build_forwarders(config: ForwardingConfig) -> list[Forwarder]:
    forwarders = []
    for item in config.forwarders:
        queue = SqliteForwardQueue(config.queue_dir / f"{item.name}.db", config.queue_max_bytes)
        forwarders.append(Forwarder(build_sink(item), queue, batch_size=item.batch_size))
    return forwarders
