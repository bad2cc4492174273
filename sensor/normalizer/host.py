"""Facts about the host that every event carries."""

from __future__ import annotations

import functools
import platform
import socket

from sensor.platform import owner_name

_PRODUCTS = {"Linux": "linux", "Darwin": "macos", "Windows": "windows"}


@functools.cache
def sigma_product() -> str:
    """The Sigma logsource product of this host: linux, macos or windows."""
    return _PRODUCTS.get(platform.system(), platform.system().lower())


@functools.cache
def hostname() -> str:
    return socket.gethostname()


@functools.lru_cache(maxsize=4096)
def user_name(uid: int | None) -> str | None:
    """Account name for a uid (the uid as text when the account is unknown)."""
    return owner_name(uid)
