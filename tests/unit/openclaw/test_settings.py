"""ConfigSettings: risk-relevant key=value entries, never free text or secrets."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.inventory.scanner import scan_host
from sensor.openclaw.settings import risk_settings
from tests.unit.inventory import trees


def test_settings_of_the_grants_tree(tmp_path: Path) -> None:
    tree = trees.openclaw_2026_9(tmp_path / "a")
    inst = scan_host([tree.home], include_processes=False, system_wide=False, salt=b"s" * 32).installs[0]
    got = set(inst.config_settings)
    assert {
        "gateway.bind=lan",
        "gateway.auth.mode=token",
        "gateway.port=18789",
        "gateway.controlUi.allowedOrigins=*",
        "tools.exec.host=gateway",
        "tools.exec.mode=full",
        "tools.profile=full",
        "tools.elevated.enabled=true",
        "tools.elevated.allowFrom.slack=*",
        "tools.elevated.allowFrom.telegram=*",
        "tools.fs.workspaceOnly=false",
        "agents.defaults.sandbox.mode=off",
        "browser.evaluateEnabled=true",
        "channels.slack.enabled=true",
        "channels.slack.dmPolicy=open",
        "channels.slack.groupPolicy=open",
        "channels.slack.allowFrom=*",
        "channels.telegram.dmPolicy=pairing",
        "hooks.enabled=true",
        "hooks.presets=gmail",
        "hooks.gmail.account=set",
        "hooks.allowRequestSessionKey=true",
    } <= got
    text = " ".join(got)
    assert all(value not in text for value in tree.secrets.values())
    assert "employee@example.com" not in text and "10.0.0.1" not in text


def test_free_text_never_passes() -> None:
    config = {
        "gateway": {"bind": "203.0.113.9", "auth": {"mode": "token-SECRET"}, "tailscale": {"mode": "funnel"}},
        "channels": {"slack": {"dmPolicy": "SECRET"}, "x y": {"enabled": True}},
        "browser": {"ssrfPolicy": {"dangerouslyAllowPrivateNetwork": True}},
    }
    assert risk_settings(config) == [
        "browser.ssrfPolicy.dangerouslyAllowPrivateNetwork=true",
        "channels.slack.enabled=true",
        "gateway.tailscale.mode=funnel",
    ]


_tree = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30)),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=15), c, max_size=5),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(["gateway", "tools", "channels", "hooks", "browser"]), _tree, max_size=5))
def test_fuzz_settings_values_are_safe(config: dict[str, object]) -> None:
    for entry in risk_settings(config):
        key, _, value = entry.partition("=")
        assert key and value
        assert (
            value in {"true", "false", "*", "set", "approve-all"}
            or value.lstrip("-").replace(".", "").isdigit()
            or (value.replace("-", "").isalpha() and len(value) <= 12)
        )
