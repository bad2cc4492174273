"""Small OpenClaw home trees written from openclaw-facts.md (sections 3, 4, 5, 8, 10), for scanner tests.

The real-package fixture trees (tests/fixtures/openclaw/, made by the harness recipe) are used when
present; these hand-built trees cover the layouts and the hostile cases the real package cannot make.
Every secret value contains ``CANARY`` so output can be checked for leaks.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

SECRETS_2026_9 = {
    "gateway_token": "CANARY-gw-token-0123456789abcdef0123456789abcdef",
    "anthropic_api_key": "sk-ant-api03-CANARY-000000000000000000000000000000",
    "slack_bot_token": "xoxb-000000000000-0000000000000-CANARYCANARYCANARY1",
    "slack_app_token": "xapp-1-A000000000-0000000000000-CANARYCANARYCANARY2",
    "telegram_bot_token": "123456789:AACANARYCANARYCANARYCANARYCANARY000",
    "hooks_token": "CANARY-hook-token-7f3a9c1e5b2d4f6a8c0e2b4d6f8a0c2e",
    "gmail_push_token": "CANARY-push-token-1b3d5f7a9c2e4b6d",
}

SECRETS_2026_2 = {
    "gateway_token": "CANARY-old-gw-token-abcdefabcdefabcdef",
    "anthropic_api_key": "sk-ant-api03-CANARY-old-1111111111111111111111",
    "openai_api_key": "sk-proj-CANARYopenai22222222222222222222",
    "whatsapp_session": "CANARY-whatsapp-noise-key-333333333333",
    "service_gateway_token": "CANARY-unit-inline-token-44444444444444",
}


@dataclass
class Tree:
    home: Path
    state_dir: Path
    secrets: dict[str, str] = field(default_factory=dict)


def _write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def auth_store_json(key: str) -> str:
    return json.dumps(
        {
            "version": 1,
            "profiles": {"anthropic:default": {"type": "api_key", "provider": "anthropic", "key": key}},
        }
    )


def create_state_db(path: Path, auth_json: str, *, wal: bool = False) -> sqlite3.Connection | None:
    """state/openclaw.sqlite as 2026.9.6 creates it (STRICT table, key authProfiles.store).

    With ``wal=True`` the row is committed into the WAL and the returned connection stays open with
    auto-checkpoint off, like a live gateway: the caller must close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS config_machine_state (state_key TEXT NOT NULL PRIMARY KEY, "
        "value_json TEXT NOT NULL, updated_at_ms INTEGER NOT NULL) STRICT"
    )
    conn.commit()
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("INSERT INTO config_machine_state VALUES ('authProfiles.store', ?, 1)", (auth_json,))
    conn.execute("INSERT INTO config_machine_state VALUES ('ui.theme', '{\"token\": \"not-a-secret-ui\"}', 1)")
    conn.commit()
    if wal:
        return conn
    conn.close()
    os.chmod(path, 0o600)
    return None


def openclaw_2026_9(home: Path, *, bind: str = "lan") -> Tree:
    """Onboarded 2026.9.6 install + the grants patch of openclaw-testhost.sh."""
    s = SECRETS_2026_9
    state = home / ".openclaw"
    config = {
        "meta": {"lastTouchedVersion": "2026.9.6"},
        "gateway": {
            "mode": "local",
            "port": 18789,
            "bind": bind,
            "auth": {"mode": "token", "token": s["gateway_token"]},
            "trustedProxies": ["10.0.0.1"],
            "controlUi": {"allowedOrigins": ["*"]},
        },
        "tools": {
            "profile": "full",
            "exec": {"host": "gateway", "mode": "full"},
            "elevated": {"enabled": True, "allowFrom": {"slack": ["*"], "telegram": ["*"]}},
            "fs": {"workspaceOnly": False},
        },
        "browser": {"enabled": True, "evaluateEnabled": True},
        "agents": {"defaults": {"sandbox": {"mode": "off"}}, "entries": {"main": {}}},
        "channels": {
            "slack": {
                "enabled": True,
                "mode": "socket",
                "botToken": s["slack_bot_token"],
                "appToken": s["slack_app_token"],
                "dmPolicy": "open",
                "allowFrom": ["*"],
                "groupPolicy": "open",
            },
            "telegram": {"enabled": True, "botToken": s["telegram_bot_token"], "dmPolicy": "pairing"},
        },
        "hooks": {
            "enabled": True,
            "token": s["hooks_token"],
            "presets": ["gmail"],
            "allowRequestSessionKey": True,
            "gmail": {"account": "employee@example.com", "pushToken": s["gmail_push_token"]},
        },
    }
    _write(state / "openclaw.json", "// written by onboard\n" + json.dumps(config, indent=2) + "\n")
    onboarded = {"gateway": {"mode": "local", "auth": {"mode": "token", "token": s["gateway_token"]}}}
    _write(state / "openclaw.json.bak", json.dumps(onboarded))  # onboarding's rotating backup
    _write(state / "openclaw.json.bak.1", "{truncated")
    state.chmod(0o700)
    create_state_db(state / "state/openclaw.sqlite", auth_store_json(s["anthropic_api_key"]))
    (state / "agents/main/sessions").mkdir(parents=True)
    (state / "workspace").mkdir()
    _write(state / "workspace/AGENTS.md", "# agents\n", 0o644)
    return Tree(home, state, dict(s))


def openclaw_2026_2(home: Path) -> Tree:
    """Early-2026 JSON-file layout: auth-profiles.json, WhatsApp creds, .env, a unit with an inline token."""
    s = SECRETS_2026_2
    state = home / ".openclaw"
    token = s["gateway_token"]
    config = """{
  // 2026.2-style config: agents.list, legacy exec keys
  gateway: { mode: "local", port: 18789, bind: "loopback", auth: { token: "TOKEN" } },
  agents: { list: [ { id: "main" } ] },
  tools: { exec: { security: "full", ask: "off" } },
  channels: { whatsapp: { dmPolicy: "pairing" } },
}
""".replace("TOKEN", token)
    _write(state / "openclaw.json", config)
    state.chmod(0o700)
    profiles = {"profiles": {"anthropic:default": {"type": "api_key", "key": s["anthropic_api_key"]}}}
    _write(state / "agents/main/agent/auth-profiles.json", json.dumps(profiles))
    _write(state / "credentials/whatsapp/default/creds.json", json.dumps({"noiseKey": s["whatsapp_session"]}))
    _write(state / "credentials/whatsapp-allowFrom.json", json.dumps(["+15550100"]))
    _write(state / ".env", f"OPENAI_API_KEY={s['openai_api_key']}\nOPENCLAW_LOG_LEVEL=info\n", 0o644)
    unit = (
        "[Unit]\nDescription=OpenClaw Gateway (v2026.2.26)\n[Service]\n"
        f"ExecStart=/usr/bin/node /usr/lib/node_modules/openclaw/dist/index.js gateway --port 18789\n"
        f"Environment=OPENCLAW_GATEWAY_TOKEN={s['service_gateway_token']}\n"
        "Environment=OPENCLAW_SERVICE_MARKER=openclaw\nRestart=always\n[Install]\nWantedBy=default.target\n"
    )
    _write(home / ".config/systemd/user/openclaw-gateway.service", unit, 0o644)
    return Tree(home, state, dict(s))


def clawdbot_legacy(home: Path) -> Tree:
    state = home / ".clawdbot"
    token = "CANARY-clawdbot-token-555555555555555555"
    config = '{gateway: {bind: "lan", auth: {mode: "none"}}, channels: {discord: {token: "TOKEN"}}}'
    _write(state / "clawdbot.json", config.replace("TOKEN", token))
    return Tree(home, state, {"discord_bot_token": token})
