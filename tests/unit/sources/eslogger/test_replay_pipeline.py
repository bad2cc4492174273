"""Recorded and derived eslogger streams through the sensor's real sources and normalizer (the eslogger
process replaced by a file at the supervisor's seam): the Events that come out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sensor.normalizer.host import user_name
from tests.support.eslogger_pipeline import replay
from tests.support.eslogger_streams import (
    FIXTURES,
    REAL_EXEC,
    REAL_FORK,
    REAL_OPEN,
    Mac,
    openclaw_reads_ssh_key,
    real,
    real_lines,
    shape,
)

SSH_KEY_BODY = "FAKE-ed25519-body-0123456789abcdef"
GATEWAY_TOKEN = "0123456789abcdef0123456789abcdef"  # in the derived gateway's exec environment


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "Users" / "alice"
    (h / ".ssh").mkdir(parents=True)
    (h / ".ssh" / "id_ed25519").write_text(SSH_KEY_BODY)
    (h / ".ssh" / "id_ed25519.pub").write_text("ssh-ed25519 AAAA alice@mac")
    (h / "Documents").mkdir()
    return h


def by_category(events: list[dict[str, Any]], category: str) -> list[dict[str, Any]]:
    return [e for e in events if e["category"] == category]


def test_openclaw_descendant_reading_an_ssh_key_is_attributed(home: Path, tmp_path: Path) -> None:
    result = replay(openclaw_reads_ssh_key(str(home)), tmp_path, [("alice", home)])
    reads = by_category(result.events, "file_access")
    assert len(reads) == 1, reads  # the .pub and the document are not credential reads
    read = reads[0]
    assert {k: read.get(k) for k in ("TargetFilename", "CredentialKind", "CredentialOwner", "FileAccess",
                                     "ProcessId", "Image", "ParentProcessId")} == {
        "TargetFilename": f"{home}/.ssh/id_ed25519", "CredentialKind": "ssh_private_key",
        "CredentialOwner": "alice", "FileAccess": "open", "ProcessId": 4201, "Image": "/bin/cat",
        "ParentProcessId": 4200}
    assert read["CommandLine"] == f"cat {home}/.ssh/id_ed25519"
    assert (read["AgentProduct"], read["AgentRootPid"], read["InAgentTree"], read["IsAgentProcess"],
            read["AttributionConfidence"]) == ("openclaw", 4100, True, False, "exact")
    assert read["AgentRootImage"].endswith("/bin/node")

    execs = {(e["ProcessId"], e["Image"]): e for e in by_category(result.events, "process_creation")}
    gateway = execs[(4100, "/opt/homebrew/Cellar/node/24.16.0/bin/node")]
    assert gateway["IsAgentProcess"] is True and gateway["AgentRootPid"] == 4100
    assert gateway["ParentImage"] == "/sbin/launchd" and gateway["ParentUser"] == user_name(0)
    assert gateway["CommandLine"].endswith("openclaw/dist/index.js gateway --port 18789")
    shell = execs[(4200, "/bin/bash")]
    assert shell["ParentImage"] == gateway["Image"] and shell["InAgentTree"] is True
    assert shell["CommandLine"] == "/bin/bash --noprofile --norc -c cat ~/.ssh/id_ed25519"
    editor = execs[(4600, "/usr/bin/vim")]
    assert editor["InAgentTree"] is False

    dumped = json.dumps(result.events)
    assert GATEWAY_TOKEN not in dumped and SSH_KEY_BODY not in dumped
    assert result.counters["eslogger.parser.opens_filtered"] == 2  # openclaw.json, Documents/notes.txt
    assert result.counters["files.ignored_opens"] == 1  # id_ed25519.pub: watched dir, not a secret


@pytest.mark.parametrize("path", [p for p, _ in real_lines()], ids=lambda p: str(p.relative_to(FIXTURES)))
def test_each_recorded_line_becomes_what_the_sensor_sees(path: Path, tmp_path: Path) -> None:
    """Recorded exec -> a process_creation Event with exec-time image, argv, cwd, users; recorded fork
    -> the child in the ancestry with its parent; recorded exit -> passed on, nothing kept; recorded open of a
    path outside the credential catalogue -> dropped by the pre-filter, no Event."""
    doc = json.loads(path.read_text())
    kind = next(iter(doc["event"]))
    result = replay([path.read_bytes().strip()], tmp_path)
    assert result.counters.get(f"eslogger.parser.parsed.{kind}", 0) + result.counters.get(
        "eslogger.parser.opens_filtered", 0) == 1
    if kind == "exec":
        [event] = result.events
        body = doc["event"]["exec"]
        target = body["target"]
        token = target["audit_token"]
        assert event["category"] == "process_creation" and event["source"] == "processes"
        assert event["ProcessId"] == token["pid"]
        assert event["Image"] == target["executable"]["path"]
        assert event["CommandLine"] == " ".join(body["args"])
        assert event.get("CurrentDirectory") == body.get("cwd", {}).get("path")
        assert event["User"] == user_name(token["ruid"])
        assert event["ParentProcessId"] == target.get("ppid", doc["process"]["ppid"])
        assert event["InAgentTree"] is False
    else:
        assert result.events == []
    if kind == "fork":
        child = result.ancestry.resolve(21497)
        assert child is not None and child.info.ppid == 19745
        assert child.info.exe == "/Applications/Mullvad VPN.app/Contents/MacOS/Mullvad VPN"
    if kind == "exit":  # a process the sensor never saw start: nothing to report, nothing kept
        assert result.counters["eslogger.parser.parsed.exit"] == 1 and len(result.hub.cache) == 0


def test_derived_lines_keep_the_recorded_shapes(home: Path) -> None:
    """Every derived line has exactly the keys of the real line it was copied from."""
    exec_doc, fork_doc, open_doc = real(REAL_EXEC), real(REAL_FORK), real(REAL_OPEN)
    process_shape = shape(exec_doc["event"]["exec"]["target"])
    file_shape = shape(exec_doc["event"]["exec"]["target"]["executable"])
    for line in openclaw_reads_ssh_key(str(home)):
        doc = json.loads(line)
        kind = next(iter(doc["event"]))
        assert set(doc) == set(exec_doc) and shape(doc["process"]) == process_shape
        body = doc["event"][kind]
        if kind == "exec":
            assert shape({**body, "env": []}) == shape({**exec_doc["event"]["exec"], "env": []})
        elif kind == "fork":
            assert set(body) == set(fork_doc["event"]["fork"]) and shape(body["child"]) == process_shape
        elif kind == "open":
            assert set(body) == set(open_doc["event"]["open"]) and shape(body["file"]) == file_shape
        else:
            assert shape(body) == shape(real(FIXTURES / "macos15-msg9" / "exit.jsonl")["event"]["exit"])
        assert b"\\/" in line and b'"/' not in line  # written the way eslogger writes paths


def test_a_short_lived_process_is_reported_whole(tmp_path: Path) -> None:
    """The polling reader misses most short-lived processes; eslogger's exec carries the whole
    command line, so a process that exits right after exec is still reported with it."""
    mac = Mac()
    mac.process(1, 0, "/sbin/launchd", uid=0)
    lines: list[bytes] = []
    for i in range(40):
        pid = 7000 + i
        mac.process(pid, 1, "/bin/sh")
        lines += [mac.exec(pid, 1, "/usr/bin/curl", ["curl", "-s", f"https://example.invalid/{i}"], "/"),
                  mac.exit(pid)]
    result = replay(lines, tmp_path)
    commands = sorted(e["CommandLine"] for e in by_category(result.events, "process_creation"))
    assert commands == sorted(f"curl -s https://example.invalid/{i}" for i in range(40))


def test_hub_is_a_daemon_source_whose_counters_feed_health(home: Path, tmp_path: Path) -> None:
    from sensor.daemon.source import Source

    result = replay(openclaw_reads_ssh_key(str(home)), tmp_path, [("alice", home)])
    source: Source = result.hub
    assert source.name == "eslogger" and source.degraded is None
    counters = dict(source.counters)
    assert counters["parser.lines"] == counters["process.lines"] == len(openclaw_reads_ssh_key(str(home)))
    assert counters["process.starts"] == 1 and counters["watched_dirs"] >= 1
