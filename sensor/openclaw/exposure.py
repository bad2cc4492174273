"""Is the gateway reachable from the network, and how well is it guarded?

Bind modes are modes, not hosts: ``loopback`` (127.0.0.1 + ::1), ``lan`` (0.0.0.0), ``tailnet`` (the
tailnet address), ``custom`` (``gateway.customBindHost``), ``auto`` (0.0.0.0 in a container, loopback
otherwise). Real listener addresses come from sockets owned by the gateway's PIDs; exposed = a
non-loopback listener OR a non-loopback configured bind. Token: length class only, never the token.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sensor.openclaw.config import get_path, is_env_reference, is_secret_ref
from sensor.schema.inventory import Listener
from sensor.secrets import length_class

DEFAULT_PORT = 18789
_PLACEHOLDERS = frozenset({"changeme", "change-me", "token", "password", "secret", "your-token", "xxx", "test"})


@dataclass(frozen=True)
class BindAssessment:
    mode: str  # as configured or the default
    host: str | None  # effective host when known
    exposed: bool
    source: str  # config key or "default"


def is_loopback(address: str) -> bool:
    host = address.strip("[]").split("%", 1)[0]
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def assess_bind(config: dict[str, Any], in_container: bool) -> BindAssessment:
    raw = get_path(config, "gateway.bind")
    mode = raw if isinstance(raw, str) and raw else ("auto" if in_container else "loopback")
    source = "gateway.bind" if isinstance(raw, str) and raw else "default"
    if mode == "loopback":
        return BindAssessment(mode, "127.0.0.1", False, source)
    if mode == "lan":
        return BindAssessment(mode, "0.0.0.0", True, source)  # noqa: S104 (describing, not binding)
    if mode == "auto":
        return BindAssessment(mode, "0.0.0.0" if in_container else "127.0.0.1", in_container, source)  # noqa: S104
    if mode == "custom":
        host = get_path(config, "gateway.customBindHost")
        host_text = host if isinstance(host, str) else None
        exposed = host_text is None or not is_loopback(host_text)
        return BindAssessment(mode, host_text, exposed, "gateway.customBindHost" if host_text else source)
    if mode == "tailnet":
        return BindAssessment(mode, None, True, source)
    # an unknown mode or a host written where a mode belongs (legacy/invalid configs): judge the value
    return BindAssessment(mode, mode, not is_loopback(mode), source)


def _secret_length(value: object) -> str | None:
    if value is None:
        return None
    if is_env_reference(value) or is_secret_ref(value):
        return "reference"
    if not isinstance(value, str):
        return "invalid"
    if value.strip().lower() in _PLACEHOLDERS:
        return "placeholder"
    return length_class(value)


def _broad_proxy(entry: object) -> bool:
    if not isinstance(entry, str):
        return False
    try:
        net = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return entry.strip() == "*"
    return net.prefixlen <= (8 if net.version == 4 else 32)


def dangerous_flags(config: Any, prefix: str = "") -> Iterator[str]:
    """Key paths of enabled ``dangerously*`` keys plus the unsafe flags the audit lists."""
    stack: list[tuple[str, Any]] = [(prefix, config)]
    seen = 0
    while stack and seen < 100_000:
        path, value = stack.pop()
        seen += 1
        if isinstance(value, dict):
            for key, child in value.items():
                child_path = f"{path}.{key}" if path else str(key)
                lowered = str(key).lower()
                if (lowered.startswith("dangerous") or lowered == "allowunsafeexternalcontent") and child not in (
                    False,
                    None,
                    "",
                    [],
                    {},
                ):
                    yield child_path
                stack.append((child_path, child))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}", v) for i, v in enumerate(value))
    for key, bad in (
        ("hooks.allowRequestSessionKey", True),
        ("tools.fs.workspaceOnly", False),
        ("tools.exec.applyPatch.workspaceOnly", False),
        ("plugins.entries.acpx.config.permissionMode", "approve-all"),
    ):
        if get_path(config, key) == bad if isinstance(config, dict) else False:
            yield key


def exposure_summary(
    config: dict[str, Any], listeners: Iterable[Listener], in_container: bool
) -> tuple[bool, dict[str, object]]:
    """(exposed, details) for an install. Details hold modes, classes and counts, never secrets."""
    bind = assess_bind(config, in_container)
    listener_list = list(listeners)
    exposed_listeners = [f"{li.address}:{li.port}" for li in listener_list if li.exposed]
    auth_raw = get_path(config, "gateway.auth.mode")
    token = get_path(config, "gateway.auth.token")
    if token is None:
        token = get_path(config, "gateway.token")
    password = get_path(config, "gateway.auth.password")
    if isinstance(auth_raw, str) and auth_raw:
        auth_mode = auth_raw
    elif password is not None and token is None:
        auth_mode = "password (inferred)"
    else:
        auth_mode = "token (default)"
    origins = get_path(config, "gateway.controlUi.allowedOrigins")
    proxies = get_path(config, "gateway.trustedProxies")
    port = get_path(config, "gateway.port")
    details: dict[str, object] = {
        "bind_mode": bind.mode,
        "bind_source": bind.source,
        "bind_host": bind.host,
        "configured_exposed": bind.exposed,
        "exposed_listeners": exposed_listeners,
        "port": port if isinstance(port, int) else DEFAULT_PORT,
        "auth_mode": auth_mode,
        "token_length_class": _secret_length(token),
        "password_length_class": _secret_length(password),
        "trusted_proxies": len(proxies) if isinstance(proxies, list) else 0,
        "trusted_proxies_broad": isinstance(proxies, list) and any(_broad_proxy(p) for p in proxies),
        "tailscale_mode": get_path(config, "gateway.tailscale.mode") or "off",
        "allowed_origins_wildcard": isinstance(origins, list) and "*" in origins,
        "mdns_mode": get_path(config, "discovery.mdns.mode") or "default",
        "tools_http_allow": bool(get_path(config, "gateway.tools.allow")),
        "dangerous_flags": sorted(set(dangerous_flags(config))),
    }
    return bind.exposed or bool(exposed_listeners), details
