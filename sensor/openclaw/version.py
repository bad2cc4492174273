"""Version of an install without running it: package.json, config ``meta.lastTouchedVersion``, the
Control UI build id, a service's ``OPENCLAW_SERVICE_VERSION`` / ``Description=… (v<ver>)``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from sensor.openclaw.config import get_path
from sensor.safeio import SafeIOError, read_file

_VERSION = re.compile(r"^\d{1,4}\.\d{1,3}\.\d{1,4}(?:[-+][0-9A-Za-z.\-]{1,40})?$")
_BUILD_ID = re.compile(rb'data-openclaw-control-ui-build-id="(\d{1,4}\.\d{1,3}\.\d{1,4})[-"]')
_DESCRIPTION = re.compile(r"\(v(\d{1,4}\.\d{1,3}\.\d{1,4}[0-9A-Za-z.\-]*)\)")


def clean_version(value: object) -> str | None:
    if isinstance(value, str) and _VERSION.match(value.strip()):
        return value.strip()
    return None


def package_version(package_dir: Path) -> tuple[str | None, str | None]:
    """(name, version) from ``<package>/package.json``."""
    try:
        data = orjson.loads(read_file(package_dir, "package.json", max_bytes=1 << 20).data)
    except (SafeIOError, orjson.JSONDecodeError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    name = data.get("name") if isinstance(data.get("name"), str) else None
    return name, clean_version(data.get("version"))


def control_ui_version(package_dir: Path) -> str | None:
    try:
        html = read_file(package_dir, "dist/control-ui/index.html", max_bytes=1 << 20).data
    except SafeIOError:
        return None
    match = _BUILD_ID.search(html)
    return match.group(1).decode() if match else None


def config_version(config: dict[str, Any]) -> str | None:
    return clean_version(get_path(config, "meta.lastTouchedVersion"))


def description_version(text: str) -> str | None:
    match = _DESCRIPTION.search(text)
    return clean_version(match.group(1)) if match else None
