"""Collector settings from macOS MDM managed preferences (a configuration profile's custom payload).

An MDM installs the payload ``com.clawwatch.sensor`` as ``/Library/Managed Preferences/
com.clawwatch.sensor.plist``, which every local user can read. So only non-secret keys are taken:
``CollectorURL`` (https) and ``CABundle`` (an absolute path). A key that looks like a secret
(``EnrollSecret``, ``*Token``, ``*Password``) is ignored with a warning saying where secrets go: a
world-readable file is the wrong place for one, and using it would only hide that.
"""

from __future__ import annotations

import plistlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sensor.safeio import SafeIOError, read_file

MAX_PLIST_BYTES = 256 * 1024
_SECRET_WORDS = ("secret", "token", "password")


@dataclass
class ManagedSettings:
    collector_url: str | None = None
    ca_bundle: str | None = None
    warnings: list[str] = field(default_factory=list)


def read_managed_preferences(path: Path) -> ManagedSettings:
    """What the managed preferences at ``path`` set; a missing file sets nothing."""
    out = ManagedSettings()
    try:
        data = read_file(path.parent, path.name, max_bytes=MAX_PLIST_BYTES)
    except SafeIOError as exc:
        if exc.reason != "missing":
            out.warnings.append(f"managed preferences {path}: {exc.reason} {exc.detail}".rstrip())
        return out
    try:
        prefs = plistlib.loads(data.data)
    except Exception:  # plistlib raises several types on garbage
        out.warnings.append(f"managed preferences {path}: not a property list")
        return out
    if not isinstance(prefs, dict):
        out.warnings.append(f"managed preferences {path}: not a dictionary")
        return out
    for key in prefs:
        if isinstance(key, str) and any(word in key.lower() for word in _SECRET_WORDS):
            out.warnings.append(
                f"managed preferences {path}: {key} ignored: every local user can read this file; deliver "
                f"the enroll secret in the root-only file (per-fleet pkg or install-enroll-secret) and "
                f"rotate it")
    url = prefs.get("CollectorURL")
    if isinstance(url, str) and url:
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.hostname:
            out.collector_url = url
        else:
            out.warnings.append(f"managed preferences {path}: CollectorURL must be an https:// URL")
    ca = prefs.get("CABundle")
    if isinstance(ca, str) and ca:
        if ca.startswith("/"):
            out.ca_bundle = ca
        else:
            out.warnings.append(f"managed preferences {path}: CABundle must be an absolute path")
    return out
