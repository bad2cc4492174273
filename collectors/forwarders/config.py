"""Forwarder configuration (a JSON file) -> running forwarders.

``clawwatch collector serve --forwarders FILE`` (default: the environment variable ``CLAWWATCH_FORWARDERS``)
reads it and builds the forwarders before it binds its socket: a file that is missing, not JSON or not
valid against the models below stops the start with a ``ConfigError`` that names the file and each
problem's location (``forwarders[1].port: ...``), never the values found there::

    {
      "queue_dir": "/var/lib/clawwatch/forward",      # one directory per collector process
      "queue_max_bytes": 67108864,                   # per forwarder
      "min_level": "low",                            # alerts below this level are not forwarded
      "outbox_poll_seconds": 1.0,                    # how often this process looks for alerts others stored
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

import json
import os
import sqlite3
import ssl
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from collectors.forwarders.forwarder import Forwarder
from collectors.forwarders.hec import HecSink
from collectors.forwarders.queue import SqliteForwardQueue
from collectors.forwarders.sink import Sink
from collectors.forwarders.syslog import SyslogSink
from collectors.forwarders.webhook import WebhookSink
from sensor.schema.vocabulary import Level

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$",
                                description="name of an environment variable (the secret's value stays there)")]


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
    token_env: EnvName
    index: str | None = None
    sourcetype: str | None = None
    use_ack: bool = False
    ack_timeout: float = Field(default=30.0, gt=0)
    ca_bundle: str | None = None


class WebhookConfig(_Base):
    type: Literal["webhook"]
    url: str
    headers_env: dict[str, EnvName] = Field(default_factory=dict, description="header name -> env variable")
    ca_bundle: str | None = None


class ForwardingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue_dir: Path
    queue_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    min_level: Level = Level.informational
    outbox_poll_seconds: float = Field(default=1.0, gt=0, le=60,
                                       description="how often the outbox is read besides after each ingest")
    forwarders: list[Annotated[SyslogConfig | HecConfig | WebhookConfig, Field(discriminator="type")]]


class ConfigError(ValueError):
    """A forwarder config that cannot be used; the message names the file and never a value from it."""


_TYPES = ("syslog", "hec", "webhook")
_SECRET_HINT = {"token": "token_env", "headers": "headers_env"}
_MAX_PROBLEMS = 8


def _where(loc: Sequence[int | str]) -> str:
    """('forwarders', 1, 'syslog', 'port') -> 'forwarders[1].port' (the union tag is left out)."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        elif i > 0 and isinstance(loc[i - 1], int) and part in _TYPES:
            continue
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def _problem(error: dict[str, object]) -> str:
    """One validation error as 'location: message'; pydantic's input value is never included."""
    loc = error["loc"]
    where = _where(loc if isinstance(loc, tuple) else ())
    kind = error["type"]
    ctx = error.get("ctx")
    if kind == "union_tag_invalid" and isinstance(ctx, dict):  # its message repeats the tag found
        return f"{where}: unknown type; expected one of {ctx.get('expected_tags')}"
    message = str(error["msg"])
    last = loc[-1] if isinstance(loc, tuple) and loc else None
    if kind == "string_pattern_mismatch" and isinstance(loc, tuple) and ({"token_env", "headers_env"} & set(loc)):
        return f"{where}: not an environment variable name (name the variable that holds the secret, not the secret)"
    if kind == "extra_forbidden" and last in _SECRET_HINT:
        message += f" (secrets stay out of the file: name the environment variable holding it in {_SECRET_HINT[last]})"
    return f"{where}: {message}"


def load(path: Path) -> ForwardingConfig:
    """Read and validate the file; ConfigError (file named, values from it never echoed) otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read forwarder config {path}: {exc.strerror or exc.__class__.__name__}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"forwarder config {path} is not valid JSON: {exc.msg} at line {exc.lineno} "
                          f"column {exc.colno}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"forwarder config {path} is not UTF-8 text (byte offset {exc.start})") from None
    except RecursionError:
        raise ConfigError(f"forwarder config {path} is nested too deeply") from None
    try:
        return ForwardingConfig.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        problems = [_problem(dict(error)) for error in errors[:_MAX_PROBLEMS]]
        if len(errors) > _MAX_PROBLEMS:
            problems.append(f"and {len(errors) - _MAX_PROBLEMS} more")
        raise ConfigError(f"forwarder config {path} is invalid: {'; '.join(problems)}") from None


def _env(name: str, where: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"{where}: environment variable {name} is not set")
    return value


def build_sink(item: SyslogConfig | HecConfig | WebhookConfig, where: str = "forwarder") -> Sink:
    if isinstance(item, SyslogConfig):
        context = ssl.create_default_context(cafile=item.ca_bundle) if item.tls else None
        return SyslogSink(item.host, item.port, payload=item.payload, document=item.document, tls=context,
                          server_name=item.server_name, facility=item.facility, name=item.name)
    if isinstance(item, HecConfig):
        return HecSink(item.url, _env(item.token_env, f"{where}.token_env"), document_format=item.document,
                       index=item.index, sourcetype=item.sourcetype, use_ack=item.use_ack,
                       ack_timeout=item.ack_timeout, verify=item.ca_bundle or True, name=item.name)
    headers = {header: _env(variable, f"{where}.headers_env.{header}") for header, variable in item.headers_env.items()}
    return WebhookSink(item.url, document_format=item.document, headers=headers, verify=item.ca_bundle or True,
                       name=item.name)


def build_forwarders(config: ForwardingConfig, path: Path | str = "") -> list[Forwarder]:
    """The forwarders the config describes, queues opened, threads not started.

    Raises ConfigError for what only shows when building: an unset secret variable, an unreadable
    ``ca_bundle``, an unusable ``queue_dir``, two forwarders with one name (they would share a queue).
    """
    label = f"forwarder config {path}" if path else "forwarder config"
    names = [item.name for item in config.forwarders]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"{label} is invalid: forwarder names must be unique ({', '.join(duplicates)})")
    forwarders: list[Forwarder] = []
    try:
        for index, item in enumerate(config.forwarders):
            where = f"forwarders[{index}]"
            if item.ca_bundle and not Path(item.ca_bundle).is_file():
                raise ConfigError(f"{where}.ca_bundle: {item.ca_bundle} is not a readable file")
            try:
                sink = build_sink(item, where)
            except ssl.SSLError as exc:  # a syslog ca_bundle that is not PEM certificates
                raise ConfigError(f"{where}.ca_bundle: cannot load {item.ca_bundle}: {exc.reason or exc}") from None
            except OSError as exc:
                raise ConfigError(f"{where}.ca_bundle: cannot load {item.ca_bundle}: "
                                  f"{exc.strerror or exc.__class__.__name__}") from None
            try:
                queue = SqliteForwardQueue(config.queue_dir / f"{item.name}.db", config.queue_max_bytes)
            except (OSError, sqlite3.Error) as exc:
                sink.close()
                detail = getattr(exc, "strerror", None) or str(exc)
                raise ConfigError(f"queue_dir: cannot open the queue of {where} in {config.queue_dir}: {detail}") \
                    from None
            forwarders.append(Forwarder(sink, queue, batch_size=item.batch_size))
    except ConfigError as exc:
        for forwarder in forwarders:
            forwarder.stop()
        message = str(exc)
        raise ConfigError(message if message.startswith(label) else f"{label}: {message}") from None
    return forwarders
