"""Windows: homes from the registry ProfileList, plus any directory under C:\\Users."""

from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path
from typing import Any

from sensor.platform.common import AccountHome, dedupe_homes

OS_NAME = "windows"
_PROFILE_LIST = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList"


def _registry_homes() -> list[AccountHome]:
    winreg: Any = importlib.import_module("winreg") if importlib.util.find_spec("winreg") else None
    if winreg is None:
        return []
    out: list[AccountHome] = []
    try:
        root = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, _PROFILE_LIST)
    except OSError:
        return []
    with root:
        index = 0
        while True:
            try:
                sid = winreg.EnumKey(root, index)
            except OSError:
                break
            index += 1
            try:
                with winreg.OpenKey(root, sid) as key:
                    raw, _ = winreg.QueryValueEx(key, "ProfileImagePath")
            except OSError:
                continue
            home = Path(os.path.expandvars(str(raw)))
            out.append(AccountHome(home.name, None, home))
    return out


def users_dir_homes(users_dir: Path) -> list[AccountHome]:
    try:
        entries = sorted(users_dir.iterdir())
    except OSError:
        return []
    skip = {"all users", "default", "default user", "public"}
    return [AccountHome(p.name, None, p) for p in entries if p.name.lower() not in skip and p.is_dir()]


def account_homes() -> list[AccountHome]:
    system_drive = os.environ.get("SystemDrive", "C:")
    return dedupe_homes(_registry_homes() + users_dir_homes(Path(system_drive + "\\Users")))


def owner_name(uid: int | None) -> str | None:
    return None if uid is None else str(uid)


def in_container() -> bool:
    return False
