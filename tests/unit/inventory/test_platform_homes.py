"""Account-database homes (root and service accounts included), Windows profile dirs, container check."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from sensor import platform
from sensor.platform import linux, windows


def test_account_homes_come_from_the_account_database() -> None:
    homes = {str(h.home): h for h in platform.account_homes()}
    for entry in pwd.getpwall():
        if entry.pw_dir not in ("/", "") and os.path.isdir(entry.pw_dir):
            assert entry.pw_dir in homes, entry.pw_name  # every existing home, not just /home/*
    root = pwd.getpwuid(0)
    if os.path.isdir(root.pw_dir):
        assert homes[root.pw_dir].uid == 0


def test_windows_users_dir(tmp_path: Path) -> None:
    for name in ("alice", "Public", "Default", "svc-build"):
        (tmp_path / name).mkdir()
    (tmp_path / "desktop.ini").write_text("")
    assert [h.user for h in windows.users_dir_homes(tmp_path)] == ["alice", "svc-build"]


def test_container_markers(tmp_path: Path) -> None:
    (tmp_path / "proc/1").mkdir(parents=True)
    (tmp_path / "proc/1/cgroup").write_text("0::/init.scope\n")
    assert linux.in_container(tmp_path) is False
    (tmp_path / ".dockerenv").write_text("")
    assert linux.in_container(tmp_path) is True
    (tmp_path / ".dockerenv").unlink()
    (tmp_path / "proc/1/cgroup").write_text("0::/system.slice/docker-abc.scope\n")
    assert linux.in_container(tmp_path) is True
