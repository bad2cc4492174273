"""Credential classification and extraction; fuzzing shows extractors never raise nor echo values."""

from __future__ import annotations

import sqlite3
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.openclaw.credentials.extract import (
    secrets_in_dotenv,
    secrets_in_plist,
    secrets_in_tree,
    systemd_environment_pairs,
)
from sensor.openclaw.credentials.kinds import KINDS, classify
from sensor.openclaw.credentials.sqlite_store import apply_wal


@pytest.mark.parametrize(
    ("path", "value", "kind"),
    [
        ("gateway.auth.token", "abc" * 10, "gateway_token"),
        ("gateway.auth.password", "hunter2hunter2", "gateway_password"),
        ("hooks.token", "x" * 30, "hooks_token"),
        ("hooks.gmail.pushToken", "x" * 20, "gmail_push_token"),
        ("channels.slack.botToken", "xoxb-1-2-abc", "slack_bot_token"),
        ("channels.slack.accounts.work.appToken", "xapp-1-abc", "slack_app_token"),
        ("channels.slack.userToken", "xoxp-1-abc", "slack_user_token"),
        ("channels.slack.signingSecret", "abcdef0123456789", "slack_signing_secret"),
        ("channels.telegram.botToken", "123:abc", "telegram_bot_token"),
        ("channels.discord.token", "MTA.abc.def", "discord_bot_token"),
        ("channels.msteams.appPassword", "pw", "msteams_app_password"),
        ("profiles.anthropic:default.key", "sk-ant-api03-xyz", "anthropic_api_key"),
        ("profiles.openai:default.key", "sk-proj-abcdefghijklmnopqrstu", "openai_api_key"),
        ("models.providers.mock.apiKey", "mock-key", "model_api_key"),
        ("ANTHROPIC_API_KEY", "sk-ant-api03-zzz", "anthropic_api_key"),
        ("SLACK_BOT_TOKEN", "xoxb-9", "slack_bot_token"),
        ("OPENCLAW_GATEWAY_TOKEN", "t" * 32, "gateway_token"),
        ("CLAWDBOT_GATEWAY_TOKEN", "t" * 32, "gateway_token"),
        ("installed.client_secret", "GOCSPX-abc", "google_oauth_client_secret"),
        ("misc.note", "sk-ant-api03-found-by-shape", "anthropic_api_key"),
        ("misc.note", "ghp_" + "a" * 36, "github_token"),
    ],
)
def test_classify(path: str, value: str, kind: str) -> None:
    assert classify(path, value) == kind
    assert kind in KINDS


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("gateway.auth.mode", "token"),
        ("channels.telegram.tokenFile", "/run/secrets/tg"),
        ("profiles.anthropic:default.type", "api_key"),
        ("gateway.bind", "lan"),
        ("channels.slack.botToken", ""),
        ("agents.defaults.model.primary", "anthropic/claude"),
    ],
)
def test_not_secrets(path: str, value: str) -> None:
    assert classify(path, value) is None


def test_dotenv_and_systemd_and_plist() -> None:
    env = "# comment\nexport OPENAI_API_KEY='sk-proj-abcdefghijklmnopqrstuv'\nLOG=debug\nTOKEN=${FROM_ENV}\n"
    assert [(s.kind, s.location, s.reference) for s in secrets_in_dotenv(env)] == [
        ("openai_api_key", "OPENAI_API_KEY", None),
        ("generic_secret", "TOKEN", "env:FROM_ENV"),
    ]
    unit = 'Environment="OPENCLAW_GATEWAY_TOKEN=abc def" OPENCLAW_SERVICE_MARKER=openclaw\n'
    assert list(systemd_environment_pairs(unit)) == [
        ("OPENCLAW_GATEWAY_TOKEN", "abc def"),
        ("OPENCLAW_SERVICE_MARKER", "openclaw"),
    ]
    plist = {"EnvironmentVariables": {"OPENCLAW_GATEWAY_TOKEN": "t" * 30}, "ProgramArguments": ["node", "x"]}
    assert [s.kind for s in secrets_in_plist(plist)] == ["gateway_token"]


_leaf = st.text(min_size=0, max_size=60)
_tree = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), _leaf),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=20), c, max_size=5),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(_tree)
def test_fuzz_tree_extraction_never_raises_and_locations_hold_no_values(tree: object) -> None:
    for secret in secrets_in_tree(tree):
        assert secret.kind in KINDS
        if secret.value and len(secret.value) >= 8:
            assert secret.value not in secret.location or secret.value in _all_keys(tree)


def _all_keys(tree: object) -> str:
    if isinstance(tree, dict):
        return " ".join(str(k) + " " + _all_keys(v) for k, v in tree.items())
    if isinstance(tree, list):
        return " ".join(_all_keys(v) for v in tree)
    return ""


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=3000))
def test_fuzz_dotenv_never_raises(text: str) -> None:
    for secret in secrets_in_dotenv(text):
        assert secret.kind in KINDS and "=" not in secret.location


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=4096), st.binary(max_size=8192))
def test_fuzz_apply_wal_never_raises(db: bytes, wal: bytes) -> None:
    assert isinstance(apply_wal(db, wal), bytes)


def test_apply_wal_matches_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "x.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t (v TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [(f"row{i}" * 50,) for i in range(200)])
    conn.commit()
    db, wal = path.read_bytes(), (tmp_path / "x.sqlite-wal").read_bytes()
    assert struct.unpack(">I", wal[:4])[0] in (0x377F0682, 0x377F0683)
    image = bytearray(apply_wal(db, wal))
    image[18:20] = b"\x01\x01"
    mem = sqlite3.connect(":memory:")
    mem.deserialize(bytes(image))
    assert mem.execute("SELECT count(*) FROM t").fetchone() == (200,)
    conn.close()
