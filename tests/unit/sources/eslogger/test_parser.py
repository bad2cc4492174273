"""eslogger lines recorded on real Macs (tests/fixtures/eslogger/README.md) decode to the expected
messages; every shape the parser does not know is counted, never raised; the ``open`` pre-filter
never drops what a full decode would keep."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.sources.eslogger.messages import EsExec, EsExit, EsFork, EsMessage, EsOpen
from sensor.sources.eslogger.parser import EsloggerParser
from sensor.sources.eslogger.shapes import PINS
from tests.support.eslogger_streams import FIXTURES, Mac, dumps, real_lines

# What each recorded line says, read off the line by hand (tests/fixtures/eslogger/README.md).
EXPECTED: dict[str, dict[str, Any]] = {
    "macos15-msg9/exec.jsonl": {
        "kind": "exec", "pid": 97391, "ppid": 58916, "ruid": 501, "pidversion": 149092,
        "exe": "/bin/connection-checker", "args": ("/bin/connection-checker",), "cwd": "/bin/mullvadvpn-app",
        "before": "/bin/nu", "signing_id": "connection_checker-04fde7bdb8bceee3", "pinned": 9},
    "macos15-msg9/exit.jsonl": {
        "kind": "exit", "pid": 11221, "ppid": 532, "ruid": 0, "exe": "/usr/sbin/ipconfig", "status": 0,
        "signing_id": "com.apple.ipconfig", "pinned": 9},
    "macos26-msg10/fork.jsonl": {
        "kind": "fork", "pid": 19745, "ppid": 1, "ruid": 501, "child": 21497, "child_pidversion": 38282,
        "exe": "/Applications/Mullvad VPN.app/Contents/MacOS/Mullvad VPN", "team_id": "CKG9MXH72F", "pinned": 10},
    "macos27beta-msg11/exec.jsonl": {
        "kind": "exec", "pid": 11085, "ppid": 1, "ruid": 501, "pidversion": 25189,
        "exe": "/System/Library/PrivateFrameworks/IntlPreferences.framework/Support/localizationswitcherd",
        "args": ("/System/Library/PrivateFrameworks/IntlPreferences.framework/Support/localizationswitcherd",),
        "cwd": "/", "before": "/usr/libexec/xpcproxy", "signing_id": "com.apple.localizationswitcherd", "pinned": 11},
    "trimmed/tracce-exec.trimmed.jsonl": {
        "kind": "exec", "pid": 52674, "ppid": 745, "ruid": 0, "pidversion": 0, "exe": "/bin/zsh",
        "args": ("/bin/zsh", "-f", "-c", "GIT_OPTIONAL_LOCKS=0 git symbolic-ref --short HEAD"), "cwd": None,
        "before": "/bin/zsh", "pinned": None},
    "trimmed/tracce-open.trimmed.jsonl": {
        "kind": "open", "pid": 6954, "ppid": 1, "ruid": 0, "fflag": 1, "reads": True,
        "exe": "/Applications/TrendMicroSecurity.app/Contents/Resources/iCoreService.app/Contents/MacOS/iCoreService",
        "path": "/Library/Application Support/TrendMicro/common/lib/CRC/ptn/macvpn.222", "pinned": None},
}


def parse_one(line: bytes, parser: EsloggerParser | None = None) -> EsMessage | None:
    return (parser or EsloggerParser()).parse(line)


def test_every_fixture_line_has_an_expectation() -> None:
    found = {str(path.relative_to(FIXTURES)) for path, _ in real_lines()}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recorded_line_decodes_to_the_expected_message(name: str) -> None:
    want = EXPECTED[name]
    [line] = (FIXTURES / name).read_bytes().splitlines()
    parser = EsloggerParser()
    message = parser.parse(line)
    assert message is not None, dict(parser.counters)
    assert message.kind == want["kind"]
    actor = message.target if isinstance(message, EsExec) else message.process
    assert (actor.pid, actor.ppid, actor.ruid, actor.executable) == (want["pid"], want["ppid"], want["ruid"],
                                                                     want["exe"])
    if "pidversion" in want:
        assert actor.pidversion == want["pidversion"]
    if "signing_id" in want:
        assert actor.signing_id == want["signing_id"]
    if isinstance(message, EsExec):
        assert (message.args, message.cwd, message.process.executable) == (want["args"], want["cwd"], want["before"])
        assert message.env_markers == ()
    elif isinstance(message, EsExit):
        assert message.status == want["status"]
    elif isinstance(message, EsFork):
        assert (message.child.pid, message.child.pidversion, message.child.ppid) == (
            want["child"], want["child_pidversion"], want["pid"])
        assert message.process.team_id == want["team_id"]
    elif isinstance(message, EsOpen):
        assert (message.path, message.fflag, message.reads, message.truncated) == (want["path"], want["fflag"],
                                                                                   want["reads"], False)
    counters = dict(parser.counters)
    assert counters[f"parsed.{want['kind']}"] == 1
    if want["pinned"] is None:
        assert counters.get("unpinned_version.None") == 1
    else:
        assert not any(k.startswith(("pin_mismatch", "unpinned")) for k in counters), counters


def test_pins_name_the_folders_their_recordings_are_in() -> None:
    for pin in PINS.values():
        lines = [json.loads(line) for f in (FIXTURES / pin.fixtures).glob("*.jsonl")
                 for line in f.read_text().splitlines()]
        assert lines and all(doc["version"] == pin.version for doc in lines)


def test_macos26_writes_audit_tokens_as_lists_and_a_changed_shape_is_counted_but_kept() -> None:
    doc = json.loads((FIXTURES / "macos26-msg10" / "fork.jsonl").read_text())
    assert isinstance(doc["process"]["audit_token"], list)  # the recorded macOS 26 form
    order = ("auid", "euid", "egid", "ruid", "rgid", "pid", "asid", "pidversion")

    def as_objects(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: dict(zip(order, v, strict=True)) if k.endswith("audit_token") else as_objects(v)
                    for k, v in value.items()}
        return value

    parser = EsloggerParser()
    message = parser.parse(orjson.dumps(as_objects(doc)))
    assert isinstance(message, EsFork) and message.child.pid == 21497 and message.process.ruid == 501
    assert parser.counters["pin_mismatch.v10.fork"] == 1 and parser.counters["parsed.fork"] == 1


HOSTILE: list[bytes] = [
    b"",
    b"not json at all",
    b'{"event":{"exec":{"args":["sh"',
    b"[1,2,3]",
    b'"a string"',
    b"\xff\xfe\x00garbage",
    b'{"event":{}}',
    b'{"event":{"exec":{},"fork":{}}}',
    b'{"event":{"exec":null},"process":null}',
    b'{"version":9,"event_type":9,"event":{"exec":{}},"process":{"audit_token":{"pid":1}}}',
    b'{"event":{"open":{"file":null}},"process":{"audit_token":{"pid":5}}}',
    b'{"event":{"open":{"file":{"path":7}}},"process":{"audit_token":{"pid":5}}}',
    b'{"event":{"fork":{"child":null}},"process":{"audit_token":{"pid":5}}}',
    b'{"event":{"fork":{"child":{"audit_token":[1,2,3]}}},"process":{"audit_token":{"pid":5}}}',
    b'{"event":{"exit":{"stat":"nope"}},"process":{"audit_token":{"pid":-4}}}',
    b'{"event":{"exit":{"stat":0}},"process":{"audit_token":{"pid":true}}}',
    b'{"event":{"exec":{"target":{"audit_token":{"pid":2},"executable":{"path":"/x"}},"args":[1,2]}},'
    b'"process":{"audit_token":{"pid":2}}}',
    b'{"event":{"close":{"modified":false}},"process":{"audit_token":{"pid":5}}}',
    b'{"version":12,"event":{"exec":{"target":{"audit_token":"abc"}}},"process":{"audit_token":{"pid":3}}}',
    b"[" * 100_000,
    b'{"a":"' + b"x" * (2 << 20) + b'"}',
]


@pytest.mark.parametrize("line", HOSTILE, ids=range(len(HOSTILE)))
def test_unknown_shapes_are_counted_never_raised(line: bytes) -> None:
    parser = EsloggerParser()
    assert parser.parse(line) is None
    counted = {k for k in parser.counters if k != "lines"}
    assert counted, "a rejected line must leave a counter saying why"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_real_lines_never_raise(data: st.DataObject) -> None:
    """Any real line with one field deleted or replaced by another JSON type: decoded or counted."""
    _path, line = data.draw(st.sampled_from(real_lines()))
    doc = json.loads(line)
    paths: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            paths.append((node, key))
            walk(child)

    walk(doc)
    parent, key = data.draw(st.sampled_from(paths))
    replacement = data.draw(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5),
                                      st.just([]), st.just({}), st.just("DELETE")))
    if replacement == "DELETE" and isinstance(parent, dict):
        del parent[key]
    else:
        parent[key] = replacement
    parser = EsloggerParser()
    parser.parse(json.dumps(doc).encode())
    assert parser.counters["lines"] == 1


def test_environment_values_are_never_kept() -> None:
    mac = Mac()
    mac.process(1, 0, "/sbin/launchd", uid=0)
    line = mac.exec(77, 1, "/usr/bin/env", ["env"], "/",
                    env=["OPENCLAW_GATEWAY_TOKEN=s3cr3t-token-value", "HOME=/Users/a", "CLAWDBOT_HOME=/x"])
    message = parse_one(line)
    assert isinstance(message, EsExec)
    assert message.env_markers == ("CLAWDBOT_HOME", "OPENCLAW_GATEWAY_TOKEN")
    assert "s3cr3t" not in repr(message)


def test_sequence_gaps_count_messages_es_dropped() -> None:
    mac = Mac()
    mac.process(1, 0, "/sbin/launchd", uid=0)
    mac.process(50, 1, "/usr/bin/true")
    first = mac.exit(50)
    mac.seq += 41  # 41 messages that never reached us
    second = mac.exit(50)
    gaps: list[int] = []
    parser = EsloggerParser(on_gap=gaps.append)
    parser.parse(first)
    parser.parse(second)
    assert gaps == [41] and parser.counters["dropped_by_es"] == 41
    parser.restart()
    parser.parse(first)  # a new eslogger run starts its own numbering: no gap
    assert gaps == [41]


def test_open_prefilter_drops_unwatched_opens_without_decoding_them() -> None:
    mac = Mac()
    mac.process(1, 0, "/sbin/launchd", uid=0)
    mac.process(60, 1, "/usr/bin/vim")
    watched = {"/Users/a/.ssh"}
    parser = EsloggerParser(wants_open=lambda p: p.rsplit("/", 1)[0] in watched)
    assert parser.parse(mac.open(60, "/Users/a/Documents/x.txt")) is None
    hit = parser.parse(mac.open(60, "/Users/a/.ssh/id_ed25519"))
    assert isinstance(hit, EsOpen) and hit.path == "/Users/a/.ssh/id_ed25519"
    assert parser.counters["opens_filtered"] == 1 and parser.counters["parsed.open"] == 1


def test_open_prefilter_never_drops_an_exec_whose_entitlements_look_like_an_open() -> None:
    """Entitlement names are chosen by whoever signed the binary: a hostile one can put ``"open":{``
    and ``"file":{`` structure into its own exec line. The pre-filter must not take it for an open."""
    doc = json.loads((FIXTURES / "macos27beta-msg11" / "exec.jsonl").read_text())
    doc["event"]["exec"]["entitlements"]["open"] = {"file": {"path": "/Users/a/Documents/x"}}
    parser = EsloggerParser(wants_open=lambda p: False)
    message = parser.parse(dumps(doc))
    assert isinstance(message, EsExec) and message.target.pid == 11085
    assert parser.counters["opens_filtered"] == 0


@settings(max_examples=300, deadline=None)
@given(name=st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s and "\x00" not in s))
def test_open_prefilter_reads_the_same_path_as_a_full_decode(name: str) -> None:
    mac = Mac()
    mac.process(1, 0, "/sbin/launchd", uid=0)
    mac.process(61, 1, "/usr/bin/vim")
    path = f'/Users/a/{name}/"quoted" {{braces}}/{name}'
    line = mac.open(61, path)
    seen: list[str] = []
    parser = EsloggerParser(wants_open=lambda p: seen.append(p) or True)
    message = parser.parse(line)
    assert isinstance(message, EsOpen) and message.path == path
    assert seen == [path]


def test_a_line_too_long_is_counted() -> None:
    parser = EsloggerParser(max_line_bytes=1000)
    line = (FIXTURES / "macos15-msg9" / "exec.jsonl").read_bytes().strip()
    assert parser.parse(line) is None and parser.counters["oversized_lines"] == 1


def test_fixture_readme_names_every_fixture_and_its_licence() -> None:
    readme = (FIXTURES / "README.md").read_text()
    for path, _ in real_lines():
        assert str(path.relative_to(FIXTURES)) in readme
    for licence in ("GPL-3.0", "MIT"):
        assert licence in readme


def test_fixture_files_are_single_json_lines(tmp_path: Path) -> None:
    for path, line in real_lines():
        assert isinstance(json.loads(line), dict), path
