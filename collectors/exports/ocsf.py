"""Alert -> OCSF Detection Finding (class_uid 2004, category_uid 2 Findings).

Follows the OCSF schema (ocsf/ocsf-schema, 1.9.0-dev): ``events/findings/detection_finding.json``
for the class, ``objects/ai_agent.json`` for the agent. The process that acted is the evidence
``process``; when the sensor attributed it to an OpenClaw agent (it is the gateway or descends from
it) that process carries ``ai_agent`` (uid: product@host, instance_uid: host:root-pid, type_id 99
Other with type "OpenClaw").
"""

from __future__ import annotations

from typing import Any

from collectors.exports._sigma_tags import TACTIC_IDS, parse_attack_tags, tactic_display_name
from collectors.exports.fields import basename, dirname, epoch_ms, event_fields, prune
from sensor.schema.alerts import Alert
from sensor.schema.version import __version__
from sensor.schema.vocabulary import Product

OCSF_VERSION = "1.9.0-dev"
CLASS_UID = 2004
CATEGORY_UID = 2
ACTIVITY_CREATE = 1
_SEVERITY_NAMES = ("Informational", "Low", "Medium", "High", "Critical")
AI_AGENT_TYPE_OTHER = 99


def alert_to_ocsf(alert: Alert) -> dict[str, Any]:
    event = event_fields(alert)
    level = alert.level.rank
    doc: dict[str, Any] = {
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "severity_id": level + 1,
        "severity": _SEVERITY_NAMES[level],
        "time": epoch_ms(alert.UtcTime),
        "message": alert.title,
        "status_id": 1,
        "status": "New",
        "is_alert": True,
        "metadata": {
            "version": OCSF_VERSION,
            "uid": alert.AlertId,
            "product": {"name": "clawwatch", "vendor_name": "clawwatch", "version": __version__},
            "labels": list(alert.tags),
        },
        "finding_info": {
            "uid": alert.AlertId,
            "title": alert.title,
            "desc": alert.description,
            "types": _finding_types(alert),
            "analytic": {"uid": alert.rule_id, "name": alert.title, "type_id": 1, "type": "Rule"},
            "attacks": _attacks(alert.tags),
            "related_events": [{"uid": uid} for uid in alert.contributing_event_ids],
        },
        "device": {
            "hostname": alert.Hostname,
            "name": alert.Hostname,
            "type_id": 0,
            "os": {"name": event.get("product"), "type": event.get("product")},
        },
        "evidences": [_evidence(alert, event)],
        "unmapped": {
            "sigma_level": alert.level.value,
            "sigma_status": alert.status,
            "matched": alert.matched,
            "group": alert.group,
            "change_type": event.get("ChangeType"),
            "install_id": event.get("InstallId"),
            "grants": event.get("Grants"),
            "grants_added": event.get("GrantsAdded"),
            "credential_kind": event.get("CredentialKind"),
            "exposed": event.get("Exposed"),
        },
    }
    return prune(doc)


def _finding_types(alert: Alert) -> list[str]:
    if alert.correlation_type:
        return ["Sigma", f"correlation:{alert.correlation_type}"]
    return ["Sigma"]


def _attacks(tags: list[str]) -> list[dict[str, Any]]:
    refs = parse_attack_tags(tags)
    tactics = [{"uid": TACTIC_IDS[name], "name": tactic_display_name(name)} for name in refs.tactics]
    attacks: list[dict[str, Any]] = []
    for technique in refs.techniques:
        attack: dict[str, Any] = {"technique": {"uid": technique.id}}
        if technique.subtechnique_id:
            attack["sub_technique"] = {"uid": technique.subtechnique_id}
        if len(tactics) == 1:
            attack["tactic"] = tactics[0]
        attacks.append(attack)
    if not refs.techniques or len(tactics) > 1:
        attacks.extend({"tactic": tactic} for tactic in tactics)
    return attacks


def _evidence(alert: Alert, event: dict[str, Any]) -> dict[str, Any]:
    evidence: dict[str, Any] = {"process": _process(alert, event)}
    path = event.get("TargetFilename")
    if path:
        evidence["file"] = {
            "path": path, "name": basename(path), "parent_folder": dirname(path), "type_id": 1
        }
    if event.get("DestinationIp") or event.get("DestinationHostname"):
        evidence["dst_endpoint"] = {
            "ip": event.get("DestinationIp"),
            "port": event.get("DestinationPort"),
            "hostname": event.get("DestinationHostname"),
        }
    if event.get("SourceIp") or event.get("LocalIp"):
        evidence["src_endpoint"] = {
            "ip": event.get("SourceIp") or event.get("LocalIp"),
            "port": event.get("SourcePort") or event.get("LocalPort"),
        }
    return evidence


def _process(alert: Alert, event: dict[str, Any]) -> dict[str, Any]:
    image = event.get("Image")
    process: dict[str, Any] = {
        "pid": event.get("ProcessId"),
        "name": basename(image),
        "cmd_line": event.get("CommandLine"),
        "working_directory": event.get("CurrentDirectory"),
        "file": {"path": image, "name": basename(image), "type_id": 1} if image else None,
        "user": {"name": event.get("User")},
        "parent_process": {
            "pid": event.get("ParentProcessId"),
            "name": basename(event.get("ParentImage")),
            "cmd_line": event.get("ParentCommandLine"),
            "file": {"path": event.get("ParentImage"), "type_id": 1} if event.get("ParentImage") else None,
        },
        "ai_agent": ai_agent(alert.Hostname, event),
    }
    return process


def ai_agent(hostname: str, event: dict[str, Any]) -> dict[str, Any] | None:
    """The OCSF ``ai_agent`` object for an attributed event, or None when no agent is involved."""
    product = event.get("AgentProduct")
    if not product or not (event.get("InAgentTree") or event.get("IsAgentProcess")):
        return None
    root_pid = event.get("AgentRootPid")
    return {
        "uid": event.get("InstallId") or f"{product}@{hostname}",
        "instance_uid": f"{hostname}:{root_pid}" if root_pid is not None else None,
        "name": Product(product).display_name if product in Product.__members__ else str(product),
        "type_id": AI_AGENT_TYPE_OTHER,
        "type": "OpenClaw",
        "version": event.get("Version"),
    }
