"""macOS: homes from the directory service via pwd; no container notion."""

from __future__ import annotations

from sensor.platform.common import AccountHome
from sensor.platform.posix_accounts import pwd_homes, pwd_owner_name

OS_NAME = "macos"


def account_homes() -> list[AccountHome]:
    return pwd_homes()


def owner_name(uid: int | None) -> str | None:
    return pwd_owner_name(uid)


def in_container() -> bool:
    return False
