"""inventory_changes between two scans of the same trees."""

from __future__ import annotations

import json
from pathlib import Path

from sensor.inventory.changes import CHANGE_TYPES, inventory_changes
from sensor.inventory.scanner import scan_host
from tests.unit.inventory import trees

SALT = b"unit-test-salt-0123456789abcdef!"


def test_changes(tmp_path: Path) -> None:
    tree = trees.openclaw_2026_9(tmp_path / "a", bind="loopback")
    first = scan_host([tree.home], include_processes=False, system_wide=False, salt=SALT)
    added = inventory_changes(None, first)
    assert [c.change_type for c in added] == ["install_added"]
    assert inventory_changes(first, scan_host([tree.home], include_processes=False, system_wide=False, salt=SALT)) == []

    config = tree.state_dir / "openclaw.json"
    data = json.loads(config.read_text().split("\n", 1)[1])
    data["gateway"]["bind"] = "lan"
    del data["channels"]["telegram"]
    data["meta"]["lastTouchedVersion"] = "2026.9.7"
    data["gateway"]["auth"]["token"] = "rotated-token-value-0000000000000000"
    config.write_text(json.dumps(data))
    second = scan_host([tree.home], include_processes=False, system_wide=False, salt=SALT)
    changes = inventory_changes(first, second)
    kinds = sorted(c.change_type for c in changes)
    assert kinds == ["credential_added", "exposure_changed", "grant_removed", "version_changed"]
    assert all(c.change_type in CHANGE_TYPES for c in changes)
    removed = next(c for c in changes if c.change_type == "grant_removed")
    assert removed.details["grant"] == "telegram"
    cred = next(c for c in changes if c.change_type == "credential_added")
    assert {k: cred.details[k] for k in ("kind", "path", "location")} == {
        "kind": "gateway_token",
        "path": str(config),
        "location": "gateway.auth.token",
    }
    assert "rotated" not in repr(changes)
    exposure = next(c for c in changes if c.change_type == "exposure_changed")
    assert "gateway.bind=lan" in exposure.details["config_settings_added"]  # type: ignore[operator]
    assert "gateway.bind=lan" in exposure.details["config_settings"]  # type: ignore[operator]
    assert "gateway.bind=loopback" in added[0].details["config_settings_added"]  # type: ignore[operator]

    (tmp_path / "empty").mkdir()
    gone = inventory_changes(
        second, scan_host([tmp_path / "empty"], include_processes=False, system_wide=False, salt=SALT)
    )
    assert [c.change_type for c in gone] == ["install_removed"]


def test_auth_mode_flip_is_an_exposure_change_the_pack_alerts_on(tmp_path: Path) -> None:
    """Only the auth mode changes (bind and listeners stay): still exposure_changed, with AuthMode, and the
    pack's auth-none rule fires on the event the live sensor builds from it."""
    from sensor.engine import Engine
    from sensor.sources.openclaw_state.source import change_fields

    tree = trees.openclaw_2026_9(tmp_path / "a", bind="loopback")
    first = scan_host([tree.home], include_processes=False, system_wide=False, salt=SALT)
    config = tree.state_dir / "openclaw.json"
    data = json.loads(config.read_text().split("\n", 1)[1])
    data["gateway"]["auth"] = {"mode": "none"}
    config.write_text(json.dumps(data))
    second = scan_host([tree.home], include_processes=False, system_wide=False, salt=SALT)
    changes = [c for c in inventory_changes(first, second) if c.change_type == "exposure_changed"]
    assert len(changes) == 1
    fields = change_fields(changes[0])
    assert fields["AuthMode"] == "none" and fields["BindMode"] == "loopback"
    assert "gateway.auth.mode=none" in fields["ConfigSettingsAdded"]
    engine = Engine.load([Path(__file__).resolve().parents[3] / "detections" / "exposure" / "auth_none.yml"])
    event = {"category": "inventory_change", "product": "linux", "ChangeType": "exposure_changed",
             "EventId": "e1", "UtcTime": "2026-11-22T10:00:00Z", **fields}
    assert [alert.rule_id for alert in engine.process(event)] == [engine.rules[0].id]
