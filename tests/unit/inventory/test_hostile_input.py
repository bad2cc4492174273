"""Hostile state dirs: every problem becomes a finding or warning; no crash, no hang, no leak, no write."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from sensor.inventory.scanner import scan_host
from sensor.schema.inventory import Install, ScanReport
from tests.unit.inventory import trees

SALT = b"unit-test-salt-0123456789abcdef!"
SHADOW_CANARY = "root:$6$CANARYSHADOWHASH$xyz:19000:0:99999:7:::"


def _scan(home: Path) -> ScanReport:
    result: list[ScanReport] = []
    worker = threading.Thread(
        target=lambda: result.append(scan_host([home], include_processes=False, system_wide=False, salt=SALT)),
        daemon=True,
    )
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "scan hung"
    assert result, "scan raised"
    return result[0]


def _only(report: ScanReport) -> Install:
    assert len(report.installs) == 1
    return report.installs[0]


def _state(tmp_path: Path) -> Path:
    state = tmp_path / "home/.openclaw"
    state.mkdir(parents=True)
    return state


def test_config_symlink_to_shadow_is_not_followed(tmp_path: Path) -> None:
    state = _state(tmp_path)
    shadow = tmp_path / "shadow"
    shadow.write_text(SHADOW_CANARY)
    (state / "openclaw.json").symlink_to(shadow)
    report = _scan(tmp_path / "home")
    inst = _only(report)
    assert "CW-SYMLINK-NOT-FOLLOWED" in {f.id for f in inst.findings}
    assert "CANARY" not in report.model_dump_json()


def test_symlinks_inside_stores_are_not_followed(tmp_path: Path) -> None:
    state = _state(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "auth-profiles.json").write_text('{"profiles": {"a:b": {"key": "sk-ant-api03-CANARYOUTSIDE0000000"}}}')
    (state / "agents/main").mkdir(parents=True)
    (state / "agents/main/agent").symlink_to(outside)
    (state / "credentials").mkdir()
    (state / "credentials/oauth.json").symlink_to(outside / "auth-profiles.json")
    (state / ".env").symlink_to(outside / "auth-profiles.json")
    report = _scan(tmp_path / "home")
    inst = _only(report)
    assert inst.credentials == []
    assert "CANARY" not in report.model_dump_json()
    assert "CW-SYMLINK-NOT-FOLLOWED" in {f.id for f in inst.findings}


def test_symlinked_state_dir_is_reported_not_read(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    real.mkdir()
    (real / "openclaw.json").write_text('{gateway: {auth: {token: "CANARY-via-link-000000000000000"}}}')
    (tmp_path / "home").mkdir()
    (tmp_path / "home/.openclaw").symlink_to(real)
    report = _scan(tmp_path / "home")
    inst = _only(report)
    assert inst.credentials == [] and "CW-SYMLINK-NOT-FOLLOWED" in {f.id for f in inst.findings}
    assert "CANARY" not in report.model_dump_json()


def test_oversized_binary_invalid_and_directory_files(tmp_path: Path) -> None:
    state = _state(tmp_path)
    (state / "openclaw.json").write_bytes(b"{" + b" " * (5 * 1024 * 1024))
    (state / "secrets.json").mkdir()
    (state / "exec-approvals.json").write_bytes(os.urandom(4096))
    (state / "agents/main/agent").mkdir(parents=True)
    (state / "agents/main/agent/auth-profiles.json").write_text("{profiles: {, CANARY-broken")
    report = _scan(tmp_path / "home")
    inst = _only(report)
    ids = [f.id for f in inst.findings]
    assert "CW-UNREADABLE" in ids  # oversized config, directory where a file belongs
    assert ids.count("CW-CONFIG-INVALID") >= 2  # binary garbage, invalid JSON5
    assert "CANARY" not in report.model_dump_json()


def test_fifo_and_device_do_not_hang(tmp_path: Path) -> None:
    state = _state(tmp_path)
    os.mkfifo(state / "openclaw.json")
    os.mkfifo(state / ".env")
    (state / "state").mkdir()
    os.mkfifo(state / "state/openclaw.sqlite")
    inst = _only(_scan(tmp_path / "home"))
    assert "CW-UNREADABLE" in {f.id for f in inst.findings}


def test_corrupt_sqlite_is_a_finding(tmp_path: Path) -> None:
    state = _state(tmp_path)
    (state / "state").mkdir()
    (state / "state/openclaw.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    (state / "agents/main/agent").mkdir(parents=True)
    (state / "agents/main/agent/openclaw-agent.sqlite").write_bytes(b"not a database at all")
    inst = _only(_scan(tmp_path / "home"))
    assert [f.id for f in inst.findings].count("CW-SQLITE-UNREADABLE") >= 2


def _digest(directory: Path) -> dict[str, tuple[str, int]]:
    out = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path)] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return out


def test_live_wal_database_is_read_without_any_write(tmp_path: Path) -> None:
    """A gateway-like writer keeps the DB open in WAL mode with the row only in the -wal file."""
    home = tmp_path / "home"
    state = _state(tmp_path)
    (state / "openclaw.json").write_text("{gateway: {bind: 'loopback'}}")
    key = "sk-ant-api03-CANARY-walonly-00000000000000000"
    writer = trees.create_state_db(state / "state/openclaw.sqlite", trees.auth_store_json(key), wal=True)
    assert writer is not None
    try:
        assert (state / "state/openclaw.sqlite-wal").stat().st_size > 0
        # an open write transaction (a lock held by the gateway) must not make the scan wait
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE config_machine_state SET updated_at_ms = 2 WHERE state_key = 'ui.theme'")
        before = _digest(state)
        report = _scan(home)
        after = _digest(state)
        writer.rollback()
    finally:
        writer.close()
    assert before == after, "the scan changed a file"
    inst = _only(report)
    assert [(c.kind, c.location) for c in inst.credentials] == [("anthropic_api_key", "profiles.anthropic:default.key")]
    assert key not in report.model_dump_json()


def test_agent_database_auth_profile_store(tmp_path: Path) -> None:
    state = _state(tmp_path)
    db = state / "agents/ops/agent/openclaw-agent.sqlite"
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TABLE auth_profile_store (store_key TEXT NOT NULL PRIMARY KEY, store_json TEXT NOT NULL, "
        "updated_at INTEGER NOT NULL) STRICT"
    )
    profile = {"type": "oauth", "access": "CANARY-acc", "refresh": "CANARY-ref"}
    oauth = json.dumps({"profiles": {"openai-codex:default": profile}})
    conn.execute("INSERT INTO auth_profile_store VALUES ('main', ?, 1)", (oauth,))
    conn.commit()
    conn.close()
    inst = _only(_scan(tmp_path / "home"))
    assert sorted((c.kind, c.location) for c in inst.credentials) == [
        ("model_oauth_token", "profiles.openai-codex:default.access"),
        ("model_oauth_token", "profiles.openai-codex:default.refresh"),
    ]
    assert "model_api_keys" in inst.grants


@pytest.mark.parametrize("payload", [b"{}", b"[]", b"null", b'{"gateway": "lan"}', b'{"gateway": {"auth": 5}}'])
def test_schema_invalid_configs_are_accepted(tmp_path: Path, payload: bytes) -> None:
    state = _state(tmp_path)
    (state / "openclaw.json").write_bytes(payload)
    inst = _only(_scan(tmp_path / "home"))
    assert inst.config_path is not None


def test_many_agent_dirs_are_capped(tmp_path: Path) -> None:
    state = _state(tmp_path)
    for i in range(300):
        (state / f"agents/a{i:03d}/agent").mkdir(parents=True)
    inst = _only(_scan(tmp_path / "home"))
    assert any(f.id == "CW-UNREADABLE" and "agent dirs" in f.evidence for f in inst.findings)


def test_big_database_uses_immutable_readonly_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sensor.openclaw.credentials import sqlite_store

    monkeypatch.setattr(sqlite_store, "SNAPSHOT_MAX_BYTES", 1024)  # every DB counts as "big" here
    state = _state(tmp_path)
    trees.create_state_db(state / "state/openclaw.sqlite", trees.auth_store_json("sk-ant-api03-CANARY-big-0000000000"))
    before = _digest(state)
    inst = _only(_scan(tmp_path / "home"))
    assert [c.kind for c in inst.credentials] == ["anthropic_api_key"]
    assert _digest(state) == before
    assert sorted(p.name for p in (state / "state").iterdir()) == ["openclaw.sqlite"]  # no -wal/-shm created


def test_codex_home_per_agent(tmp_path: Path) -> None:
    state = _state(tmp_path)
    codex = state / "agents/main/agent/codex-home"
    codex.mkdir(parents=True)
    (codex / "auth.json").write_text(json.dumps({"tokens": {"access_token": "CANARY-codex-access-0000000000"}}))
    inst = _only(_scan(tmp_path / "home"))
    assert [(c.kind, c.location) for c in inst.credentials] == [("codex_auth", "tokens.access_token")]
