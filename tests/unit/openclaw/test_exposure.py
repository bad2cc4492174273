"""Bind modes are modes, not hosts; listeners decide too; tokens only as length classes."""

from __future__ import annotations

import pytest

from sensor.openclaw.exposure import assess_bind, exposure_summary, is_loopback
from sensor.schema.inventory import Listener


@pytest.mark.parametrize(
    ("gateway", "container", "mode", "exposed"),
    [
        ({}, False, "loopback", False),
        ({}, True, "auto", True),
        ({"bind": "auto"}, False, "auto", False),
        ({"bind": "auto"}, True, "auto", True),
        ({"bind": "loopback"}, True, "loopback", False),
        ({"bind": "lan"}, False, "lan", True),
        ({"bind": "tailnet"}, False, "tailnet", True),
        ({"bind": "custom", "customBindHost": "127.0.0.1"}, False, "custom", False),
        ({"bind": "custom", "customBindHost": "192.168.1.20"}, False, "custom", True),
        ({"bind": "custom"}, False, "custom", True),
        ({"bind": "0.0.0.0"}, False, "0.0.0.0", True),  # a host written where a mode belongs (legacy/invalid)
        ({"bind": "127.0.0.1"}, False, "127.0.0.1", False),
    ],
)
def test_bind_modes(gateway: dict[str, object], container: bool, mode: str, exposed: bool) -> None:
    result = assess_bind({"gateway": gateway}, container)
    assert (result.mode, result.exposed) == (mode, exposed)


def test_listener_makes_exposed_even_when_config_says_loopback() -> None:
    listeners = [Listener(address="0.0.0.0", port=18789, exposed=True)]
    exposed, details = exposure_summary({"gateway": {"bind": "loopback"}}, listeners, False)
    assert exposed and details["exposed_listeners"] == ["0.0.0.0:18789"] and not details["configured_exposed"]


def test_auth_details_never_hold_secrets() -> None:
    token = "short-secret"
    config = {
        "gateway": {"auth": {"token": token}, "trustedProxies": ["0.0.0.0/0"], "tailscale": {"mode": "funnel"}},
        "discovery": {"mdns": {"mode": "full"}},
        "browser": {"ssrfPolicy": {"dangerouslyAllowPrivateNetwork": True}},
    }
    _, details = exposure_summary(config, [], False)
    assert details["token_length_class"] == "short(<24)"
    assert details["trusted_proxies_broad"] is True and details["tailscale_mode"] == "funnel"
    assert details["dangerous_flags"] == ["browser.ssrfPolicy.dangerouslyAllowPrivateNetwork"]
    assert token not in repr(details)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("localhost", True),
        ("not-an-ip", False),
    ],
)
def test_is_loopback(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback
