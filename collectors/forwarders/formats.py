"""Payloads the forwarders send: JSON (ECS or OCSF document), CEF, and RFC 5424 syslog framing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

import orjson

from collectors.exports.ecs import alert_to_ecs
from collectors.exports.fields import epoch_ms, event_fields
from collectors.exports.ocsf import alert_to_ocsf
from sensor.schema.alerts import Alert
from sensor.schema.timestamps import format_utc
from sensor.schema.version import __version__

DocumentFormat = Literal["ecs", "ocsf"]
PayloadFormat = Literal["json", "cef"]

MAPPERS: dict[str, Callable[[Alert], dict[str, Any]]] = {"ecs": alert_to_ecs, "ocsf": alert_to_ocsf}

# RFC 5424 section 6.2.1 severities per Sigma level.
_SYSLOG_SEVERITY = (6, 5, 4, 3, 2)  # informational->info ... critical->crit
_CEF_SEVERITY = (1, 3, 5, 8, 10)
# 32473 is the private enterprise number RFC 5612 reserves for documentation; SD-ID is ours.
SD_ID = "clawwatch@32473"
_PRINTUSASCII = re.compile(r"[^\x21-\x7e]")


def document(alert: Alert, fmt: DocumentFormat) -> dict[str, Any]:
    return MAPPERS[fmt](alert)


def json_payload(alert: Alert, fmt: DocumentFormat) -> bytes:
    return orjson.dumps(document(alert, fmt))


# --- CEF ------------------------------------------------------------------------------------------------

def _cef_header(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _cef_ext(value: Any) -> str:
    if isinstance(value, list | dict):
        text = orjson.dumps(value).decode()
    elif isinstance(value, bool):
        text = str(value).lower()
    else:
        text = str(value)
    return (text.replace("\\", "\\\\").replace("=", "\\=").replace("\r\n", "\\n")
            .replace("\n", "\\n").replace("\r", "\\r"))


def cef_payload(alert: Alert) -> bytes:
    """ArcSight CEF:0 with the standard extension keys and custom strings for agent attribution."""
    event = event_fields(alert)
    level = alert.level.rank
    header = "|".join(
        [
            "CEF:0",
            "clawwatch",
            "clawwatch",
            _cef_header(__version__),
            _cef_header(alert.rule_id),
            _cef_header(alert.title),
            str(_CEF_SEVERITY[level]),
        ]
    )
    ext: list[tuple[str, Any]] = [
        ("rt", epoch_ms(alert.UtcTime)),
        ("externalId", alert.AlertId),
        ("dvchost", alert.Hostname),
        ("msg", alert.description),
        ("cat", ",".join(alert.tags) if alert.tags else None),
        ("suser", event.get("User")),
        ("spid", event.get("ProcessId")),
        ("sproc", event.get("Image")),
        ("filePath", event.get("TargetFilename")),
        ("src", event.get("SourceIp")),
        ("spt", event.get("SourcePort")),
        ("dst", event.get("DestinationIp")),
        ("dpt", event.get("DestinationPort")),
        ("dhost", event.get("DestinationHostname")),
        ("cs1Label", "AgentProduct" if event.get("AgentProduct") else None),
        ("cs1", event.get("AgentProduct")),
        ("cn1Label", "AgentRootPid" if event.get("AgentRootPid") is not None else None),
        ("cn1", event.get("AgentRootPid")),
        ("cs2Label", "CommandLine" if event.get("CommandLine") else None),
        ("cs2", event.get("CommandLine")),
        ("cs3Label", "SigmaLevel"),
        ("cs3", alert.level.value),
    ]
    extension = " ".join(f"{key}={_cef_ext(value)}" for key, value in ext if value not in (None, ""))
    return f"{header}|{extension}".encode()


# --- RFC 5424 -------------------------------------------------------------------------------------------

def _header_token(value: str, limit: int) -> str:
    cleaned = _PRINTUSASCII.sub("_", value)[:limit]
    return cleaned or "-"


def _sd_param(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def syslog_message(alert: Alert, payload: bytes, *, facility: int = 10, app_name: str = "clawwatch") -> bytes:
    """One RFC 5424 message: ``<PRI>1 TIMESTAMP HOST APP - MSGID [SD] BOM MSG``."""
    level = alert.level.rank
    pri = facility * 8 + _SYSLOG_SEVERITY[level]
    timestamp = format_utc(alert.UtcTime) if alert.UtcTime is not None else "-"
    sd = (
        f'[{SD_ID} alertId="{_sd_param(alert.AlertId)}" ruleId="{_sd_param(alert.rule_id)}"'
        f' level="{_sd_param(alert.level.value)}"]'
    )
    host = _header_token(alert.Hostname, 255)
    head = f"<{pri}>1 {timestamp} {host} {_header_token(app_name, 48)} - alert {sd} "
    return head.encode() + b"\xef\xbb\xbf" + payload


def octet_counted(message: bytes) -> bytes:
    """RFC 6587 section 3.4.1 octet-counting framing: ``LEN SP MSG``."""
    return str(len(message)).encode() + b" " + message
