"""scan_host on hand-built trees of both layouts: grants, credentials, exposure, persistence exactly."""

from __future__ import annotations

from pathlib import Path

from sensor.inventory.scanner import scan_host
from sensor.schema.inventory import Install, ScanReport
from tests.unit.inventory import trees

SALT = b"unit-test-salt-0123456789abcdef!"


def _scan(*homes: Path) -> ScanReport:
    return scan_host(list(homes), include_processes=False, system_wide=False, salt=SALT)


def _only(report: ScanReport) -> Install:
    assert len(report.installs) == 1, [i.state_dir for i in report.installs]
    return report.installs[0]


def _ids(install: Install) -> set[str]:
    return {f.id for f in install.findings}


def test_2026_9_sqlite_layout_with_grants(tmp_path: Path) -> None:
    tree = trees.openclaw_2026_9(tmp_path / "alice")
    inst = _only(_scan(tree.home))
    assert inst.product == "openclaw" and inst.variant == "default"
    assert inst.layout == "sqlite"
    assert inst.version == "2026.9.6" and inst.version_source == "config meta.lastTouchedVersion"
    assert inst.config_path == str(tree.state_dir / "openclaw.json")
    assert inst.grants == ["shell", "filesystem", "browser", "slack", "gmail", "telegram", "model_api_keys"]
    assert sorted((c.kind, c.location) for c in inst.credentials) == sorted(
        [
            ("gateway_token", "gateway.auth.token"),
            ("gateway_token", "gateway.auth.token"),  # openclaw.json.bak
            ("slack_bot_token", "channels.slack.botToken"),
            ("slack_app_token", "channels.slack.appToken"),
            ("telegram_bot_token", "channels.telegram.botToken"),
            ("hooks_token", "hooks.token"),
            ("gmail_push_token", "hooks.gmail.pushToken"),
            ("anthropic_api_key", "profiles.anthropic:default.key"),
        ]
    )
    sqlite_cred = next(c for c in inst.credentials if c.kind == "anthropic_api_key")
    assert sqlite_cred.path.endswith("state/openclaw.sqlite#config_machine_state/authProfiles.store")
    assert all(c.fingerprint.startswith("hmac-sha256:") and c.mode == "0600" for c in inst.credentials)
    assert inst.exposed and inst.exposure["bind_mode"] == "lan" and inst.exposure["configured_exposed"]
    assert inst.exposure["auth_mode"] == "token" and inst.exposure["token_length_class"] == "ok(24-63)"
    assert inst.exposure["allowed_origins_wildcard"] is True
    shell = next(e for e in inst.grant_evidence if e.grant == "shell")
    assert shell.source == "tools.exec.host" and "exec mode full: no approval" in shell.risk
    assert {
        "CW-EXPOSED",
        "CW-ORIGINS-WILDCARD",
        "CW-ELEVATED-WILDCARD",
        "CW-SHELL-NO-APPROVAL",
        "CW-SHELL-HOST-NOSANDBOX",
        "CW-OPEN-CHANNEL-WITH-SHELL",
        "CW-DANGEROUS-FLAG",
        "CW-GMAIL-HOOK",
        "CW-PLAINTEXT-CREDENTIAL",
    } <= _ids(inst)
    assert "CW-EXPOSED-NOAUTH" not in _ids(inst)
    flags = {f.evidence for f in inst.findings if f.id == "CW-DANGEROUS-FLAG"}
    assert flags == {"hooks.allowRequestSessionKey", "tools.fs.workspaceOnly"}


def test_loopback_bind_is_not_exposed(tmp_path: Path) -> None:
    tree = trees.openclaw_2026_9(tmp_path / "bob", bind="loopback")
    inst = _only(_scan(tree.home))
    assert not inst.exposed and inst.exposure["bind_mode"] == "loopback"
    assert "CW-EXPOSED" not in _ids(inst)


def test_2026_2_json_layout_with_service_unit(tmp_path: Path) -> None:
    tree = trees.openclaw_2026_2(tmp_path / "carol")
    inst = _only(_scan(tree.home))
    assert inst.layout == "json"
    assert inst.version == "2026.2.26"
    assert inst.grants == ["shell", "filesystem", "browser", "whatsapp", "model_api_keys"]
    shell = next(e for e in inst.grant_evidence if e.grant == "shell")
    assert "exec mode full: no approval" in shell.risk and "exec ask off" in shell.risk
    kinds = sorted((c.kind, Path(c.path.split("#")[0]).name, c.location) for c in inst.credentials)
    assert kinds == sorted(
        [
            ("gateway_token", "openclaw.json", "gateway.auth.token"),
            ("anthropic_api_key", "auth-profiles.json", "profiles.anthropic:default.key"),
            ("openai_api_key", ".env", "OPENAI_API_KEY"),
            ("whatsapp_session", "creds.json", "whatsapp/default"),
            ("gateway_token", "openclaw-gateway.service", "OPENCLAW_GATEWAY_TOKEN"),
        ]
    )
    assert [(p.mechanism, p.name, p.role) for p in inst.persistence] == [
        ("systemd", "openclaw-gateway.service", "gateway")
    ]
    assert inst.persistence[0].exec_start is not None and "CANARY" not in inst.persistence[0].exec_start
    perms = [f for f in inst.findings if f.id == "CW-CREDENTIAL-PERMS"]
    # the 0644 unit holds the token inline (2026.2 did that): world-readable, like the .env
    assert sorted(Path(f.path or "").name for f in perms) == [".env", "openclaw-gateway.service"]
    assert not inst.exposed


def test_legacy_clawdbot_without_auth_is_critical(tmp_path: Path) -> None:
    tree = trees.clawdbot_legacy(tmp_path / "dave")
    inst = _only(_scan(tree.home))
    assert (inst.product, inst.variant) == ("clawdbot", "legacy:clawdbot")
    assert inst.config_path == str(tree.state_dir / "clawdbot.json")
    assert {"CW-EXPOSED-NOAUTH", "CW-LEGACY-INSTALL"} <= _ids(inst)
    assert inst.grants[:3] == ["shell", "filesystem", "browser"] and "discord" in inst.grants
    critical = [f for f in inst.findings if f.id == "CW-EXPOSED-NOAUTH"]
    assert critical[0].severity.value == "critical"


def test_profiles_and_legacy_dirs_in_one_home(tmp_path: Path) -> None:
    home = tmp_path / "erin"
    for name in (".openclaw", ".openclaw-dev", ".openclaw-work", ".moltbot", ".moldbot", ".clawdbot"):
        (home / name).mkdir(parents=True)
    (home / ".openclaw-notes.txt").write_text("not a dir")
    (home / ".openclawrc").mkdir()
    report = _scan(home)
    got = sorted((i.product, i.variant) for i in report.installs)
    assert got == sorted(
        [
            ("openclaw", "default"),
            ("openclaw", "profile:dev"),
            ("openclaw", "profile:work"),
            ("moltbot", "legacy:moltbot"),
            ("moltbot", "legacy:moldbot"),
            ("clawdbot", "legacy:clawdbot"),
        ]
    )


def test_env_references_are_reported_as_references(tmp_path: Path) -> None:
    state = tmp_path / "frank/.openclaw"
    state.mkdir(parents=True)
    (state / "openclaw.json").write_text(
        '{channels: {slack: {botToken: "${SLACK_BOT_TOKEN}", appToken: {source: "env", id: "SLACK_APP"}}},'
        ' gateway: {auth: {token: "${OPENCLAW_GATEWAY_TOKEN}"}}}'
    )
    inst = _only(_scan(tmp_path / "frank"))
    refs = sorted((c.kind, c.reference, c.fingerprint) for c in inst.credentials)
    assert refs == [
        ("gateway_token", "env:OPENCLAW_GATEWAY_TOKEN", "reference"),
        ("slack_app_token", "secretref:env:SLACK_APP", "reference"),
        ("slack_bot_token", "env:SLACK_BOT_TOKEN", "reference"),
    ]
    assert inst.exposure["token_length_class"] == "reference"
    assert "CW-PLAINTEXT-CREDENTIAL" not in _ids(inst)


def test_fingerprints_are_salted_and_stable(tmp_path: Path) -> None:
    tree = trees.openclaw_2026_9(tmp_path / "gina")
    a = _only(_scan(tree.home)).credentials
    b = _only(scan_host([tree.home], include_processes=False, system_wide=False, salt=SALT)).credentials
    c = _only(
        scan_host([tree.home], include_processes=False, system_wide=False, salt=b"another-salt-0123456789abcdef!!")
    ).credentials
    assert [x.fingerprint for x in a] == [x.fingerprint for x in b]
    assert not {x.fingerprint for x in a} & {x.fingerprint for x in c}


def test_empty_home_has_no_installs(tmp_path: Path) -> None:
    (tmp_path / "h").mkdir()
    report = _scan(tmp_path / "h")
    assert report.installs == [] and report.findings == []


def test_persistence_links_profiles_and_reports_orphans(tmp_path: Path) -> None:
    home = tmp_path / "hank"
    (home / ".openclaw").mkdir(parents=True)
    (home / ".openclaw-dev").mkdir()
    units = home / ".config/systemd/user"
    units.mkdir(parents=True)
    for name in ("openclaw-gateway.service", "openclaw-gateway-dev.service", "clawdbot-gateway.service"):
        (units / name).write_text("[Service]\nExecStart=/usr/bin/node /opt/oc/dist/index.js gateway\n")
    (units / "default.target.wants").mkdir()
    (units / "default.target.wants/openclaw-gateway.service").symlink_to(units / "openclaw-gateway.service")
    report = _scan(home)
    by_variant = {i.variant: [p.name for p in i.persistence] for i in report.installs}
    enabled = {p.name: p.enabled for i in report.installs for p in i.persistence}
    assert enabled == {"openclaw-gateway.service": True, "openclaw-gateway-dev.service": False}
    assert by_variant == {"default": ["openclaw-gateway.service"], "profile:dev": ["openclaw-gateway-dev.service"]}
    orphans = [f for f in report.findings if f.id == "CW-PERSISTENCE" and f.install_id is None]
    assert [Path(f.path or "").name for f in orphans] == ["clawdbot-gateway.service"]
