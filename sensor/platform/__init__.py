"""Per-OS host facts behind one face (psutil style): account homes, owners, container detection.

The implementation module is chosen once at import; callers never test ``sys.platform``.
"""

from __future__ import annotations

import sys
from types import ModuleType

from sensor.platform.common import AccountHome

if sys.platform.startswith("win"):
    from sensor.platform import windows as _impl
elif sys.platform == "darwin":
    from sensor.platform import macos as _impl
else:
    from sensor.platform import linux as _impl

IMPL: ModuleType = _impl
OS_NAME: str = _impl.OS_NAME


def account_homes() -> list[AccountHome]:
    """Every account's home directory that exists (root and service accounts included)."""
    return _impl.account_homes()


def owner_name(uid: int | None) -> str | None:
    """User name for a uid (or None); numeric string when the account is unknown."""
    return _impl.owner_name(uid)


def in_container() -> bool:
    """True when this host is a container (OpenClaw's `auto` bind then means 0.0.0.0)."""
    return _impl.in_container()


__all__ = ["OS_NAME", "AccountHome", "account_homes", "in_container", "owner_name"]
