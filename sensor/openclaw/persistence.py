"""Autostart entries for the gateway and node host: systemd units, launchd plists, Windows scheduled
task XML files and Startup-folder items. Parsed, never executed; secrets inline in them (2026.2 put
``OPENCLAW_GATEWAY_TOKEN`` in the unit/plist) are returned as ``RawSecret`` for the credential list."""

from __future__ import annotations

import os
import plistlib
import re
import xml.etree.ElementTree as ET  # bounded local files; entities refused below
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sensor.openclaw.credentials.extract import (
    RawSecret,
    secrets_in_assignments,
    secrets_in_plist,
    systemd_environment_pairs,
    windows_set_pairs,
)
from sensor.openclaw.names import (
    CONFIG_PATH_ENV_KEYS,
    HOME_ENV_KEYS,
    PRODUCT_PATTERN,
    PRODUCTS,
    STATE_DIR_ENV_KEYS,
)
from sensor.safeio import FileData, SafeIOError, read_file
from sensor.schema.inventory import Persistence, PersistenceMechanism
from sensor.schema.vocabulary import Product
from sensor.secrets import redact_text

MAX_DEFINITION_BYTES = 512 * 1024
_STATE_DIR_KEYS = STATE_DIR_ENV_KEYS
_CONFIG_KEYS = CONFIG_PATH_ENV_KEYS
_HOME_KEYS = HOME_ENV_KEYS
_STATE_IN_PATH = re.compile(
    rf"((?:[A-Za-z]:)?/[^\s\"'=]*?/\.(?:{PRODUCT_PATTERN})(?:-[A-Za-z0-9_\-]+)?)(?=/|\s|\"|'|$)"
)


@dataclass
class ServiceDefinition:
    persistence: Persistence
    secrets: list[RawSecret] = field(default_factory=list)
    data: FileData | None = None
    env: dict[str, str] = field(default_factory=dict)  # location keys only
    state_dirs: list[str] = field(default_factory=list)  # state dirs named anywhere in it
    version_text: str = ""
    user: str | None = None  # systemd system units: User=

    @property
    def product_profile(self) -> tuple[str | None, str | None]:
        return service_product_profile(self.persistence.name)


_DISPLAY_NAMES = "|".join(product.display_name for product in PRODUCTS)  # Windows task names
_NAME_PATTERNS = (
    re.compile(rf"^(?P<product>{PRODUCT_PATTERN})-(?:gateway|node)(?:-(?P<profile>[^.]+))?\.service$"),
    re.compile(r"^(?:ai|com|bot)\.(?P<product>openclaw|clawdbot|molt)\.(?P<profile>[^.]+)(?:\.plist)?$"),
    re.compile(rf"^(?P<product>{_DISPLAY_NAMES}) (?:Gateway|Node)(?: \((?P<profile>[^)]+)\))?"),
)


def service_product_profile(name: str) -> tuple[str | None, str | None]:
    """('openclaw', None) for the default gateway/node service, ('openclaw', 'dev') for a profile's."""
    for pattern in _NAME_PATTERNS:
        match = pattern.match(name)
        if match:
            product = match.group("product").lower()
            product = Product.moltbot if product == "molt" else product
            profile = match.group("profile")
            if profile in ("gateway", "node", "mac"):
                profile = None
            return product, profile
    return None, None


def _role(name: str) -> Literal["gateway", "node", "unknown"]:
    lowered = name.lower()
    if "node" in lowered:
        return "node"
    if "gateway" in lowered or any(lowered.startswith(f"ai.{p}.") or lowered.startswith(f"com.{p}.") for p in PRODUCTS):
        return "gateway"
    return "unknown"


def _location_env(pairs: list[tuple[str, str]]) -> dict[str, str]:
    keys = _STATE_DIR_KEYS + _CONFIG_KEYS + _HOME_KEYS
    return {k: v for k, v in pairs if k in keys}


def _state_dirs(text: str) -> list[str]:
    return sorted({m.group(1) for m in _STATE_IN_PATH.finditer(text)})


def _persistence(data: FileData, mechanism: PersistenceMechanism, scope: str, exec_start: str | None, *,
                 name: str | None = None, enabled: bool | None = None) -> Persistence:
    """The autostart entry a definition file makes: named ``name`` (default the file's name), its role
    read from that name, its command line redacted and cut to 1,000 characters."""
    name = data.path.name if name is None else name
    return Persistence(
        mechanism=mechanism,
        name=name,
        path=str(data.path),
        role=_role(name),
        scope="system" if scope == "system" else "user",
        exec_start=redact_text(exec_start)[:1000] if exec_start else None,
        enabled=enabled,
    )


def parse_systemd(data: FileData, scope: str) -> ServiceDefinition:
    text = data.data.decode("utf-8", "replace")
    exec_start = next((ln.split("=", 1)[1].strip() for ln in text.splitlines() if ln.startswith("ExecStart=")), None)
    pairs = list(systemd_environment_pairs(text))
    enabled = systemd_enabled(data.path)
    definition = ServiceDefinition(
        _persistence(data, "systemd", scope, exec_start, enabled=enabled),
        secrets=list(secrets_in_assignments(iter(pairs))),
        data=data,
        env=_location_env(pairs),
        state_dirs=_state_dirs(text),
        version_text=text[:4096],
        user=next((ln.split("=", 1)[1].strip() for ln in text.splitlines() if ln.startswith("User=")), None),
    )
    return definition


_WANTS_DIRS = ("default.target.wants", "multi-user.target.wants", "graphical.target.wants")


def systemd_enabled(unit: Path) -> bool:
    """Enabled = a ``*.target.wants/<unit>`` link next to it (what ``systemctl enable`` creates)."""
    for wants in _WANTS_DIRS:
        try:
            os.lstat(unit.parent / wants / unit.name)
            return True
        except OSError:
            continue
    return False


_LAUNCHD_PATH_KEYS = ("WorkingDirectory", "StandardOutPath", "StandardErrorPath")
_ENV_WRAPPER_SHELLS = ("/bin/sh", "/bin/bash", "/bin/zsh")


def unwrap_env_wrapper(args: list[str]) -> list[str]:
    """The command OpenClaw's generated LaunchAgent environment wrapper runs (2026.9: ``/bin/sh
    <state>/service-env/<label>-env-wrapper.sh <state>/service-env/<label>.env <command...>``, or the
    same without ``/bin/sh``), as OpenClaw itself reads it back; other argument lists unchanged."""
    start = 1 if args and args[0] in _ENV_WRAPPER_SHELLS else 0
    wrapper, env_file = [*args[start:start + 2], "", ""][:2]
    if (wrapper.endswith("-env-wrapper.sh") and env_file.endswith(".env")
            and "/service-env/" in wrapper.replace("\\", "/") and "/service-env/" in env_file.replace("\\", "/")):
        return args[start + 2:]
    return args


def parse_launchd(data: FileData, scope: str) -> ServiceDefinition:
    """A LaunchAgent/LaunchDaemon plist. The state dir is looked for in the arguments, environment,
    working directory and log paths (2026.2 names it only in ``StandardOutPath``, 2026.9 in the
    env-wrapper paths and ``WorkingDirectory``); the command shown is the one the wrapper runs."""
    try:
        plist = plistlib.loads(data.data)
    except Exception:  # plistlib raises several types on garbage
        plist = {}
    if not isinstance(plist, dict):
        plist = {}
    label = plist.get("Label") if isinstance(plist.get("Label"), str) else data.path.stem
    args = (
        [a for a in plist.get("ProgramArguments", []) if isinstance(a, str)]
        if isinstance(plist.get("ProgramArguments"), list)
        else []
    )
    env_raw = plist.get("EnvironmentVariables")
    env: dict[object, object] = env_raw if isinstance(env_raw, dict) else {}
    pairs = [(str(k), v) for k, v in env.items() if isinstance(v, str)]
    paths = [v for key in _LAUNCHD_PATH_KEYS if isinstance(v := plist.get(key), str)]
    joined = " ".join(args + [v for _, v in pairs] + paths)
    disabled = plist.get("Disabled")
    return ServiceDefinition(
        _persistence(data, "launchd", scope, " ".join(unwrap_env_wrapper(args)), name=str(label),
                     enabled=None if disabled is None else not bool(disabled)),
        secrets=list(secrets_in_plist(plist)),
        data=data,
        env=_location_env(pairs),
        state_dirs=_state_dirs(joined),
        version_text=str(plist.get("Comment", "")),
    )


def parse_scheduled_task(data: FileData) -> ServiceDefinition:
    raw = data.data
    text = raw.decode("utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else raw.decode("utf-8", "replace")
    command = arguments = ""
    enabled: bool | None = None
    if "<!ENTITY" not in text:  # refuse entity tricks outright
        try:
            root = ET.fromstring(text)  # noqa: S314
            for elem in root.iter():
                tag = elem.tag.rsplit("}", 1)[-1]
                if tag == "Command":
                    command = elem.text or ""
                elif tag == "Arguments":
                    arguments = elem.text or ""
                elif tag == "Enabled" and elem.text:
                    enabled = elem.text.strip().lower() == "true"
        except ET.ParseError:
            pass
    exec_start = f"{command} {arguments}".strip()
    return ServiceDefinition(
        _persistence(data, "scheduled_task", "system", exec_start, enabled=enabled),
        data=data,
        state_dirs=_state_dirs(exec_start.replace("\\", "/")),
    )


def parse_startup_item(data: FileData) -> ServiceDefinition:
    text = data.data.decode("utf-8", "replace")
    pairs = list(windows_set_pairs(text))
    return ServiceDefinition(
        _persistence(data, "startup_folder", "user", None),
        secrets=list(secrets_in_assignments(iter(pairs))),
        data=data,
        env=_location_env(pairs),
        state_dirs=_state_dirs(text.replace("\\", "/")),
    )


def read_definition(path: Path, scope: str) -> ServiceDefinition | SafeIOError:
    """Parse one definition file found by ``locations``; a SafeIOError when it cannot be read safely."""
    try:
        data = read_file(path.parent, path.name, max_bytes=MAX_DEFINITION_BYTES)
    except SafeIOError as exc:
        return exc
    name = path.name
    if name.endswith(".service"):
        return parse_systemd(data, scope)
    if name.endswith(".plist"):
        return parse_launchd(data, scope)
    if path.parent.name == "Tasks" or "." not in name:
        return parse_scheduled_task(data)
    return parse_startup_item(data)
