"""Matching semantics per modifier, keywords, null/exists, routing, alerts (hand-written events)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from sensor.engine import Engine

RULES = Path(__file__).parent / "rules" / "modifiers.yml"


@pytest.fixture(scope="module")
def engine() -> Engine:
    loaded = Engine.load([RULES])
    assert loaded.errors == []
    return loaded


def fired(engine: Engine, event: dict[str, Any]) -> set[str]:
    titles = {r.id: r.title.removeprefix("modifier test: ") for r in engine.rules}
    return {titles[rule_id] for rule_id, _ in engine.match(event)}


def hit(engine: Engine, name: str, event: dict[str, Any]) -> bool:
    return name in fired(engine, event)


def test_default_strings_fold_case_but_cased_does_not(engine: Engine) -> None:
    assert hit(engine, "startswith endswith", {"Image": "/USR/local/bin/NODE"})
    assert hit(engine, "cased", {"CommandLine": "OpenClaw Gateway"})
    assert not hit(engine, "cased", {"CommandLine": "openclaw gateway"})


def test_contains_all(engine: Engine) -> None:
    assert hit(engine, "contains all", {"CommandLine": "openclaw gateway --port 1"})
    assert not hit(engine, "contains all", {"CommandLine": "openclaw gateway"})


def test_regex_flags(engine: Engine) -> None:
    assert hit(engine, "regex flags i", {"CommandLine": "node OPENCLAW.MJS GATEWAY"})
    # PCRE's $: the end, or before a final newline (a file name ending in a newline does not evade `...$`)
    assert hit(engine, "regex flags i", {"CommandLine": "node openclaw gateway\n"})
    assert not hit(engine, "regex flags i", {"CommandLine": "node openclaw gateway\n\n"})
    assert not hit(engine, "regex flags i", {"CommandLine": "node openclaw gateway --port 1"})
    assert hit(engine, "regex flags m", {"CommandLine": "x\n--token\ny"})
    assert hit(engine, "regex flags s", {"CommandLine": "begin\nend"})
    assert not hit(engine, "regex plain", {"CommandLine": "PORT 123/tcp"})
    assert hit(engine, "regex plain", {"CommandLine": "PORT 18789/tcp"})


def test_encodings(engine: Engine) -> None:
    assert hit(engine, "base64", {"CommandLine": base64.b64encode(b"http://").decode()})
    for prefix in (b"", b"x", b"xy"):
        encoded = base64.b64encode(prefix + b"run openclaw now").decode()
        assert hit(engine, "base64offset", {"CommandLine": f"echo {encoded} | base64 -d"}), prefix
    wide = base64.b64encode("x gateway".encode("utf-16-le")).decode()
    assert hit(engine, "utf16le", {"CommandLine": wide})
    big = base64.b64encode("x gateway".encode("utf-16-be")).decode()
    assert hit(engine, "utf16be", {"CommandLine": big})
    assert not hit(engine, "utf16le", {"CommandLine": big})


def test_windash(engine: Engine) -> None:
    for dash in ("-", "/", "\u2013", "\u2014", "\u2015"):
        assert hit(engine, "windash", {"CommandLine": f"gw {dash}port 1"}), dash
    assert not hit(engine, "windash", {"CommandLine": "gw +port 1"})


def test_cidr_parses_addresses(engine: Engine) -> None:
    assert hit(engine, "cidr v4", {"DestinationIp": "172.31.255.254"})
    assert not hit(engine, "cidr v4", {"DestinationIp": "172.32.0.1"})
    assert not hit(engine, "cidr v4", {"DestinationIp": "192.168.00.1"})  # not an address
    assert not hit(engine, "cidr v4", {"DestinationIp": "10.0.0.1x"})
    assert hit(engine, "cidr v6", {"DestinationIp": "2001:0db8:0000:0000:0000:0000:0000:0001"})
    assert hit(engine, "cidr v6", {"DestinationIp": "fd12::1"})
    assert not hit(engine, "cidr v6", {"DestinationIp": "fe80::1"})


def test_numbers_and_comparisons(engine: Engine) -> None:
    assert hit(engine, "numbers", {"DestinationPort": 18789, "SourcePort": 80})
    assert hit(engine, "numbers", {"DestinationPort": "20000", "SourcePort": "1023"})  # numeric strings
    assert not hit(engine, "numbers", {"DestinationPort": 18788, "SourcePort": 80})
    assert not hit(engine, "numbers", {"DestinationPort": "high", "SourcePort": 80})
    assert hit(engine, "number equal", {"LocalPort": 18789})
    assert hit(engine, "number equal", {"LocalPort": "18789"})
    assert not hit(engine, "number equal", {"LocalPort": "018789"})
    assert hit(engine, "quoted number", {"LocalPort": 18789})
    assert hit(engine, "gt lte", {"ProcessId": 101, "ParentProcessId": 1})
    assert not hit(engine, "gt lte", {"ProcessId": 100, "ParentProcessId": 1})


def test_neq_and_not_over_missing_field(engine: Engine) -> None:
    assert hit(engine, "neq", {"Image": "/usr/bin/node", "User": "bob"})
    assert not hit(engine, "neq", {"Image": "/usr/bin/node", "User": "ROOT"})
    assert hit(engine, "neq", {"Image": "/usr/bin/node"})  # neq over a missing field holds
    assert hit(engine, "not over missing", {"Image": "/usr/bin/node"})
    assert not hit(engine, "not over missing", {"Image": "/usr/bin/node", "ParentCommandLine": "/sbin/systemd"})


def test_fieldref(engine: Engine) -> None:
    assert hit(engine, "fieldref", {"Image": "/usr/bin/node", "ParentImage": "/USR/bin/node"})
    assert not hit(engine, "fieldref", {"Image": "/usr/bin/node"})
    assert hit(engine, "fieldref startswith", {"Image": "/usr/bin/node", "CommandLine": "/usr/bin/node x"})
    assert hit(engine, "fieldref endswith", {"User": "bob", "TargetFilename": "/home/bob"})
    assert hit(engine, "fieldref contains", {"User": "bob", "CommandLine": "su bob -c"})
    assert not hit(engine, "fieldref contains", {"User": "bob", "CommandLine": "su alice"})


def test_exists_and_null(engine: Engine) -> None:
    assert hit(engine, "exists", {"Image": "/x/node", "AgentProduct": "openclaw"})
    assert not hit(engine, "exists", {"Image": "/x/node"})
    assert not hit(engine, "exists", {"Image": "/x/node", "AgentProduct": "openclaw", "CommandLine": "x"})
    assert hit(engine, "null", {"Image": "/x/node"})
    assert hit(engine, "null", {"Image": "/x/node", "ParentImage": None})
    assert not hit(engine, "null", {"Image": "/x/node", "ParentImage": "/bin/sh"})


def test_wildcards_and_escapes(engine: Engine) -> None:
    assert hit(engine, "wildcard single", {"Image": "/usr/bin/node22"})
    assert not hit(engine, "wildcard single", {"Image": "/usr/bin/node2"})
    assert hit(engine, "wildcard escaped", {"CommandLine": "a literal*star b"})
    assert not hit(engine, "wildcard escaped", {"CommandLine": "a literalXstar b"})
    assert hit(engine, "wildcard middle", {"CommandLine": "node openclaw.mjs gateway --port 1"})
    assert not hit(engine, "wildcard middle", {"CommandLine": "node gateway openclaw --port 1"})


def test_keywords_match_any_value(engine: Engine) -> None:
    assert hit(engine, "keywords", {"Image": "/bin/ps", "CommandLine": "kill OPENCLAW-GATEWAY"})
    assert hit(engine, "keywords", {"TargetFilename": "/home/a/.clawdbot/x"})
    assert hit(engine, "keywords", {"Grants": ["shell", "clawdbot-legacy"]})
    assert not hit(engine, "keywords", {"category": "clawdbot"})  # routing keys are not event text


def test_selectors_and_list_of_maps(engine: Engine) -> None:
    assert hit(engine, "one of them", {"Image": "/x/node"})
    assert not hit(engine, "all of them", {"Image": "/x/node"})
    assert hit(engine, "all of them", {"Image": "/x/node", "CommandLine": "gateway"})
    assert hit(engine, "list of maps", {"Image": "/opt/openclaw"})
    assert hit(engine, "list of maps", {"Image": "/x/node", "CommandLine": "openclaw"})
    assert not hit(engine, "list of maps", {"Image": "/x/node", "CommandLine": "npm"})


def test_bool_and_list_valued_fields(engine: Engine) -> None:
    assert hit(engine, "bool", {"Exposed": True})
    assert not hit(engine, "bool", {"Exposed": False})
    assert hit(engine, "cased", {"CommandLine": ["a", "OpenClaw Gateway"]})


def test_matched_selection_names(tmp_path: Path) -> None:
    path = tmp_path / "r.yml"
    path.write_text(
        "title: t\nlogsource: {category: process_creation, product: linux}\n"
        "detection:\n  sel_img:\n    Image|endswith: /node\n  sel_cli:\n    CommandLine|contains: gateway\n"
        "  filter:\n    User: root\n  condition: 1 of sel_* and not filter\n"
    )
    engine = Engine.load([path])
    ((_, matched),) = engine.match({"Image": "/x/node", "CommandLine": "gateway", "User": "bob"})
    assert sorted(matched) == ["sel_cli", "sel_img"]


def test_routing_by_logsource(tmp_path: Path) -> None:
    path = tmp_path / "r.yml"
    path.write_text(
        "title: auditd\nid: 8d0c9c6f-8f4b-4a2b-9d2b-1f3f0e0b7a11\n"
        "logsource: {product: linux, service: auditd}\n"
        "detection:\n  sel:\n    exe|endswith: /node\n  condition: sel\n"
    )
    engine = Engine.load([path])
    event = {"exe": "/usr/bin/node"}
    assert engine.match(event) != []  # no logsource keys: every rule
    assert engine.match({**event, "product": "linux", "service": "auditd"}) != []
    assert engine.match({**event, "category": "process_creation", "product": "linux"}) == []
    assert engine.match({**event, "product": "macos", "service": "auditd"}) == []


def test_process_builds_alerts_with_rule_metadata(engine: Engine) -> None:
    event = {"EventId": "e1", "UtcTime": "2026-11-22T10:00:00Z", "Hostname": "lap", "Exposed": True}
    (alert,) = engine.process(event)
    assert alert.title == "modifier test: bool" and alert.level == "low" and alert.status == "test"
    assert alert.matched == ["sel"] and alert.event == event and alert.Hostname == "lap"


def test_prefilter_does_not_change_results(engine: Engine) -> None:
    unfiltered = Engine.load([RULES], prefilter=False)
    events = [
        {"CommandLine": "node openclaw.mjs gateway --port 18789", "Image": "/usr/bin/node"},
        {"CommandLine": "x\n--token\ny", "User": "bob", "TargetFilename": "/home/bob"},
        {"DestinationIp": "10.1.2.3", "DestinationPort": 20000, "SourcePort": 22},
        {"Image": "/usr/bin/node22", "ParentImage": "/usr/bin/node22"},
    ]
    for event in events:
        assert engine.match(event) == unfiltered.match(event)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"gateway$", "openclaw gateway\n", True),  # PCRE: before a final newline
        (r"gateway$", "openclaw gateway\n\n", False),
        (r"gateway\z", "openclaw gateway\n", False),
        (r"a[$]b", "a$b", True),  # '$' inside a class stays a character
        (r"a\$b", "a$b", True),
        (r"(x|gateway$)", "gateway\n", True),
    ],
)
def test_regex_dollar_has_pcre_semantics(pattern: str, text: str, expected: bool) -> None:
    rule = (
        "title: re\nid: 0a1b2c3d-0000-4000-8000-000000000011\nlogsource: {product: linux}\n"
        f"detection:\n  sel:\n    CommandLine|re: '{pattern}'\n  condition: sel\n"
    )
    engine = Engine.from_yaml(rule)
    assert engine.errors == []
    assert bool(engine.match({"CommandLine": text})) is expected
