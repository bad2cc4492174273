"""Linux: homes from /etc/passwd (via pwd, so NSS users too), container markers."""

from __future__ import annotations

from pathlib import Path

from sensor.platform.common import AccountHome
from sensor.platform.posix_accounts import pwd_homes, pwd_owner_name

OS_NAME = "linux"
_CONTAINER_MARKERS = (Path("/.dockerenv"), Path("/run/.containerenv"))
_CGROUP_HINTS = ("docker", "containerd", "kubepods", "libpod", "lxc")


def account_homes() -> list[AccountHome]:
    return pwd_homes()


def owner_name(uid: int | None) -> str | None:
    return pwd_owner_name(uid)


def in_container(root: Path = Path("/")) -> bool:
    if any((root / m.relative_to("/")).exists() for m in _CONTAINER_MARKERS):
        return True
    try:
        cgroup = (root / "proc/1/cgroup").read_text(errors="replace")[:65536]
    except OSError:
        return False
    return any(hint in cgroup for hint in _CGROUP_HINTS)
