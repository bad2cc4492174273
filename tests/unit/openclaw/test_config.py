"""Config loading: JSON5, $include (contained), ${VAR} references, hostile input."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.openclaw.config import find_config, get_path, is_env_reference, load_config, parse_json5


def test_json5_comments_trailing_commas_unquoted(tmp_path: Path) -> None:
    (tmp_path / "openclaw.json").write_text(
        "// onboarding\n{\n  gateway: { bind: 'lan', port: 18789, },  /* c */\n  tools: {profile: \"full\",},\n}\n"
    )
    cfg = load_config(tmp_path / "openclaw.json")
    assert cfg.parsed and not cfg.problems
    assert get_path(cfg.data, "gateway.bind") == "lan"
    assert get_path(cfg.data, "tools.profile") == "full"


def test_include_merges_under_siblings(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d/channels.json5").write_text("{channels: {slack: {botToken: '${SLACK_BOT_TOKEN}'}}}")
    (tmp_path / "conf.d/gw.json5").write_text("{gateway: {bind: 'lan', port: 1}}")
    (tmp_path / "openclaw.json").write_text(
        '{"$include": ["./conf.d/channels.json5", "conf.d/gw.json5"], gateway: {port: 18789}}'
    )
    cfg = load_config(tmp_path / "openclaw.json")
    assert get_path(cfg.data, "gateway.bind") == "lan"
    assert get_path(cfg.data, "gateway.port") == 18789
    assert is_env_reference(get_path(cfg.data, "channels.slack.botToken"))
    assert len(cfg.files) == 3


def test_include_outside_root_is_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "state"
    root.mkdir()
    (tmp_path / "outside.json").write_text('{"gateway": {"bind": "lan"}}')
    (root / "openclaw.json").write_text('{"$include": "../outside.json"}')
    cfg = load_config(root / "openclaw.json")
    assert get_path(cfg.data, "gateway.bind") is None
    assert [p.kind for p in cfg.problems] == ["include_outside"]


def test_include_cycle_terminates(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"$include": "b.json", "a": 1}')
    (tmp_path / "b.json").write_text('{"$include": "a.json", "b": 2}')
    (tmp_path / "openclaw.json").write_text('{"$include": "a.json"}')
    cfg = load_config(tmp_path / "openclaw.json")
    assert get_path(cfg.data, "a") == 1
    assert any(p.kind == "include_limit" for p in cfg.problems)


def test_symlinked_config_is_a_problem_not_a_read(tmp_path: Path) -> None:
    (tmp_path / "shadow").write_text("root:x:0:0")
    (tmp_path / "state").mkdir()
    (tmp_path / "state/openclaw.json").symlink_to(tmp_path / "shadow")
    assert find_config(tmp_path / "state") == tmp_path / "state/openclaw.json"
    cfg = load_config(tmp_path / "state/openclaw.json")
    assert cfg.data == {} and [p.kind for p in cfg.problems] == ["symlink"]


def test_legacy_config_name(tmp_path: Path) -> None:
    (tmp_path / "clawdbot.json").write_text("{gateway: {mode: 'local'}}")
    assert find_config(tmp_path) == tmp_path / "clawdbot.json"


def test_binary_garbage_and_non_object(tmp_path: Path) -> None:
    (tmp_path / "openclaw.json").write_bytes(b"\x00\xff\xfe garbage")
    assert [p.kind for p in load_config(tmp_path / "openclaw.json").problems] == ["parse_error"]
    (tmp_path / "openclaw.json").write_text("[1, 2]")
    assert [p.kind for p in load_config(tmp_path / "openclaw.json").problems] == ["not_object"]


def test_deep_nesting_is_a_parse_error(tmp_path: Path) -> None:
    (tmp_path / "openclaw.json").write_text("[" * 100_000 + "]" * 100_000)
    cfg = load_config(tmp_path / "openclaw.json")
    assert cfg.data == {} and cfg.problems and cfg.problems[0].kind in ("parse_error", "not_object")


def test_parse_error_message_never_quotes_content() -> None:
    try:
        parse_json5("{key: sk-ant-api03-SECRETVALUE}")
    except ValueError as exc:
        assert "sk-ant" not in str(exc) and "SECRET" not in str(exc)
    else:
        raise AssertionError("expected a parse error")


@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=2048) | st.text(max_size=2048).map(str.encode))
def test_fuzz_load_never_raises(tmp_path: Path, blob: bytes) -> None:
    (tmp_path / "openclaw.json").write_bytes(blob)
    cfg = load_config(tmp_path / "openclaw.json")
    assert isinstance(cfg.data, dict)


_json5_atoms = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
_json5_values = st.recursive(
    _json5_atoms,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10).filter(lambda k: k != "$include"), children, max_size=4)
    ),  # a directive
    max_leaves=30,
)


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_json5_values, st.sampled_from(["", "// c\n", "/* c */"]))
def test_fuzz_structured_with_comments(tmp_path: Path, value: object, comment: str) -> None:
    import json

    (tmp_path / "openclaw.json").write_text(comment + json.dumps({"root": value}, ensure_ascii=False))
    cfg = load_config(tmp_path / "openclaw.json")
    assert cfg.data == {"root": value}
