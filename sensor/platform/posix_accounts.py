"""The POSIX account database (pwd) shared by Linux and macOS."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from sensor.platform.common import AccountHome, dedupe_homes


def pwd_homes() -> list[AccountHome]:
    entries = [AccountHome(p.pw_name, p.pw_uid, Path(p.pw_dir)) for p in pwd.getpwall() if p.pw_dir]
    return dedupe_homes(entries)


def pwd_owner_name(uid: int | None) -> str | None:
    if uid is None:
        return None
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def running_uid() -> int | None:
    getuid = getattr(os, "getuid", None)
    return getuid() if getuid is not None else None
