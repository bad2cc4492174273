"""Alert -> Elastic Common Schema document (ECS 8.x field names).

The alert itself is the document (``event.kind: alert``); the matching event's process, file and
network fields fill the ECS field sets; what ECS has no place for (agent attribution, inventory change)
goes under ``clawwatch.*``.
"""

from __future__ import annotations

from typing import Any

from collectors.exports._sigma_tags import TACTIC_IDS, parse_attack_tags, tactic_display_name
from collectors.exports.fields import basename, dirname, event_fields, prune
from sensor.schema.alerts import Alert
from sensor.schema.timestamps import format_utc
from sensor.schema.version import __version__

ECS_VERSION = "8.17.0"

# Elastic's convention for detection rules: risk score per Sigma level.
_RISK_SCORE = (0, 21, 47, 73, 99)

_CATEGORY: dict[str, tuple[list[str], list[str]]] = {
    "process_creation": (["process"], ["start"]),
    "network_connection": (["network"], ["connection"]),
    "file_event": (["file"], ["change"]),
    "file_access": (["file"], ["access"]),
    "listening_socket": (["network"], ["info"]),
    "inventory_change": (["configuration"], ["change"]),
    "sensor_health": (["host"], ["info"]),
}
_FILE_TYPE = {"create": "creation", "delete": "deletion", "modify": "change", "open": "access"}


def alert_to_ecs(alert: Alert) -> dict[str, Any]:
    event = event_fields(alert)
    level = alert.level.rank
    category, types = _CATEGORY.get(str(event.get("category", "")), ([], ["info"]))
    if event.get("FileAccess") in _FILE_TYPE:
        types = [_FILE_TYPE[event["FileAccess"]]]
    if event.get("ListenState") == "opened":
        types = ["start"]
    elif event.get("ListenState") == "closed":
        types = ["end"]
    doc: dict[str, Any] = {
        "@timestamp": format_utc(alert.UtcTime) if alert.UtcTime is not None else None,
        "ecs": {"version": ECS_VERSION},
        "message": alert.title,
        "event": {
            "kind": "alert",
            "id": alert.AlertId,
            "category": category,
            "type": types,
            "severity": level,
            "risk_score": _RISK_SCORE[level],
            "module": "clawwatch",
            "dataset": "clawwatch.alert",
            "provider": event.get("source") or None,
            "original_id": event.get("EventId"),
        },
        "rule": {
            "id": alert.rule_id,
            "uuid": alert.rule_id,
            "name": alert.title,
            "description": alert.description,
            "ruleset": "clawwatch-sigma",
        },
        "observer": {"vendor": "clawwatch", "product": "clawwatch", "type": "sensor", "version": __version__},
        "host": {"name": alert.Hostname, "hostname": alert.Hostname, "os": {"type": event.get("product")}},
        "tags": list(alert.tags),
        "threat": _threat(alert.tags),
        "process": _process(event),
        "user": {"name": event.get("User")},
        "file": _file(event),
        "source": {"ip": event.get("SourceIp"), "port": event.get("SourcePort")},
        "destination": {
            "ip": event.get("DestinationIp"),
            "port": event.get("DestinationPort"),
            "domain": event.get("DestinationHostname"),
        },
        "network": _network(event),
        "clawwatch": _ours(alert, event),
    }
    return prune(doc)


def _threat(tags: list[str]) -> dict[str, Any] | None:
    refs = parse_attack_tags(tags)
    if not refs.techniques and not refs.tactics:
        return None
    techniques: list[dict[str, Any]] = []
    for technique in refs.techniques:
        entry: dict[str, Any] = {
            "id": technique.id,
            "reference": f"https://attack.mitre.org/techniques/{technique.id}/",
        }
        if technique.subtechnique_id:
            entry["subtechnique"] = [{"id": technique.subtechnique_id}]
        techniques.append(entry)
    tactics = [{"id": TACTIC_IDS[name], "name": tactic_display_name(name)} for name in refs.tactics]
    return {"framework": "MITRE ATT&CK", "technique": techniques, "tactic": tactics}


def _process(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "pid": event.get("ProcessId"),
        "executable": event.get("Image"),
        "name": basename(event.get("Image")),
        "command_line": event.get("CommandLine"),
        "working_directory": event.get("CurrentDirectory"),
        "user": {"name": event.get("User")},
        "parent": {
            "pid": event.get("ParentProcessId"),
            "executable": event.get("ParentImage"),
            "name": basename(event.get("ParentImage")),
            "command_line": event.get("ParentCommandLine"),
        },
    }


def _file(event: dict[str, Any]) -> dict[str, Any]:
    path = event.get("TargetFilename")
    return {"path": path, "name": basename(path), "directory": dirname(path)}


def _network(event: dict[str, Any]) -> dict[str, Any]:
    direction = None
    if event.get("Initiated") == "true":
        direction = "egress"
    elif event.get("ListenState"):
        direction = "ingress"
    protocol = event.get("Protocol")
    return {"transport": protocol.lower() if isinstance(protocol, str) else None, "direction": direction}


def _ours(alert: Alert, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "alert": {
            "level": alert.level.value,
            "status": alert.status,
            "matched": alert.matched,
            "correlation_type": alert.correlation_type,
            "contributing_event_ids": alert.contributing_event_ids,
            "group": alert.group,
        },
        "agent": {
            "product": event.get("AgentProduct"),
            "root_pid": event.get("AgentRootPid"),
            "root_image": event.get("AgentRootImage"),
            "is_agent_process": event.get("IsAgentProcess"),
            "in_agent_tree": event.get("InAgentTree"),
            "attribution_confidence": event.get("AttributionConfidence"),
        },
        "original_command_line": event.get("OriginalCommandLine"),
        "listener": {
            "ip": event.get("LocalIp"),
            "port": event.get("LocalPort"),
            "state": event.get("ListenState"),
            "exposed": event.get("Exposed"),
        },
        "credential": {"kind": event.get("CredentialKind"), "owner": event.get("CredentialOwner")},
        "inventory": {
            "change_type": event.get("ChangeType"),
            "install_id": event.get("InstallId"),
            "state_dir": event.get("StateDir"),
            "config_path": event.get("ConfigPath"),
            "grants": event.get("Grants"),
            "grants_added": event.get("GrantsAdded"),
            "bind_mode": event.get("BindMode"),
            "auth_mode": event.get("AuthMode"),
            "version": event.get("Version"),
        },
    }
